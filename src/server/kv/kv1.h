// A KV version 1 secrets engine: one JSON object per path, no versions.
// Each path is a record in the storage barrier under PREFIX "d/" PATH,
// read from storage on every request. Thread-safe.
#pragma once

#include <shared_mutex>
#include <string>

#include "server/kv/kv2.h"
#include "store/barrier.h"

namespace tresor::server {

class KvV1 {
 public:
  KvV1(store::Barrier& barrier, std::string prefix)
      : barrier_(barrier), prefix_(std::move(prefix)) {}

  KvOutcome Read(const std::string& path);
  // The body is the data (any JSON object).
  KvOutcome Write(const std::string& path, const Json& body);
  KvOutcome Delete(const std::string& path);
  KvOutcome List(const std::string& prefix);
  Result<bool> Exists(const std::string& path);
  // Refuses every later change (404); see KvV2::Close.
  void Close();

 private:
  store::Barrier& barrier_;
  std::string prefix_;
  std::shared_mutex mutex_;  // changes share it; Close takes it alone
  bool closed_ = false;
};

}  // namespace tresor::server
