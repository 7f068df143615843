// Reading a transit keeper's answer (POST MOUNT/encrypt|decrypt|rewrap/KEY
// on tresor or Vault): the answer comes from the network, so anything is
// turned into an error that says what was wrong, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::server {

// The string `field` of the answer's "data" ("ciphertext", "plaintext").
// Not 200: the keeper's first error message with the status, as kNoMatch
// for 400 (the key does not open it), kRefused for 403, kNotFound for 404
// and kUnavailable otherwise (sealed, overloaded: it may pass). kIo if the
// answer is not transit's. The caller wipes `body` and what is returned.
Result<std::string> TransitAnswerField(int status, std::string_view body, const char* field);

}  // namespace tresor::server
