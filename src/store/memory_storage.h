// Storage in a std::map, for the development server and tests: every
// transaction is durable as soon as it is applied (and lost when the
// process ends).
#pragma once

#include <map>
#include <shared_mutex>

#include "store/storage.h"
#include "store/watch_hub.h"

namespace tresor::store {

class MemoryStorage final : public Storage {
 public:
  // `history_bytes`: how much of its history the watch keeps;
  // `max_write_bytes`: the most one transaction may write (0: no limit), as
  // etcd limits its requests.
  explicit MemoryStorage(size_t history_bytes = size_t{64} << 20, size_t max_write_bytes = 0)
      : max_write_bytes_(max_write_bytes), hub_(history_bytes) {}

  Result<std::optional<Record>> Read(const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& prefix, const std::string& start_after,
                                        size_t limit) override;
  Result<void> Scan(const std::string& prefix,
                    const std::function<bool(const std::string&, const Record&)>& visit) override;
  Result<TxnResult> Transact(Txn txn) override;
  void WhenDurable(uint64_t revision, std::function<void(bool)> done) override;
  bool IsDurable(uint64_t revision) override;
  Result<uint64_t> Revision() override;
  Result<std::unique_ptr<Watch>> WatchPrefix(const std::string& prefix, uint64_t after,
                                             std::function<void(const Change&)> on_change) override;
  Result<void> Compact(uint64_t revision) override;
  uint64_t submitted() const override;
  uint64_t transactions() const override { return submitted(); }
  std::string type() const override { return "inmem"; }
  size_t max_value_bytes() const override { return max_write_bytes_; }

 private:
  const size_t max_write_bytes_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Record> records_;
  uint64_t revision_ = 0;
  uint64_t applied_ = 0;
  WatchHub hub_;
};

}  // namespace tresor::store
