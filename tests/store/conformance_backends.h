// The backends the storage conformance suite runs against. Each test
// binary links one definition of Backends(): local_backends.cc (memory,
// SQLite) or etcd_backends.cc (a running etcd cluster).
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/storage.h"

namespace tresor::store {

// A fresh store for one test, and the prefix its keys go under (a store
// shared between tests, like an etcd cluster, gives each its own).
struct MadeStorage {
  std::unique_ptr<Storage> storage;
  std::string prefix;
};

struct Backend {
  std::string name;
  std::function<Result<MadeStorage>()> make;
};

std::vector<Backend> Backends();

// For test names: gtest prints parameters with it.
inline void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

}  // namespace tresor::store
