// MakePolicy: groups, recipients and selection for a sealed-file command,
// from .tresor.toml, the command line and the file's header.
#include <algorithm>

#include "age/scrypt.h"
#include "age/x25519.h"
#include "cli/recipients.h"
#include "cli/rules.h"
#include "cli/sealed_file_io.h"

namespace tresor::cli {
namespace {

bool HasCommandLineRecipients(const RecipientOptions& to) {
  return !to.recipients.empty() || !to.recipient_files.empty() || !to.identity_files.empty() ||
         !to.key_name.empty() || to.passphrase;
}

// A plan for a header group, from the names the header lists.
Result<sealed::GroupPlan> PlanFromHeader(const sealed::HeaderGroup& group,
                                         const std::string& revoked,
                                         const PassphraseSource& passphrases) {
  sealed::GroupPlan plan{group.name, {}, {}, {}};
  for (const std::string& name : group.recipients) {
    if (name == revoked) continue;
    auto parsed = ParseRecipient(name, &passphrases, group.name);
    if (!parsed) return WithPlace("group " + group.name + " in the header", parsed.error());
    plan.recipients.push_back(std::move(*parsed));
    plan.recipient_names.push_back(name);
  }
  return plan;
}

// True if `plan` listed `revoked` (which it no longer does).
bool Remove(sealed::GroupPlan& plan, const std::string& revoked) {
  bool removed = false;
  for (size_t i = plan.recipient_names.size(); i-- > 0;) {
    if (plan.recipient_names[i] != revoked) continue;
    plan.recipient_names.erase(plan.recipient_names.begin() + static_cast<ptrdiff_t>(i));
    plan.recipients.erase(plan.recipients.begin() + static_cast<ptrdiff_t>(i));
    removed = true;
  }
  return removed;
}

}  // namespace

Result<sealed::Policy> MakePolicy(const SealedCommandOptions& options,
                                  const sealed::SealedFile& file, PolicySources sources) {
  sealed::Policy policy;
  const PassphraseSource passphrases(options.passphrase_file, options.to.work_factor);
  const std::string& target = options.rules_for.empty() ? options.file : options.rules_for;
  if (!options.no_rules) {
    if (auto rules = FindRules(target)) {
      TRESOR_ASSIGN_OR_RETURN(auto from_rules, LoadRulesPolicy(*rules, target, &passphrases));
      if (from_rules) policy = std::move(*from_rules);
    }
  }
  RecipientOptions to = options.to;
  if (sources.identities) to.identity_files = options.identity_files;
  if (!HasCommandLineRecipients(to) && policy.groups.empty() && !policy.assigns_groups) {
    to.key_name = sources.fallback_key;
  }
  if (sources.command_line && HasCommandLineRecipients(to)) {
    TRESOR_ASSIGN_OR_RETURN(auto given, CollectRecipients(to, passphrases));
    if (policy.groups.empty())
      policy.groups.push_back({std::string(sealed::kDefaultGroup), {}, {}, {}});
    sealed::GroupPlan& plan = policy.groups.front();
    plan.recipients.clear();
    plan.recipient_names.clear();
    for (auto& r : given) {
      plan.recipient_names.push_back(r->Name());
      plan.recipients.push_back(std::move(r));
    }
  }
  if (sources.header) {
    for (const sealed::HeaderGroup& group : file.header_groups()) {
      const auto& listed = group.recipients;
      if (!options.revoked.empty() &&
          std::find(listed.begin(), listed.end(), options.revoked) == listed.end()) {
        continue;  // revoke leaves this group alone: no passphrase to ask for
      }
      auto named = std::find_if(policy.groups.begin(), policy.groups.end(),
                                [&](const auto& p) { return p.name == group.name; });
      if (named != policy.groups.end() && !named->recipients.empty()) continue;
      TRESOR_ASSIGN_OR_RETURN(sealed::GroupPlan plan,
                              PlanFromHeader(group, options.revoked, passphrases));
      if (named == policy.groups.end()) {
        policy.groups.push_back(std::move(plan));
      } else {
        named->recipients = std::move(plan.recipients);
        named->recipient_names = std::move(plan.recipient_names);
      }
    }
  }
  policy.cipher_tool_markers = true;  // "[value]" in [secrets]: docs/rules.md
  // --only and --except choose by key as the rules' `keys` does (sops's
  // --encrypted-regex and --unencrypted-regex); --only replaces the rules'.
  if (!options.only_regex.empty()) {
    auto pattern = sealed::KeyPattern::Compile(options.only_regex);
    if (!pattern) return WithPlace("--only", pattern.error());
    policy.keys.emplace(std::move(*pattern));
  }
  if (!options.except_regex.empty()) {
    auto pattern = sealed::KeyPattern::Compile(options.except_regex);
    if (!pattern) return WithPlace("--except", pattern.error());
    policy.except_keys.emplace(std::move(*pattern));
  }
  if (!options.revoked.empty()) {
    // Header plans never hold it (PlanFromHeader skips it): what is removed
    // here came from the rules.
    for (sealed::GroupPlan& plan : policy.groups) {
      if (Remove(plan, options.revoked) && sources.still_listed != nullptr) {
        sources.still_listed->push_back(plan.name);
      }
    }
  }
  return policy;
}

}  // namespace tresor::cli
