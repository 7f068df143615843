#include "crypto/secret_arena.h"

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <mutex>

#include "crypto/result.h"

namespace tresor::crypto::internal {
namespace {

// 64 bytes holds a key, a MAC or a short value in one slot; 1024 slots
// (64 KiB, 16 pages) cover every small secret a command holds at once.
constexpr size_t kSlotSize = 64;
constexpr size_t kSlots = 1024;
constexpr size_t kWords = kSlots / 64;

class Arena {
 public:
  Arena() {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t size = kSlots * kSlotSize;
    void* map = ::mmap(nullptr, size + 2 * page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) return;
    auto* base = static_cast<uint8_t*>(map);
    // Guard pages: running off either end faults instead of reading a neighbour.
    TRESOR_CHECK(::mprotect(base, page, PROT_NONE) == 0 &&
                     ::mprotect(base + page + size, page, PROT_NONE) == 0,
                 "cannot protect the secret arena's guard pages");
    slots_ = base + page;
    ::madvise(slots_, size, MADV_DONTDUMP);
    locked_ = ::mlock(slots_, size) == 0;
  }

  uint8_t* Allocate(size_t size, bool* locked) {
    if (slots_ == nullptr || size == 0 || size > kArenaMaxAllocation) return nullptr;
    const size_t want = (size + kSlotSize - 1) / kSlotSize;
    std::lock_guard lock(mutex_);
    size_t run = 0;
    for (size_t i = 0; i < kSlots; ++i) {
      run = Used(i) ? 0 : run + 1;
      if (run == want) {
        const size_t first = i + 1 - want;
        for (size_t j = first; j <= i; ++j) SetUsed(j, true);
        *locked = locked_;
        return slots_ + first * kSlotSize;  // zero: fresh or wiped on free
      }
    }
    return nullptr;
  }

  // True if `data` came from this arena (and is now wiped and free).
  bool Free(uint8_t* data, size_t size) {
    if (slots_ == nullptr || data < slots_ || data >= slots_ + kSlots * kSlotSize) return false;
    const size_t first = static_cast<size_t>(data - slots_) / kSlotSize;
    const size_t count = (size + kSlotSize - 1) / kSlotSize;
    sodium_memzero(data, count * kSlotSize);
    std::lock_guard lock(mutex_);
    for (size_t j = first; j < first + count; ++j) SetUsed(j, false);
    return true;
  }

 private:
  bool Used(size_t slot) const { return (used_[slot / 64] >> (slot % 64)) & 1; }
  void SetUsed(size_t slot, bool used) {
    const uint64_t bit = uint64_t{1} << (slot % 64);
    used_[slot / 64] = used ? (used_[slot / 64] | bit) : (used_[slot / 64] & ~bit);
  }

  std::mutex mutex_;
  uint8_t* slots_ = nullptr;
  bool locked_ = false;
  std::array<uint64_t, kWords> used_{};
};

// Never destroyed: secrets in static objects may be freed after main returns.
Arena& TheArena() {
  static Arena* arena = new Arena();
  return *arena;
}

}  // namespace

uint8_t* ArenaAllocate(size_t size, bool* locked) { return TheArena().Allocate(size, locked); }

void ArenaFree(uint8_t* data, size_t size) {
  TRESOR_CHECK(TheArena().Free(data, size), "ArenaFree of memory the arena does not own");
}

}  // namespace tresor::crypto::internal
