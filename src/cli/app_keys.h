// The command-line definitions of key, keys, agent and server.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "cli/key_commands.h"
#include "cli/server_command.h"

namespace tresor::cli {

struct KeyCommands {
  KeyOptions options;
  // Each leaf command and what runs it.
  std::vector<std::pair<CLI::App*, Result<void> (*)(const KeyOptions&)>> leaves;
  ServerOptions server_options;
  CLI::App* server = nullptr;
  AuditVerifyOptions audit_options;
  CLI::App* audit_verify = nullptr;
};

void AddKeyCommands(CLI::App& app, KeyCommands& commands);

// Runs the key, keys or agent command that was parsed; nothing if none was.
std::optional<Result<void>> RunKeyCommands(KeyCommands& commands, int argc, char** argv);

}  // namespace tresor::cli
