// etcd for the conformance suite: the cluster tests/cluster/etcd_storage_test.py
// started, named by TRESOR_ETCD_ENDPOINTS (comma-separated); each test's
// keys under a prefix of its own.
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "store/conformance_backends.h"
#include "store/etcd/etcd_storage.h"

namespace tresor::store {

EtcdOptions TestEtcdOptions(const std::string& prefix) {
  EtcdOptions options;
  const char* endpoints = std::getenv("TRESOR_ETCD_ENDPOINTS");
  std::stringstream list(endpoints != nullptr ? endpoints : "");
  for (std::string e; std::getline(list, e, ',');) options.endpoints.push_back(e);
  options.prefix = prefix;
  return options;
}

std::vector<Backend> Backends() {
  return {{"etcd", []() -> Result<MadeStorage> {
             static int n = 0;
             // The store's prefix is per test; keys under "t/" as elsewhere.
             const std::string prefix =
                 "conformance/" + std::to_string(::getpid()) + "/" + std::to_string(++n) + "/";
             TRESOR_ASSIGN_OR_RETURN(auto s, EtcdStorage::Open(TestEtcdOptions(prefix)));
             return MadeStorage{std::move(s), "t/"};
           }}};
}

}  // namespace tresor::store
