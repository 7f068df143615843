// cubbyhole/: each token's own key/value space (Vault's cubbyhole engine).
// A value is read only by the token that wrote it, root included; its
// records live under "cubbyhole/TOKEN_KEY/" and go when the token goes. They
// are removed by the leader's sweep, not at revocation, so that revoking a
// tree of 100,000 tokens stays one pass over the tokens; a revoked token's
// cubbyhole is unreachable at once, since nothing can authenticate as it.
#pragma once

#include <string>

#include "server/tokens.h"
#include "store/barrier.h"

namespace tresor::server {

std::string CubbyholePrefix(const std::string& token_key);

// Deletes the records of every cubbyhole whose token is gone. Returns how
// many records it deleted.
size_t SweepCubbyholes(store::Barrier& barrier, TokenStore& tokens);

}  // namespace tresor::server
