// Reading a sops-encrypted file (getsops/sops) whose data key is wrapped for
// age recipients: the data key is recovered (Shamir key groups included),
// every ENC[...] value opened, sops's MAC checked, and the file returned as
// `sops -d` prints it: the same text with the values in plaintext and the
// sops metadata removed. Nothing is re-serialised: values are spliced into
// the original text, so formatting, order and comments stay.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "formats/format.h"
#include "sops/data_key.h"
#include "sops/metadata.h"

namespace tresor::sops {

enum class InputType { kYaml, kJson, kDotenv, kIni, kBinary };

// What sops infers from a file name: .yaml .yml, .json, .env, .ini, and
// binary (a JSON document holding `data`) for anything else.
InputType InputTypeForFile(std::string_view path);
// "yaml", "json", "dotenv", "ini", "binary"; kInvalidArgument otherwise.
Result<InputType> InputTypeByName(std::string_view name);
// The format a type is parsed with (binary files are JSON).
const formats::Format& FormatOf(InputType type);

struct OpenOptions {
  bool verify_mac = true;  // false: sops's --ignore-mac
};

struct Opened {
  // The file with its values in plaintext and no sops metadata; for a binary
  // file, the bytes it holds.
  std::string plaintext;
  // The paths (formats canonical paths) of the values sops had encrypted,
  // in file order: what an import seals.
  std::vector<std::string> encrypted;
  // Every age recipient the file lists, in file order, once each.
  std::vector<std::string> recipients;
  Metadata metadata;
};

// Errors: kSyntax for a file that does not parse, kIntegrity for missing or
// malformed metadata, a value that does not open or a MAC that does not
// match (each "LINE:COL: ..." where a value is at fault), kNoMatch when no
// identity opens the data key (naming the file's recipients).
Result<Opened> Open(InputType type, std::string_view text, const Unwrap& unwrap,
                    const OpenOptions& options = {});

}  // namespace tresor::sops
