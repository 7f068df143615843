// A configuration file format: parses with source positions and writes the
// few literals tresor adds (tokens, the header entry, a new value). Formats
// are stateless singletons; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "crypto/result.h"
#include "formats/document.h"

namespace tresor::formats {

struct Insertion {
  size_t offset = 0;
  std::string text;
};

// `lines` (each ending in doc.eol) inserted at `offset`, after a line break
// first if `offset` is not at the start of a line (`*added_newline` says so).
Insertion LinesAt(std::string_view text, const Document& doc, size_t offset, std::string_view lines,
                  bool* added_newline = nullptr);

// Where new top-level entries go: before the header entry, else at the end.
size_t EndOfEntries(std::string_view text, const Document& doc);

class Format {
 public:
  virtual ~Format() = default;
  virtual const char* name() const = 0;

  // Finds every scalar value and the header entry. Errors are kSyntax with
  // "LINE:COL: what"; duplicate paths are errors too.
  virtual Result<Document> Parse(std::string_view text) const = 0;

  // The literal for `s`, a token or header string (characters [A-Za-z0-9:_=,-]):
  // bare where the format allows it, else double-quoted. `next` is the byte
  // that will follow the literal ('\n' at the end of the text).
  virtual std::string TokenLiteral(std::string_view s, char next = '\n') const = 0;

  // What a program reading the file sees for a literal: quotes removed,
  // escapes decoded, continuation lines joined.
  virtual std::string Decode(std::string_view literal, ValueType type) const = 0;

  // A string literal for `value`, quoted and escaped as needed.
  virtual std::string Encode(std::string_view value) const = 0;

  // Where to add the header entry for `header` (a header string) to a file
  // that has none. `*added_newline` tells whether a newline was put first
  // because the file did not end with one (the `n` flag).
  // kSyntax if the file has no place for it (a YAML stream whose last
  // document is not a block mapping).
  virtual Result<Insertion> HeaderInsertion(std::string_view text, const Document& doc,
                                            std::string_view header, bool* added_newline) const = 0;

  // Where to add a new entry `path` = `literal` (kNotFound if the format
  // cannot place it, e.g. its parent does not exist).
  virtual Result<Insertion> NewEntry(std::string_view text, const Document& doc,
                                     std::string_view path, std::string_view literal) const = 0;
};

// Declares Format's operations in an adapter class (ini.cc, dotenv.cc, ...).
#define TRESOR_FORMAT_OPERATIONS                                                                  \
  Result<Document> Parse(std::string_view text) const override;                                   \
  std::string TokenLiteral(std::string_view s, char next) const override;                         \
  std::string Decode(std::string_view literal, ValueType type) const override;                    \
  std::string Encode(std::string_view value) const override;                                      \
  Result<Insertion> HeaderInsertion(std::string_view text, const Document& doc,                   \
                                    std::string_view header, bool* added_newline) const override; \
  Result<Insertion> NewEntry(std::string_view text, const Document& doc, std::string_view path,   \
                             std::string_view literal) const override;

const Format& Ini();
const Format& Dotenv();
const Format& Json();
const Format& Toml();
const Format& Yaml();

// "ini", "dotenv", "json", "toml", "yaml"; nullptr if unknown.
const Format* FormatByName(std::string_view name);

// The format for a file name: .ini .cfg .conf, .env (and .env.*), .json, .toml, .yaml .yml.
const Format* FormatForFile(std::string_view path);

}  // namespace tresor::formats
