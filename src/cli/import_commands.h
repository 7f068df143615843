// tresor import: a file another tool encrypted becomes a sealed file with
// the same formatting and the same readers (sops today).
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
};

struct ImportCommands {
  ImportOptions options;
  CLI::App* import = nullptr;
  CLI::App* sops = nullptr;
};

void AddImportCommands(CLI::App& app, ImportCommands& commands);

// Runs the import command that was parsed; nothing if none was.
std::optional<Result<void>> RunImportCommands(const ImportCommands& commands);

// tresor import sops FILE.
Result<void> RunImportSops(const ImportOptions& options);

}  // namespace tresor::cli
