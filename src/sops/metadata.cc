#include "sops/metadata.h"

#include <charconv>
#include <map>
#include <optional>

namespace tresor::sops {
namespace {

constexpr size_t kMaxIndex = 1000;

Error Bad(const std::string& what) {
  return MakeError(ErrorCode::kIntegrity, "sops metadata: " + what);
}

// "[N]" as N, if it is an index this reader accepts.
std::optional<size_t> IndexOf(std::string_view key) {
  if (key.size() < 3 || key.front() != '[' || key.back() != ']') return std::nullopt;
  size_t n = 0;
  const char* first = key.data() + 1;
  const char* last = key.data() + key.size() - 1;
  auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || end != last || n >= kMaxIndex) return std::nullopt;
  return n;
}

bool IsKeyKind(std::string_view key) {
  return key == "pgp" || key == "kms" || key == "gcp_kms" || key == "azure_kv" ||
         key == "hc_vault" || key == "age";
}

// Groups as they are being read: age keys by index.
struct PendingGroup {
  std::map<size_t, AgeKey> age;
  std::set<std::string> other_kinds;
};

// keys[at..] = KIND [I] FIELD inside one key group.
Result<void> AddKey(PendingGroup& group, const std::vector<std::string>& keys, size_t at,
                    const std::string& value) {
  const std::string& kind = keys[at];
  if (kind != "age") {
    group.other_kinds.insert(kind);
    return {};
  }
  auto index = keys.size() == at + 3 ? IndexOf(keys[at + 1]) : std::nullopt;
  if (!index) return Bad("an age key is age[N].recipient or age[N].enc");
  AgeKey& key = group.age[*index];
  if (keys[at + 2] == "recipient") key.recipient = value;
  if (keys[at + 2] == "enc") key.enc = value;
  return {};
}

}  // namespace

std::vector<std::string> UnflattenKey(std::string_view name) {
  std::vector<std::string> keys;
  while (true) {
    const size_t sep = name.find("__");
    std::string_view part = name.substr(0, sep);
    if (part.starts_with("list_")) {
      std::string index(1, '[');
      index.append(part.substr(5));
      index.push_back(']');
      keys.push_back(std::move(index));
    } else if (part.starts_with("map_")) {
      keys.emplace_back(part.substr(4));
    } else {
      keys.emplace_back(part);
    }
    if (sep == std::string_view::npos) return keys;
    name.remove_prefix(sep + 2);
  }
}

Result<Metadata> ParseMetadata(const std::vector<MetadataEntry>& entries) {
  Metadata m;
  PendingGroup single;
  std::map<size_t, PendingGroup> groups;
  std::string threshold;
  for (const MetadataEntry& e : entries) {
    if (e.keys.empty()) continue;
    const std::string& first = e.keys.front();
    if (first == "key_groups") {
      auto index = e.keys.size() >= 3 ? IndexOf(e.keys[1]) : std::nullopt;
      if (!index || !IsKeyKind(e.keys[2])) return Bad("key_groups[N] holds lists of keys");
      TRESOR_RETURN_IF_ERROR(AddKey(groups[*index], e.keys, 2, e.value));
    } else if (IsKeyKind(first)) {
      TRESOR_RETURN_IF_ERROR(AddKey(single, e.keys, 0, e.value));
    } else if (e.keys.size() != 1) {
      continue;  // a field of a newer sops: not needed to read the file
    } else if (first == "lastmodified") {
      m.lastmodified = e.value;
    } else if (first == "mac") {
      m.mac = e.value;
    } else if (first == "mac_only_encrypted") {
      m.mac_only_encrypted = e.value == "true" || e.value == "True";
    } else if (first == "version") {
      m.version = e.value;
    } else if (first == "shamir_threshold") {
      threshold = e.value;
    }
  }
  std::vector<PendingGroup> pending;
  if (!groups.empty()) {
    if (!single.age.empty() || !single.other_kinds.empty()) {
      return Bad("keys both in key_groups and outside them");
    }
    for (auto& [index, group] : groups) pending.push_back(std::move(group));
  } else {
    pending.push_back(std::move(single));
  }
  for (PendingGroup& p : pending) {
    KeyGroup g;
    g.other_kinds = std::move(p.other_kinds);
    for (auto& [index, key] : p.age) {
      if (key.recipient.empty() || key.enc.empty()) {
        return Bad("age key " + std::to_string(index) + " lacks its recipient or enc");
      }
      g.age.push_back(std::move(key));
    }
    m.groups.push_back(std::move(g));
  }
  if (m.groups.size() > 1) {
    m.shamir_threshold = static_cast<int>(m.groups.size());  // sops's default: all of them
    if (!threshold.empty()) {
      int t = 0;
      auto [end, ec] = std::from_chars(threshold.data(), threshold.data() + threshold.size(), t);
      if (ec != std::errc() || end != threshold.data() + threshold.size() || t < 2 ||
          t > static_cast<int>(m.groups.size())) {
        return Bad("shamir_threshold \"" + threshold + "\" is not 2 to the number of key groups");
      }
      m.shamir_threshold = t;
    }
  }
  if (m.mac.empty()) return Bad("no mac");
  if (m.lastmodified.empty()) return Bad("no lastmodified");
  return m;
}

}  // namespace tresor::sops
