// SecretBytes: the one owning type for key material and decrypted plaintext.
//
// Contract:
// - Move-only; the bytes are zeroed when the object is destroyed or moved from.
// - Storage is locked memory excluded from core dumps. Long-lived keys
//   (Lifetime::kLong) and buffers over 4 KiB get libsodium's guarded
//   allocator, with guard pages on both sides of each allocation; short-lived
//   small secrets come from a locked arena that has guard pages around the
//   arena as a whole, because a guarded allocation costs eight system calls.
//   If locking fails (RLIMIT_MEMLOCK) the bytes live in ordinary memory and
//   one warning is printed per process. Either way they are wiped.
// - No stream operator and no implicit conversion: reading the bytes is the
//   named call Reveal(), so one grep finds every place a secret is exposed.
// - Not thread-safe; like a std::vector, one owner at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tresor::crypto {

enum class Lifetime {
  kShort,  // for the length of one operation
  kLong,   // held for the life of a process, such as an agent's identities
};

class SecretBytes {
 public:
  SecretBytes() = default;
  // `size` zero bytes.
  explicit SecretBytes(size_t size, Lifetime lifetime = Lifetime::kShort);
  // A secret copy of `bytes`.
  static SecretBytes CopyOf(std::span<const uint8_t> bytes, Lifetime lifetime = Lifetime::kShort);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Read access to the secret.
  std::span<const uint8_t> Reveal() const { return {data_, size_}; }
  // Write access, to fill a fresh buffer.
  std::span<uint8_t> Mutable() { return {data_, size_}; }

  // Shrinks the visible size to `size` (<= size()); the tail is wiped.
  void Truncate(size_t size);

 private:
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  enum class Storage { kArena, kGuarded, kHeap };
  Storage storage_ = Storage::kHeap;
};

// True when every byte equals the other's, in time that depends only on the
// sizes. Use for MACs, tags, keys and tokens.
bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);

// True when all bytes are zero, in constant time.
bool IsAllZero(std::span<const uint8_t> bytes);

// Wipes memory in a way the compiler cannot elide.
void Wipe(std::span<uint8_t> bytes);

// Initialises libsodium once; every function in crypto/ calls it as needed.
void EnsureInitialized();

}  // namespace tresor::crypto
