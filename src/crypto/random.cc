#include "crypto/random.h"

#include <sodium.h>

namespace tresor::crypto {

void FillRandom(std::span<uint8_t> out) {
  EnsureInitialized();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

SecretBytes RandomSecret(size_t size) {
  SecretBytes out(size);
  FillRandom(out.Mutable());
  return out;
}

}  // namespace tresor::crypto
