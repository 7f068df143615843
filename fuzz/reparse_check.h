// A check shared by the targets for other tools' files (sops, dotenvx): the
// plaintext of a file that opened parses again in its format, with a value
// at every path reported as encrypted. Traps otherwise.
#pragma once

#include <string>
#include <vector>

#include "formats/format.h"

inline void CheckReparses(const tresor::formats::Format& format, const std::string& plaintext,
                          const std::vector<std::string>& paths) {
  auto again = format.Parse(plaintext);
  if (!again) __builtin_trap();
  for (const std::string& path : paths) {
    bool found = false;
    for (const auto& v : again->values) found = found || v.path == path;
    if (!found) __builtin_trap();
  }
}
