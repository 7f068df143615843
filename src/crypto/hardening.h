// Process hardening for programs that hold keys.
#pragma once

#include "crypto/result.h"

namespace tresor::crypto {

// Sets RLIMIT_CORE to 0 and PR_SET_DUMPABLE to 0, so the process leaves no
// core dump and other processes of the same user cannot ptrace it or read its
// /proc/PID/mem. Call first thing in main().
Result<void> HardenProcess();

}  // namespace tresor::crypto
