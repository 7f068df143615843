// age's text key files: identity files ("AGE-SECRET-KEY-1..." lines) and
// recipients files ("age1..." lines), with '#' comments and blank lines.
#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "age/x25519.h"

namespace tresor::age {

// True if `content` is itself an age file (binary or armored): a
// passphrase-protected identity file, as age's tools make them.
bool IsEncryptedKeyFile(std::span<const uint8_t> content);

// Parses an identity file. Errors are kInvalidArgument, name the line and
// never quote it (it may hold a key).
// With `plugins`, plugin identity lines (AGE-PLUGIN-NAME-1...) are added to
// it instead of being errors, and a file of plugin identities only is valid.
Result<std::vector<X25519Identity>> ParseIdentityFile(std::span<const uint8_t> content,
                                                      std::vector<std::string>* plugins = nullptr);

// Parses a recipients file of X25519 and plugin recipients (age1NAME1...);
// errors name the line and quote the recipient.
Result<std::vector<std::unique_ptr<Recipient>>> ParseRecipientsFile(std::string_view content);

// The identity file age-keygen writes: "# created:", "# public key:", key.
crypto::SecretBytes FormatIdentityFile(const X25519Identity& identity, std::time_t created);

}  // namespace tresor::age
