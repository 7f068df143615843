// libFuzzer target: the age header parser, then X25519 and scrypt unwrapping
// of whatever stanzas it accepts (scrypt capped low so runs stay fast).
#include <cstddef>
#include <cstdint>

#include "age/encrypt.h"
#include "age/header.h"
#include "age/scrypt.h"
#include "age/x25519.h"
#include "crypto/kdf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor;
  static const auto identity =
      age::X25519Identity::Parse(
          "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")
          .value();
  static const age::ScryptIdentity scrypt(
      crypto::SecretBytes::CopyOf(crypto::AsBytes("password")), /*max_log_n=*/4);
  age::SpanSource source(std::span<const uint8_t>(data, size));
  age::Reader reader(source, age::kReaderCapacity);
  auto header = age::ReadHeader(reader);
  if (header) {
    (void)identity.Unwrap(header->stanzas);
    (void)scrypt.Unwrap(header->stanzas);
    // Re-encoding a parsed header reproduces the bytes the MAC covers.
    if (age::EncodeHeaderForMac(header->stanzas) != header->mac_input) __builtin_trap();
  }
  return 0;
}
