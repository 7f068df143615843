path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "policies" = ["app-*", "default"], "*" = [] }
  denied_parameters = { "no_parent" = [true], "ttl" = ["*h"] }
  required_parameters = ["policies"]
}
