// Running another program (no shell) and capturing what it prints.
#pragma once

#include <string>
#include <vector>

#include "crypto/result.h"

namespace tresor::cli {

struct ProgramRun {
  int status = -1;  // exit code, or -1 if it did not exit normally
  std::string out;  // its stdout; stderr is the caller's
};

// Runs argv[0] (searched in PATH) with `argv`; kIo if it cannot be started.
// `quiet`: its stderr goes to /dev/null.
Result<ProgramRun> RunProgram(const std::vector<std::string>& argv, bool quiet = false);

}  // namespace tresor::cli
