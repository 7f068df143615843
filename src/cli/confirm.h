// Asking before something that cannot be undone.
#pragma once

#include <string>

#include "crypto/result.h"

namespace tresor::cli {

// Nothing if `yes` (--yes), or if the user answers y or yes to `question`
// on the terminal. kInvalidArgument "COMMAND: confirm with --yes (stdin is
// not a terminal)" when there is no one to ask; kRefused "COMMAND: not
// confirmed" otherwise.
Result<void> Confirm(bool yes, const std::string& command, const std::string& question);

}  // namespace tresor::cli
