// libFuzzer target for dotenvx's files (dotenvx/env_file.h): the first byte
// picks a .env.keys file or an encrypted .env file, opened with the key of
// the seed file dotenvx wrote (fuzz/corpus/dotenvx). Beyond not crashing:
// a file that opens gives a plaintext that parses as dotenv again, with a
// value at every path reported as encrypted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dotenvx/env_file.h"
#include "formats/format.h"
#include "reparse_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor::dotenvx;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<PrivateKey> keys;
  if (data[0] % 2 == 0) {
    (void)AddKeysFile(text, ".env.keys", keys);
    return 0;
  }
  static const std::vector<PrivateKey>* seed_key = [] {
    auto* k = new std::vector<PrivateKey>;
    if (!AddPrivateKeys("d7b6069ebbbb92e8c0399d3394cc4f7d748088356cb45056b46be022939be79a", "seed",
                        *k)) {
      __builtin_trap();
    }
    return k;
  }();
  auto opened = OpenEnvFile(text, *seed_key);
  if (!opened) return 0;
  CheckReparses(tresor::formats::Dotenv(), opened->plaintext, opened->encrypted);
  return 0;
}
