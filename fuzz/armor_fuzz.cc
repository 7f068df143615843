// libFuzzer target: the streaming ASCII armor decoder, and full decryption of
// armored input so armor errors interleave with header and payload errors.
#include <cstddef>
#include <cstdint>

#include "age/armor.h"
#include "age/encrypt.h"
#include "age/x25519.h"
#include "fuzz_identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor;
  const age::X25519Identity& identity = fuzz::CorpusIdentity();
  {
    age::SpanSource source(std::span<const uint8_t>(data, size));
    age::Reader reader(source, age::kReaderCapacity);
    age::ArmorReader armor(reader);
    uint8_t buf[4096];
    while (true) {
      auto n = armor.Read(buf);
      if (!n || *n == 0) break;
    }
  }
  age::SpanSource source(std::span<const uint8_t>(data, size));
  age::VectorSink sink;
  const age::Identity* ids[] = {&identity};
  (void)age::Decrypt(ids, source, sink);
  return 0;
}
