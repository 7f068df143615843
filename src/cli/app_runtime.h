// The command-line definitions of render and run.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/commands.h"

namespace tresor::cli {

struct RuntimeCommands {
  RuntimeOptions options;
  CLI::App* render = nullptr;
  CLI::App* run = nullptr;
};

void AddRuntimeCommands(CLI::App& app, RuntimeCommands& commands);

// Runs render or run if one was parsed; nothing if neither was.
std::optional<Result<void>> RunRuntimeCommands(RuntimeCommands& commands);

// The exit code for a failed run: 127 if CMD was not found, 126 if it could
// not be executed (as shells and env(1)), else `reported`.
int RunFailureExitCode(const Error& error, int reported);

}  // namespace tresor::cli
