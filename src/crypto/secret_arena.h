// A pool of locked memory for short-lived secrets (file keys, shared
// secrets, passphrases, small decrypted values), used by SecretBytes.
//
// libsodium's guarded allocator spends about six system calls (mmap, three
// mprotect, madvise, mlock) and two on free per allocation, which was a
// quarter of the run time of a whole `tresor decrypt` of a small file. The
// arena maps, locks and excludes from core dumps one region once, with guard
// pages around the region as a whole, and hands out 64-byte-aligned slots.
// Freed slots are wiped before they are reused.
//
// Thread-safe. Internal to crypto/: everything else uses SecretBytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tresor::crypto::internal {

// The largest request the arena serves; larger ones go to sodium_malloc.
inline constexpr size_t kArenaMaxAllocation = 4096;

// `size` zeroed bytes from the arena, or nullptr when the request is too
// large or the arena is full. `*locked` tells whether the region is mlocked.
uint8_t* ArenaAllocate(size_t size, bool* locked);

// Wipes and returns memory from ArenaAllocate (the same `size`).
void ArenaFree(uint8_t* data, size_t size);

}  // namespace tresor::crypto::internal
