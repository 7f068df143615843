// Randomness from the kernel CSPRNG (libsodium's randombytes, getrandom(2)).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/secret_bytes.h"

namespace tresor::crypto {

void FillRandom(std::span<uint8_t> out);
SecretBytes RandomSecret(size_t size);

}  // namespace tresor::crypto
