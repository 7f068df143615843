// The server's named ACL policies: "root" (everything, fixed), "default"
// (acl::kDefaultPolicy; may be rewritten, not deleted) and those written
// through sys/policy and sys/policies/acl. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "acl/acl.h"
#include "store/barrier.h"

namespace tresor::server {

class PolicyStore {
 public:
  // With a barrier, policies are written through it under "policy/".
  explicit PolicyStore(store::Barrier* barrier = nullptr);
  // Reads the stored policies (once, after unsealing).
  Result<void> Load();

  // Parses and stores `text` under `name`. kSyntax with the parser's
  // message; kRefused for "root".
  Result<void> Put(const std::string& name, const std::string& text);
  std::optional<std::string> Get(const std::string& name) const;
  // kRefused for "root" and "default"; deleting a missing one is fine.
  Result<void> Delete(const std::string& name);
  std::vector<std::string> Names() const;  // sorted, "root" included

  // The merged rules of `names` (unknown names contribute nothing), built
  // once per set of names and kept until a policy changes.
  std::shared_ptr<const acl::Acl> AclFor(const std::vector<std::string>& names) const;

  // Applies another node's change to policy `name` (nullopt: deleted).
  void Refresh(const std::string& name, uint64_t revision,
               const std::optional<nlohmann::json>& record);

 private:
  struct Entry {
    std::string text;
    acl::Policy parsed;
  };
  store::Barrier* barrier_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry> policies_;
  // Merged ACLs by their names joined with '\n'; cleared by Put and Delete.
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, std::shared_ptr<const acl::Acl>> cache_;
};

// Policy names: lowercase letters, digits, '-', '_', '.', '/' ; at most 128.
bool ValidPolicyName(const std::string& name);

}  // namespace tresor::server
