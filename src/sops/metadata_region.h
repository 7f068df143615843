// Where a sops file's metadata sits in its text, so that it can be cut out
// without re-serialising the rest: the top-level `sops:` block of YAML, the
// "sops" member of a JSON object (with its comma), the [sops] section of
// INI, the sops_* lines of dotenv.
#pragma once

#include <string_view>
#include <vector>

#include "crypto/result.h"
#include "formats/document.h"

namespace tresor::sops {

// The byte ranges to remove, sorted and disjoint. `metadata_values` are the
// dotenv values that belong to the metadata (their entries are removed).
// kIntegrity when the file has no metadata where its format keeps it.
Result<std::vector<formats::Span>> YamlMetadataRegion(std::string_view text);
Result<std::vector<formats::Span>> JsonMetadataRegion(std::string_view text);
Result<std::vector<formats::Span>> IniMetadataRegion(std::string_view text);
std::vector<formats::Span> DotenvMetadataRegion(
    const std::vector<const formats::Value*>& metadata_values);

}  // namespace tresor::sops
