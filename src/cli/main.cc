#include <cstdio>

#include "cli/app.h"
#include "crypto/hardening.h"

int main(int argc, char** argv) {
  // Keys and plaintext pass through this process: no core dumps, no ptrace.
  if (auto hardened = tresor::crypto::HardenProcess(); !hardened) {
    std::fprintf(stderr, "tresor: warning: %s\n", hardened.error().message.c_str());
  }
  return tresor::cli::RunApp(argc, argv);
}
