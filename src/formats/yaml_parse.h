// The two YAML parsers behind formats::Yaml(). The simple scanner reads the
// plain block YAML most configuration files are (nested mappings, sequences
// of scalars, single-line scalars, comments) an order of magnitude faster
// than libfyaml, and declines anything else; the event walker reads all of
// YAML through libfyaml. Where the scanner accepts a text, both give the same
// Document (yaml_fuzz checks this on every input).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.h"
#include "formats/document.h"

namespace tresor::formats {

inline constexpr std::string_view kYamlHeaderKey = "tresor";
// Collections nest at most this deep (as JSON and TOML documents).
inline constexpr size_t kMaxYamlDepth = 256;

// What the parsers report beyond the values: whether the last document's
// root is a block mapping with keys, and at which column its keys are.
struct YamlRoot {
  std::optional<size_t> block_mapping_indent;
};

// Fills doc.values and doc.header from a text in the simple subset, or
// returns nullopt (doc then holds partial results) if the text is outside it.
std::optional<YamlRoot> ScanSimpleYaml(std::string_view text, Document& doc);

// Fills doc.values and doc.header through libfyaml; a kSyntax error with
// line:col for malformed YAML.
Result<YamlRoot> WalkYamlEvents(std::string_view text, Document& doc);

// The YAML 1.2 core schema type of a plain scalar.
ValueType YamlPlainType(std::string_view s);

// The text of a well-formed single-quoted scalar, quotes included: '' is a
// quote, and lines fold as in any flow scalar. Not libfyaml's: its text of
// five or more '' in a row leaks memory (libfyaml#233, fixed after 0.7.12).
std::string SingleQuotedText(std::string_view literal);

}  // namespace tresor::formats
