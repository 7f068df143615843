// The command-line definitions of login, kv, token, policy, operator and status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "cli/client_commands.h"
#include "cli/migrate_command.h"
#include "cli/snapshot_command.h"

namespace tresor::cli {

struct ClientCommands {
  ClientOptions options;
  std::string versions;  // --versions 1,2,3 before parsing into options.versions
  std::vector<std::pair<CLI::App*, Result<void> (*)(const ClientOptions&)>> leaves;
  MigrateOptions migrate;
  CLI::App* migrate_command = nullptr;
  CLI::App* unwrap_command = nullptr;
  SnapshotOptions snapshot;
  CLI::App* snapshot_save = nullptr;
  CLI::App* snapshot_restore = nullptr;
};

void AddClientCommands(CLI::App& app, ClientCommands& commands);

// Adds a subcommand of `parent` that runs `run` (with --address, --ca-cert
// and, if asked, --json).
using Leaf = std::function<CLI::App*(CLI::App* parent, const char* name, const char* help,
                                     Result<void> (*run)(const ClientOptions&), bool json)>;
// tresor operator migrate and snapshot save|restore, under `op` (app_stores.cc).
void AddStoreCommands(CLI::App* op, ClientCommands& commands);
// tresor transit (app_transit.cc).
void AddTransitCommands(CLI::App& app, ClientOptions& options, const Leaf& leaf);

// Runs the client command that was parsed; nothing if none was. Overwrites
// kv put values given on the command line in the process's argv.
std::optional<Result<void>> RunClientCommands(ClientCommands& commands, int argc, char** argv);

}  // namespace tresor::cli
