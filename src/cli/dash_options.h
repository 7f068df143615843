// Vault's CLI takes long options after one dash (-method=userpass,
// -mount=secret, -field=password); tresor's take two. So that a Vault
// user's habits work, one dash is read as two for the long options tresor
// has.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tresor::cli {

// `argv` with each "-NAME" or "-NAME=VALUE" written "--NAME..." where NAME
// (two characters or more) is a long option of `app` or of one of its
// commands; nothing after "--" is changed.
std::vector<std::string> WithDoubleDashes(const CLI::App& app, int argc, char** argv);

}  // namespace tresor::cli
