// What a sops file says about itself: the `sops` map of a YAML, JSON or
// binary file, the `sops_*` lines of a dotenv file, the [sops] section of
// an INI file (getsops/sops stores/*). Only age keys can be opened here;
// the other kinds of key are counted so that a user is told about them.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::sops {

struct AgeKey {
  std::string recipient;  // "age1..."
  std::string enc;        // an armored age file: the data key, or a Shamir share
};

struct KeyGroup {
  std::vector<AgeKey> age;
  std::set<std::string> other_kinds;  // "pgp", "kms", ... that the group lists too
};

struct Metadata {
  // One group, unless the file uses key_groups; then any shamir_threshold
  // of them rebuild the data key.
  std::vector<KeyGroup> groups;
  int shamir_threshold = 0;  // 0: a single group holds the whole key
  std::string lastmodified;  // RFC 3339, the MAC's associated data
  std::string mac;           // ENC[...] of the MAC in uppercase hex
  bool mac_only_encrypted = false;
  std::string version;
};

// One metadata leaf: its keys below `sops` ("[N]" for a list index), and
// its text as a reader sees it.
struct MetadataEntry {
  std::vector<std::string> keys;
  std::string value;
};

// The keys of a flattened metadata name ("age__list_0__map_enc" of dotenv
// and INI files): {"age", "[0]", "enc"}.
std::vector<std::string> UnflattenKey(std::string_view name);

// kIntegrity "sops metadata: WHAT" when keys or the MAC are missing or
// malformed.
Result<Metadata> ParseMetadata(const std::vector<MetadataEntry>& entries);

}  // namespace tresor::sops
