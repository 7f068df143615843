// The SealedFile operations on keys: new data keys, rotate, updatekeys,
// revoke.
#include <algorithm>

#include "age/encrypt.h"
#include "sealed/sealed_file.h"
#include "sealed/text_edits.h"

namespace tresor::sealed {

Result<std::vector<uint8_t>> SealedFile::WrapKey(const GroupKey& key, const GroupPlan& plan) {
  if (plan.recipients.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "no recipients for group " + plan.name);
  }
  std::vector<const age::Recipient*> recipients;
  for (const auto& r : plan.recipients) recipients.push_back(r.get());
  age::SpanSource source(key.data_key().Reveal());
  age::VectorSink sink;
  TRESOR_RETURN_IF_ERROR(age::Encrypt(recipients, source, sink));
  return std::move(sink.data());
}

Result<void> SealedFile::NewKey(Group& group, const GroupPlan& plan) {
  GroupKey key = GroupKey::Generate();
  TRESOR_ASSIGN_OR_RETURN(group.header.age_file, WrapKey(key, plan));
  group.header.recipients = plan.recipient_names;
  group.header.public_key = key.public_key();
  if (group.key) group.previous = std::move(group.key);
  group.key = std::move(key);
  return {};
}

Result<std::string> SealedFile::Rotate(const Policy& policy) const {
  TRESOR_CHECK(header_, "Rotate of a file without a header");
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(text_));
  for (Group& g : work.groups_) {
    if (!g.key) {
      return MakeError(ErrorCode::kNoMatch, "no identity opens the data key of group " +
                                                g.header.name + " (rotate needs every group)");
    }
    const GroupPlan* plan = policy.Find(g.header.name);
    if (plan == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument, "no recipients for group " + g.header.name);
    }
    TRESOR_RETURN_IF_ERROR(work.NewKey(g, *plan));
  }
  return work.Build(policy, {.seal_plaintext = false, .regroup = true});
}

Result<std::string> SealedFile::UpdateKeys(const Policy& policy) const {
  TRESOR_CHECK(header_, "UpdateKeys of a file without a header");
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(text_));
  for (Group& g : work.groups_) {
    const GroupPlan* plan = policy.Find(g.header.name);
    if (plan == nullptr || plan->recipients.empty() ||
        plan->recipient_names == g.header.recipients) {
      continue;
    }
    if (!g.key) {
      return MakeError(ErrorCode::kNoMatch, "no identity opens the data key of group " +
                                                g.header.name + ", whose recipients changed");
    }
    TRESOR_ASSIGN_OR_RETURN(g.header.age_file, WrapKey(*g.key, *plan));
    g.header.recipients = plan->recipient_names;
  }
  return work.Build(policy, {.seal_plaintext = false});
}

Result<SealedFile::Revoked> SealedFile::Revoke(std::string_view recipient,
                                               const Policy& policy) const {
  TRESOR_CHECK(header_, "Revoke of a file without a header");
  TRESOR_ASSIGN_OR_RETURN(SealedFile work, Edited(text_));
  Revoked out;
  for (Group& g : work.groups_) {
    const auto& names = g.header.recipients;
    if (std::find(names.begin(), names.end(), recipient) == names.end()) continue;
    if (!g.key) {
      return MakeError(ErrorCode::kNoMatch,
                       "no identity opens the data key of group " + g.header.name);
    }
    const GroupPlan* plan = policy.Find(g.header.name);
    if (plan == nullptr || plan->recipients.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "revoking " + std::string(recipient) + " would leave group " +
                           g.header.name + " with no recipient; add one first (updatekeys -r)");
    }
    TRESOR_RETURN_IF_ERROR(work.NewKey(g, *plan));
    out.groups.push_back(g.header.name);
  }
  if (out.groups.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     std::string(recipient) + ": not a recipient of any group of this file");
  }
  for (const formats::Value& v : doc_.values) {
    const auto token = TokenOf(Text(text_, v.literal));
    if (!token) continue;
    const auto peek = PeekToken(*token);
    if (peek && std::find(out.groups.begin(), out.groups.end(), peek->group) != out.groups.end()) {
      out.paths.push_back(v.path);
    }
  }
  TRESOR_ASSIGN_OR_RETURN(out.text, work.Build(policy, {.seal_plaintext = false}));
  return out;
}

}  // namespace tresor::sealed
