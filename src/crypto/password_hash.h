// Password hashes for stored credentials: Argon2id with libsodium's
// interactive limits (64 MiB, 2 passes), in the PHC string form
// ("$argon2id$v=19$m=65536,t=2,p=1$..."). Each call costs tens of
// milliseconds of one core and 64 MiB: callers that face the network run
// them on a bounded pool, not on request threads.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::crypto {

// kInternal if the memory for the hash cannot be had.
Result<std::string> HashPassword(std::string_view password);

// True if `password` matches `hash`. With an empty `hash` (no such user) it
// checks against a fixed hash, so the answer takes as long either way.
bool VerifyPassword(const std::string& hash, std::string_view password);

}  // namespace tresor::crypto
