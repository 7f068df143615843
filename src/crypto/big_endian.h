// 32-bit big-endian integers in byte strings (the agent protocol's frame
// lengths, the server's keyring and record headers).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tresor::crypto {

// Writes `v` at `out[0..3]`.
inline void StoreU32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

inline void AppendU32(std::vector<uint8_t>& out, uint32_t v) {
  out.resize(out.size() + 4);
  StoreU32(out.data() + out.size() - 4, v);
}

// The first four bytes of `in` (which must have them).
inline uint32_t ReadU32(std::span<const uint8_t> in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | in[3];
}

}  // namespace tresor::crypto
