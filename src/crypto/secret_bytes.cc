#include "crypto/secret_bytes.h"

#include <sodium.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/result.h"
#include "crypto/secret_arena.h"

namespace tresor::crypto {
namespace {

void WarnUnlockedOnce() {
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    std::fprintf(stderr,
                 "tresor: warning: could not lock memory for secrets "
                 "(RLIMIT_MEMLOCK); they may be swapped to disk\n");
  }
}

}  // namespace

void EnsureInitialized() {
  static const bool ok = sodium_init() >= 0;
  TRESOR_CHECK(ok, "libsodium failed to initialise");
}

SecretBytes::SecretBytes(size_t size, Lifetime lifetime) : size_(size), capacity_(size) {
  if (size == 0) return;
  EnsureInitialized();
  bool locked = false;
  if (lifetime == Lifetime::kShort) data_ = internal::ArenaAllocate(size, &locked);
  if (data_ != nullptr) {
    storage_ = Storage::kArena;
    if (!locked) WarnUnlockedOnce();
    return;
  }
  data_ = static_cast<uint8_t*>(sodium_malloc(size));
  if (data_ != nullptr) {
    storage_ = Storage::kGuarded;
  } else {
    // sodium_malloc fails when mlock does; fall back to ordinary memory.
    data_ = static_cast<uint8_t*>(std::calloc(size, 1));
    TRESOR_CHECK(data_ != nullptr, "out of memory");
    storage_ = Storage::kHeap;
    WarnUnlockedOnce();
  }
  std::memset(data_, 0, size);
}

SecretBytes SecretBytes::CopyOf(std::span<const uint8_t> bytes, Lifetime lifetime) {
  SecretBytes out(bytes.size(), lifetime);
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(other.data_), size_(other.size_), capacity_(other.capacity_), storage_(other.storage_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    storage_ = other.storage_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Truncate(size_t size) {
  TRESOR_CHECK(size <= size_, "SecretBytes::Truncate grows");
  Wipe({data_ + size, size_ - size});
  size_ = size;
}

void SecretBytes::Release() {
  if (data_ == nullptr) return;
  switch (storage_) {
    case Storage::kArena:
      internal::ArenaFree(data_, capacity_);  // wipes
      break;
    case Storage::kGuarded:
      sodium_free(data_);  // wipes before unmapping
      break;
    case Storage::kHeap:
      sodium_memzero(data_, capacity_);
      std::free(data_);
      break;
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  }
  // Fold without a data-dependent branch; the volatile keeps it from being
  // turned into an early exit.
  volatile uint8_t folded = diff;
  return folded == 0;
}

bool IsAllZero(std::span<const uint8_t> bytes) {
  uint8_t acc = 0;
  for (uint8_t b : bytes) acc |= b;
  volatile uint8_t folded = acc;
  return folded == 0;
}

void Wipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

}  // namespace tresor::crypto
