#include "store/storage.h"

#include <condition_variable>
#include <mutex>

namespace tresor::store {

Result<std::optional<Bytes>> Storage::Get(const std::string& key) {
  TRESOR_ASSIGN_OR_RETURN(auto record, Read(key));
  if (!record) return std::optional<Bytes>();
  return std::optional<Bytes>(std::move(record->value));
}

Result<uint64_t> Storage::Submit(std::vector<Write> writes) {
  TRESOR_ASSIGN_OR_RETURN(const TxnResult result, Transact(Txn{{}, std::move(writes)}));
  return result.revision;
}

Result<TxnResult> Storage::Commit(Txn txn) {
  TRESOR_ASSIGN_OR_RETURN(const TxnResult result, Transact(std::move(txn)));
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<bool> durable;
  WhenDurable(result.revision, [&](bool ok) {
    const std::lock_guard lock(mutex);
    durable = ok;
    cv.notify_one();
  });
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return durable.has_value(); });
  if (!*durable) return MakeError(ErrorCode::kIo, "storage write failed");
  return result;
}

Result<void> Storage::Commit(std::vector<Write> writes) {
  TRESOR_RETURN_IF_ERROR(Commit(Txn{{}, std::move(writes)}));
  return {};
}

}  // namespace tresor::store
