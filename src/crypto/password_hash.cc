#include "crypto/password_hash.h"

#include <sodium.h>

namespace tresor::crypto {
namespace {

const std::string& DummyHash() {
  static const std::string hash = [] {
    auto made = HashPassword("no such user");
    return made ? *made : std::string();
  }();
  return hash;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return MakeError(ErrorCode::kInternal, "password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  const std::string& checked = hash.empty() ? DummyHash() : hash;
  const bool ok = crypto_pwhash_str_verify(checked.c_str(), password.data(), password.size()) == 0;
  return ok && !hash.empty();
}

}  // namespace tresor::crypto
