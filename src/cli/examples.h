// Two or three real examples at the end of each command's --help.
#pragma once

#include <CLI/CLI.hpp>

namespace tresor::cli {

// Appends "Examples:" to the help of every command `app` has built so far
// (after any footer of its own). tests/cli/usage_test.py checks that every
// command has them, and that each example uses only the command's options.
void AddExamples(CLI::App& app);

}  // namespace tresor::cli
