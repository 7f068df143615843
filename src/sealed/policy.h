// Which values to seal and in which group: what `.tresor.toml` rules or the
// command line say (by default every value, the file's own groups).
#pragma once

#include <regex.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "age/recipient.h"
#include "crypto/result.h"

namespace tresor::sealed {

// A group as a policy plans it.
struct GroupPlan {
  std::string name;
  // Path patterns (docs/rules.md): a value under one belongs to this group.
  // Empty for the default group, which takes every other value.
  std::vector<std::string> subtrees;
  // Who the data key is wrapped for, and how the header lists them ("age1…",
  // "scrypt"). Empty when the policy does not say (the file's list is kept).
  std::vector<std::shared_ptr<const age::Recipient>> recipients;
  std::vector<std::string> recipient_names;
};

// A POSIX extended regular expression; a leading "(?i)" makes it ignore case.
class KeyPattern {
 public:
  static Result<KeyPattern> Compile(const std::string& pattern);
  bool Matches(const std::string& key) const;

 private:
  explicit KeyPattern(std::shared_ptr<const regex_t> regex) : regex_(std::move(regex)) {}
  std::shared_ptr<const regex_t> regex_;
};

// True if `path` is `pattern` or below it: the pattern's dot-separated
// segments match the path's first segments as fnmatch(3) globs
// ("backend_*", "servers[*].password"; "[*]" is any array index).
bool PathUnder(std::string_view path, std::string_view pattern);

struct Policy {
  // Groups and their recipients; groups[0] is the default.
  std::vector<GroupPlan> groups;
  // Whether `groups` say where values belong (rules do). If not, values stay
  // in the file's groups and a new one joins its nearest sealed neighbour's.
  bool assigns_groups = false;
  std::optional<KeyPattern> keys;         // seal only values whose key matches
  std::optional<KeyPattern> except_keys;  // and never values whose key matches this
  std::vector<std::string> only;          // seal only values under these patterns
  // Seal exactly these paths (an import keeps what the other tool encrypted).
  std::optional<std::set<std::string>> exactly;
  // Sealing a value of a [secrets] table written "[value]" (WSO2's cipher
  // tool's mark for a plaintext secret) keeps "value": the file then no
  // longer unseals byte for byte. The CLI sets it; off, sealing is exact.
  bool cipher_tool_markers = false;

  bool Seals(std::string_view path) const;
  // The group `path` belongs to; nullptr if the policy does not assign groups.
  const GroupPlan* GroupFor(std::string_view path) const;
  const GroupPlan* Find(std::string_view name) const;
};

}  // namespace tresor::sealed
