// The command-line definitions of the sealed-file commands.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/commands.h"

namespace tresor::cli {

struct SealedCommands {
  SealedCommandOptions options;
  std::string value_arg;  // set VALUE, moved into options.value after parsing
  CLI::App* seal = nullptr;
  CLI::App* unseal = nullptr;
  CLI::App* get = nullptr;
  CLI::App* set = nullptr;
  CLI::App* unset = nullptr;
  CLI::App* edit = nullptr;
  CLI::App* rotate = nullptr;
  CLI::App* updatekeys = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* inspect = nullptr;
  GitOptions git;
  CLI::App* git_setup = nullptr;
  CLI::App* git_textconv = nullptr;
  CLI::App* git_merge = nullptr;
};

void AddSealedCommands(CLI::App& app, SealedCommands& commands);

// Runs the sealed-file command that was parsed; nothing if none was. Wipes
// a VALUE given on the command line from the process's argv.
std::optional<Result<void>> RunSealedCommands(SealedCommands& commands, int argc, char** argv);

}  // namespace tresor::cli
