// Writing a value sops decrypted back into its file: the literal its sops
// type asks for in the file's syntax (numbers and booleans bare in YAML and
// JSON, YAML strings bare when YAML reads them back unchanged, every other
// string quoted and escaped by the format).
#pragma once

#include <string>
#include <string_view>

#include "formats/format.h"

namespace tresor::sops {

// `plain` as a literal of `format` for sops type `enc_type` (str, int,
// float, bool, bytes, time).
std::string PlainLiteral(const formats::Format& format, std::string_view enc_type,
                         std::string_view plain);

}  // namespace tresor::sops
