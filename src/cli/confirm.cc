#include "cli/confirm.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace tresor::cli {

Result<void> Confirm(bool yes, const std::string& command, const std::string& question) {
  if (yes) return {};
  if (::isatty(STDIN_FILENO) != 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     command + ": confirm with --yes (stdin is not a terminal)");
  }
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::string answer;
  std::getline(std::cin, answer);
  if (answer != "y" && answer != "yes") {
    return MakeError(ErrorCode::kRefused, command + ": not confirmed");
  }
  return {};
}

}  // namespace tresor::cli
