#include "sops/data_key.h"

#include <set>
#include <string>
#include <vector>

#include "crypto/shamir.h"

namespace tresor::sops {
namespace {

// A recipient as a message names it: post-quantum ones run to 2,000
// characters and are not what the user can act on.
std::string Described(const std::string& recipient) {
  if (!recipient.starts_with("age1pq1")) return recipient;
  return recipient.substr(0, 24) + "... (post-quantum, which tresor cannot open yet)";
}

Error NoKey(const Metadata& m, const Error& first_error) {
  if (first_error.code != ErrorCode::kNoMatch) return first_error;
  std::string listed;
  std::set<std::string> others;
  for (const KeyGroup& g : m.groups) {
    for (const AgeKey& k : g.age) listed += (listed.empty() ? "" : ", ") + Described(k.recipient);
    others.insert(g.other_kinds.begin(), g.other_kinds.end());
  }
  std::string message = "no identity opens the sops data key; the file is for " +
                        (listed.empty() ? std::string("no age recipient") : listed);
  if (!others.empty()) {
    std::string kinds;
    for (const std::string& k : others) kinds += (kinds.empty() ? "" : ", ") + k;
    message += " (and " + kinds + " keys, which tresor cannot use)";
  }
  return MakeError(ErrorCode::kNoMatch, message);
}

// The first key of `group` that opens: its `size` bytes.
Result<crypto::SecretBytes> OpenGroup(const KeyGroup& group, size_t size, const Unwrap& unwrap,
                                      Error& first_error) {
  for (const AgeKey& key : group.age) {
    auto opened = unwrap(key, size);
    if (opened) return opened;
    if (first_error.code == ErrorCode::kNoMatch) first_error = std::move(opened).error();
  }
  return first_error;
}

}  // namespace

Result<crypto::SecretBytes> RecoverDataKey(const Metadata& m, const Unwrap& unwrap) {
  Error first_error{ErrorCode::kNoMatch, ""};
  if (m.shamir_threshold == 0) {
    auto key = OpenGroup(m.groups.front(), kDataKeySize, unwrap, first_error);
    if (!key) return NoKey(m, first_error);
    return key;
  }
  std::vector<crypto::SecretBytes> shares;
  for (const KeyGroup& g : m.groups) {
    auto share = OpenGroup(g, kDataKeySize + 1, unwrap, first_error);
    if (share) shares.push_back(std::move(*share));
    if (static_cast<int>(shares.size()) == m.shamir_threshold) break;
  }
  if (static_cast<int>(shares.size()) < m.shamir_threshold) {
    Error e = NoKey(m, first_error);
    e.message = "the file needs " + std::to_string(m.shamir_threshold) + " of its " +
                std::to_string(m.groups.size()) + " key groups and " +
                std::to_string(shares.size()) + " opened: " + e.message;
    return e;
  }
  return crypto::CombineShares(shares);
}

}  // namespace tresor::sops
