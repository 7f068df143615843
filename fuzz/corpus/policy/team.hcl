# team policy
path "secret/data/app/*" {
  capabilities = ["read", "list"]
}
path "secret/+/config" { capabilities = ["create", "update", "patch", "delete", "sudo"] }
/* legacy */
path "legacy" { policy = "write" }
path "sys/mounts" {
  capabilities = ["read"]
  allowed_parameters = { "type" = ["kv"], "*" = [] }
  required_parameters = ["type"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 90
}
path "secret/team/+/private" { capabilities = ["deny"] }
