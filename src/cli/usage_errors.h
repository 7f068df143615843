// Usage errors as a person needs them: an unknown command or option names
// itself and the nearest known one ("unknown command 'decrpyt'; did you
// mean 'decrypt'?"), a command group without its command lists them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tresor::cli {

// The message for a parse error of `argv` against `app`: a better one when
// the arguments show what went wrong, else CLI11's and which --help to see.
std::string DescribeParseError(const CLI::App& app, int argc, char** argv,
                               const CLI::ParseError& error);

// The name among `known` nearest to `typed` (edits, transpositions
// included), if it is near enough to be a typing slip; else "".
std::string Nearest(std::string_view typed, const std::vector<std::string>& known);

}  // namespace tresor::cli
