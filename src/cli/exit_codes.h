// The exit codes of the tresor command, as documented in `tresor --help`.
#pragma once

#include "age/encrypt.h"
#include "crypto/result.h"

namespace tresor::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,   // anything not listed below (refusals, internal errors)
  kExitUsage = 2,     // bad command line or malformed argument
  kExitIo = 3,        // a file could not be read or written
  kExitNoMatch = 4,   // no identity or passphrase opened the file
  kExitCorrupt = 5,   // the file is malformed or was modified (armor, header, MAC, payload)
  kExitNotFound = 6,  // a PATH names no value in the file
};

inline int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kIo:
    case ErrorCode::kUnavailable:
      return kExitIo;
    case ErrorCode::kNoMatch:
      return kExitNoMatch;
    case ErrorCode::kArmor:
    case ErrorCode::kHeader:
    case ErrorCode::kHmac:
    case ErrorCode::kPayload:
    case ErrorCode::kSyntax:
    case ErrorCode::kIntegrity:
      return kExitCorrupt;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kRefused:
    case ErrorCode::kInternal:
    case ErrorCode::kCompacted:
      return kExitFailure;
  }
  return kExitFailure;
}

// Text for the exit-code section of `tresor --help`.
inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  refused or failed (e.g. would overwrite a file, unsafe permissions)\n"
    "  2  usage error: bad option, argument, key or recipient\n"
    "  3  i/o error: a file could not be read or written\n"
    "  4  no identity or passphrase matched the file\n"
    "  5  the file is malformed or was modified (armor, header, MAC, payload,\n"
    "     a config file's syntax, a sealed value or a sealed file's MAC)\n"
    "  6  a PATH names no value in the file\n";

}  // namespace tresor::cli

namespace tresor::cli {

using age::PlaceDecryptError;

}  // namespace tresor::cli
