// Shell completion scripts for bash, zsh and fish, generated from the
// command definitions themselves (so they cannot drift from --help):
// subcommands, flags, and values for the options that have known ones
// (keyring key names for --key, formats for --format, files for FILE).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "crypto/result.h"

namespace tresor::cli {

// The script for `shell` ("bash", "zsh" or "fish"); kInvalidArgument for
// another.
Result<std::string> CompletionScript(const CLI::App& app, const std::string& shell);

}  // namespace tresor::cli
