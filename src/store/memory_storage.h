// Storage in a std::map, for the development server and tests: every batch
// is durable as soon as it is submitted (and lost when the process ends).
#pragma once

#include <map>
#include <shared_mutex>

#include "store/storage.h"

namespace tresor::store {

class MemoryStorage final : public Storage {
 public:
  Result<std::optional<Bytes>> Get(const std::string& key) override;
  Result<std::vector<std::string>> Keys(const std::string& prefix) override;
  Result<void> Scan(const std::string& prefix,
                    const std::function<bool(const std::string&, const Bytes&)>& visit) override;
  Result<uint64_t> Submit(std::vector<Write> writes) override;
  void WhenDurable(uint64_t seq, std::function<void(bool)> done) override;
  bool IsDurable(uint64_t seq) override;
  uint64_t submitted() const override;
  uint64_t transactions() const override { return submitted(); }
  std::string type() const override { return "inmem"; }

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, Bytes> records_;
  uint64_t seq_ = 0;
};

}  // namespace tresor::store
