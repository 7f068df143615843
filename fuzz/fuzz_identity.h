// The X25519 identity the CCTV vectors (and so the seed corpora) are
// encrypted to, so fuzzed inputs reach past the header into the payload.
#pragma once

#include "age/x25519.h"

namespace tresor::fuzz {

inline const age::X25519Identity& CorpusIdentity() {
  static const auto identity =
      age::X25519Identity::Parse(
          "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")
          .value();
  return identity;
}

}  // namespace tresor::fuzz
