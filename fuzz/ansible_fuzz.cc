// libFuzzer target for ansible-vault's format (ansible/vault.h): any text
// either parses into a vault whose parts have the sizes the format fixes, or
// is refused with an error. (Opening costs 10,000 PBKDF2 rounds per input,
// so the HMAC and padding checks are left to the unit tests.)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ansible/vault.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto vault = tresor::ansible::ParseVault(text);
  if (!vault) return 0;
  if (vault->salt.empty() || vault->hmac.size() != 32 || vault->ciphertext.empty() ||
      vault->ciphertext.size() % 16 != 0 || (vault->version != "1.1" && vault->version != "1.2")) {
    __builtin_trap();
  }
  return 0;
}
