#include "sealed/policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <utility>

#include "formats/document.h"

namespace tresor::sealed {

Result<KeyPattern> KeyPattern::Compile(const std::string& pattern) {
  int flags = REG_EXTENDED | REG_NOSUB;
  std::string body = pattern;
  if (body.starts_with("(?i)")) {
    body.erase(0, 4);
    flags |= REG_ICASE;
  }
  auto regex = std::make_unique<regex_t>();
  if (const int rc = regcomp(regex.get(), body.c_str(), flags); rc != 0) {
    char message[256];
    regerror(rc, regex.get(), message, sizeof(message));
    return MakeError(ErrorCode::kInvalidArgument,
                     "bad key pattern " + pattern + ": " + std::string(message));
  }
  return KeyPattern(std::shared_ptr<const regex_t>(regex.release(), [](const regex_t* r) {
    regfree(const_cast<regex_t*>(r));
    delete r;
  }));
}

bool KeyPattern::Matches(const std::string& key) const {
  return regexec(regex_.get(), key.c_str(), 0, nullptr, 0) == 0;
}

namespace {

// A pattern's segments: split at '.' and before '[' ("a.b[*]" is a, b, [*]).
std::vector<std::string> PatternSegments(std::string_view pattern) {
  std::vector<std::string> out;
  std::string current;
  for (char c : pattern) {
    if ((c == '.' || c == '[') && !current.empty()) out.push_back(std::exchange(current, ""));
    if (c != '.') current += c;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

bool SegmentMatches(const std::string& glob, const std::string& segment) {
  if (glob.starts_with('[')) return glob == "[*]" ? segment.starts_with('[') : glob == segment;
  return !segment.starts_with('[') && fnmatch(glob.c_str(), segment.c_str(), 0) == 0;
}

}  // namespace

bool PathUnder(std::string_view path, std::string_view pattern) {
  auto segments = formats::SplitPath(path);
  const std::vector<std::string> globs = PatternSegments(pattern);
  if (!segments || globs.empty() || globs.size() > segments->size()) return false;
  for (size_t i = 0; i < globs.size(); ++i) {
    if (!SegmentMatches(globs[i], (*segments)[i])) return false;
  }
  return true;
}

bool Policy::Seals(std::string_view path) const {
  if (exactly) return exactly->count(std::string(path)) > 0;
  if (!only.empty() &&
      std::none_of(only.begin(), only.end(), [&](const auto& p) { return PathUnder(path, p); })) {
    return false;
  }
  if (!keys && !except_keys) return true;
  auto segments = formats::SplitPath(path);
  if (!segments) return false;
  // The last key, skipping array indexes: "users[0]" in "db.users[0]" is "users".
  for (auto it = segments->rbegin(); it != segments->rend(); ++it) {
    if (it->starts_with('[')) continue;
    if (except_keys && except_keys->Matches(*it)) return false;
    return !keys || keys->Matches(*it);
  }
  return false;
}

const GroupPlan* Policy::GroupFor(std::string_view path) const {
  if (!assigns_groups || groups.empty()) return nullptr;
  for (const GroupPlan& g : groups) {
    for (const std::string& pattern : g.subtrees) {
      if (PathUnder(path, pattern)) return &g;
    }
  }
  return &groups.front();
}

const GroupPlan* Policy::Find(std::string_view name) const {
  for (const GroupPlan& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

}  // namespace tresor::sealed
