// tresor import: a file another tool encrypted becomes a sealed file with
// the same formatting and the same readers (sops, ansible-vault, dotenvx).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/sops_reader.h"

namespace tresor::cli {

struct ImportOptions {
  SopsReadOptions read;
  std::vector<std::string> recipients;  // -r: instead of the file's own
  std::string output;                   // -o; "" = stdout (unless in_place)
  bool in_place = false;
  bool summary = false;
  // ansible-vault
  std::optional<std::string> vault_password_file;  // else $ANSIBLE_VAULT_PASSWORD_FILE, a prompt
  bool to_stdout = false;                          // print the plaintext instead
  std::string format;                              // of the vault's plaintext; "" = from the name
  // dotenvx
  std::string env_keys_file;  // its private keys; "" = .env.keys beside the file, if there
};

struct ImportCommands {
  ImportOptions options;
  CLI::App* import = nullptr;
  CLI::App* sops = nullptr;
  CLI::App* ansible = nullptr;
  CLI::App* dotenvx = nullptr;
};

void AddImportCommands(CLI::App& app, ImportCommands& commands);

// Runs the import command that was parsed; nothing if none was.
std::optional<Result<void>> RunImportCommands(const ImportCommands& commands);

// tresor import sops FILE.
Result<void> RunImportSops(const ImportOptions& options);
// tresor import ansible-vault FILE.
Result<void> RunImportAnsible(const ImportOptions& options);
// tresor import dotenvx FILE.
Result<void> RunImportDotenvx(const ImportOptions& options);

}  // namespace tresor::cli
