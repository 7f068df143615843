// What every secrets engine implements (KV version 1 and 2, transit), and
// the one table of the types that can be mounted. A mount names its type;
// each mount's instance keeps its records under its type's storage root
// and its path ("kv/secret/", "transit/transit/") and answers what
// clients send under /v1/PATH/ once the caller's policies allow it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "http/request.h"
#include "http/response.h"
#include "store/barrier.h"

namespace tresor::server::engines {

class Engine {
 public:
  virtual ~Engine() = default;

  // Reads what it keeps in memory (once, when the server unseals).
  virtual Result<void> Load() { return {}; }

  // True if a write at `rest` (what follows the mount's path) creates what
  // it names (policies' `create`), false if it changes what is there
  // (`update`).
  virtual Result<bool> WriteCreates(const std::string& rest) = 0;
  virtual http::Response Handle(const http::Request& request, const std::string& rest,
                                const nlohmann::json& body) = 0;
  // The member of a write's `body` whose values a client may send
  // encrypted to the server (X-Tresor-Encrypted: true); null if the write
  // takes none.
  virtual nlohmann::json* EncryptedValues(const http::Request&, const std::string&,
                                          nlohmann::json&) {
    return nullptr;
  }

  // Refuses every later change: the mount is being removed or moved.
  virtual void Close() = 0;
  // Another node changed the record at `rest` under its prefix.
  virtual void Changed(const std::string& rest, uint64_t revision) = 0;
  // Keys held in memory (metrics).
  virtual size_t CachedKeys() const { return 0; }
};

// A type of secrets engine: its name in sys/mounts, the root of its mounts'
// storage prefixes, whether it takes options.version (and which by
// default), and how an instance is made with its records under `prefix`.
struct Type {
  const char* name;
  const char* storage_root;  // "kv/"
  int default_version;       // 0: takes no version
  std::shared_ptr<Engine> (*make)(store::Barrier& barrier, const std::string& prefix, int version);
};

// Every type that can be mounted (registry.cc: a line each).
std::span<const Type> Types();
const Type* FindType(std::string_view name);
// "kv and transit".
std::string TypeNames();

// Each type's maker (in its own folder).
std::shared_ptr<Engine> MakeKv(store::Barrier& barrier, const std::string& prefix, int version);
std::shared_ptr<Engine> MakeTransit(store::Barrier& barrier, const std::string& prefix,
                                    int version);

}  // namespace tresor::server::engines
