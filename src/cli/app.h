// Parses the command line of `tresor` and runs the chosen subcommand.
// Returns the process exit code (see exit_codes.h); errors go to stderr.
#pragma once

namespace tresor::cli {

int RunApp(int argc, char** argv);

}  // namespace tresor::cli
