#include "store/storage.h"

#include <condition_variable>
#include <mutex>

namespace tresor::store {

Result<void> Storage::Commit(std::vector<Write> writes) {
  TRESOR_ASSIGN_OR_RETURN(const uint64_t seq, Submit(std::move(writes)));
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<bool> result;
  WhenDurable(seq, [&](bool ok) {
    const std::lock_guard lock(mutex);
    result = ok;
    cv.notify_one();
  });
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return result.has_value(); });
  if (!*result) return MakeError(ErrorCode::kIo, "storage write failed");
  return {};
}

}  // namespace tresor::store
