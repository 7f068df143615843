// libFuzzer target: the age header parser, then X25519 and scrypt unwrapping
// of whatever stanzas it accepts (scrypt capped low so runs stay fast).
#include <cstddef>
#include <cstdint>

#include "age/encrypt.h"
#include "age/header.h"
#include "age/scrypt.h"
#include "age/x25519.h"
#include "crypto/kdf.h"
#include "fuzz_identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor;
  const age::X25519Identity& identity = fuzz::CorpusIdentity();
  static const age::ScryptIdentity scrypt(crypto::SecretBytes::CopyOf(crypto::AsBytes("password")),
                                          /*max_log_n=*/4);
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
