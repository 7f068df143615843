// libfyaml access for the YAML adapter: a parser that reports its first
// error as "line:col: message" instead of printing it, and the input check
// that keeps libfyaml 0.7.12 away from byte sequences it mishandles.
#pragma once

#include <libfyaml.h>

#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::formats {

// A libfyaml event parser over `text` (which must outlive it).
class FyamlParser {
 public:
  explicit FyamlParser(std::string_view text);
  FyamlParser(const FyamlParser&) = delete;
  FyamlParser& operator=(const FyamlParser&) = delete;
  ~FyamlParser();
  fy_parser* get() const { return parser_; }

  // The first error as a kSyntax "line:col: message".
  Error error(std::string_view text) const;

 private:
  fy_diag* diag_ = nullptr;
  fy_parser* parser_ = nullptr;
  std::string first_error_;
};

// YAML is Unicode text. libfyaml 0.7.12 reads some other byte sequences
// differently once a value changes, and loops forever on a code point past
// U+10FFFF in a directive (found by yaml_fuzz), so only well-formed UTF-8
// without NUL reaches it (kSyntax otherwise).
Result<void> RejectNonUnicode(std::string_view text);

}  // namespace tresor::formats
