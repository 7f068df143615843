// How to reach an etcd cluster (server.toml's [storage]); no gRPC here, so
// that the tresor command can name the options of the module it loads.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tresor::store {

struct EtcdOptions {
  std::vector<std::string> endpoints;  // "host:port", "http://host:port" or "https://host:port"
  std::string prefix = "tresor/";      // every key is stored under it
  // TLS (required for https:// endpoints): the CA that signed the members'
  // certificates, and the client's certificate and key if they ask for one.
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::chrono::milliseconds dial_timeout{2000};
  std::chrono::milliseconds request_timeout{2000};
  // The lease of a node's membership: a dead node's background work is
  // taken over within it (and a third more).
  std::chrono::seconds lease_ttl{10};
  // etcd's --max-request-bytes (1.5 MiB unless the cluster was given more):
  // larger values are refused before they are sent.
  size_t max_request_bytes = 1536 * 1024;
};

}  // namespace tresor::store
