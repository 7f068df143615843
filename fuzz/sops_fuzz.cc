// libFuzzer target for reading sops files (sops/sops_file.h): the first byte
// picks the input type, the rest is the file; every data key "opens" as
// zeros, so metadata, ENC[...] values, regions and the MAC are all reached.
// Beyond not crashing: the plaintext of a file that opens parses again in
// its format, and every path reported as encrypted is a value of it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reparse_check.h"
#include "sops/sops_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tresor::sops;
  if (size == 0) return 0;
  static constexpr InputType kTypes[] = {InputType::kYaml, InputType::kJson, InputType::kDotenv,
                                         InputType::kIni, InputType::kBinary};
  const InputType type = kTypes[data[0] % 5];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const Unwrap zeros = [](const AgeKey&, size_t n) -> tresor::Result<tresor::crypto::SecretBytes> {
    return tresor::crypto::SecretBytes(n);
  };
  for (const bool verify : {true, false}) {
    auto opened = Open(type, text, zeros, {.verify_mac = verify});
    if (!opened || type == InputType::kBinary) continue;
    CheckReparses(FormatOf(type), opened->plaintext, opened->encrypted);
  }
  return 0;
}
