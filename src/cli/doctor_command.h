// tresor doctor: checks what tresor relies on around it (the agent and its
// socket, the keyring's modes, the server and its TLS trust, git's drivers
// for sealed files) and says what to fix.
#pragma once

#include <string>

#include "crypto/result.h"

namespace tresor::cli {

struct DoctorOptions {
  std::string address;  // --address; "" = $TRESOR_ADDR, $VAULT_ADDR
  bool json = false;
};

// Prints one line per check (ok, warn, fail or skip) with what to do about
// each that is not ok. Fails (kRefused: exit 1) if any check fails.
Result<void> RunDoctor(const DoctorOptions& options);

}  // namespace tresor::cli
