// References inside configuration values (docs/references.md):
//   $secret{alias}  a value of the [secrets] table (sealed, this file or --secrets)
//   $env{VAR}       an environment variable
//   $sys{prop}      a property from -Dprop=value or --properties FILE
//   $file{path}     a file's content (relative to the configuration file)
//   $store{path#field}  a field of a secret on the server (store_reader.h)
//   $$              a literal '$'
// A '$' followed by anything else stays as it is; a reference of any other
// kind ($foo{...}) is an error, never passed through.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/result.h"

namespace tresor::runtime {

struct ReferenceSources {
  // The value of a [secrets] alias, or nullopt if there is none.
  std::function<std::optional<std::string>(std::string_view alias)> secret;
  // $store{name}: the field, or an error starting with `reference`; null: a
  // $store reference is an error.
  std::function<Result<std::string>(std::string_view reference, std::string_view name)> store;
  std::map<std::string, std::string, std::less<>> properties;  // $sys
  std::string base_dir = ".";                                  // $file{relative}
};

// True if `value` holds a '$' (and may need resolving).
inline bool MayHaveReferences(std::string_view value) {
  return value.find('$') != std::string_view::npos;
}

// `value` with every reference replaced. Errors (kNotFound for a reference
// that names nothing, kInvalidArgument for a malformed or unknown one) start
// with the reference itself, e.g. "$env{DB_HOST}: not set"; they never hold
// a resolved value.
Result<std::string> ResolveReferences(std::string_view value, const ReferenceSources& sources);

// Reads a whole file of at most `max_size` bytes: kIo "PATH: cannot open"
// or "PATH: read failed", kInvalidArgument "PATH: larger than N bytes".
Result<std::string> ReadFileText(const std::string& path, size_t max_size);

// Reads a properties file for $sys: `name=value` lines (or `name: value`),
// '#' and '!' comments, blank lines. Errors name the line.
Result<void> ReadProperties(std::string_view text, const std::string& name,
                            std::map<std::string, std::string, std::less<>>* into);

}  // namespace tresor::runtime
