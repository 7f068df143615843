#include "server/policies.h"

#include <algorithm>
#include <mutex>

#include "formats/ascii.h"
#include "server/records.h"
#include "server/wrapping.h"
#include "server/wrapping.h"

namespace tresor::server {

bool ValidPolicyName(const std::string& name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

namespace {
constexpr std::string_view kPrefix = "policy/";
}  // namespace

PolicyStore::PolicyStore(store::Barrier* barrier) : barrier_(barrier) {
  auto parsed = acl::ParsePolicy(acl::kDefaultPolicy);
  policies_["default"] = Entry{std::string(acl::kDefaultPolicy), std::move(*parsed)};
}

Result<void> PolicyStore::Load() {
  if (barrier_ == nullptr) return {};
  std::map<std::string, Entry> loaded;
  TRESOR_RETURN_IF_ERROR(LoadRecords(
      *barrier_, std::string(kPrefix), [&](const std::string& name, const nlohmann::json& r) {
        const std::string text = r.at("policy").get<std::string>();
        auto parsed = acl::ParsePolicy(text);
        if (!parsed) throw std::invalid_argument("stored policy does not parse");
        loaded[name] = Entry{text, std::move(*parsed)};
      }));
  const std::unique_lock lock(mutex_);
  for (auto& [name, entry] : loaded) policies_[name] = std::move(entry);
  const std::lock_guard cache_lock(cache_mutex_);
  cache_.clear();
  return {};
}

void PolicyStore::Refresh(const std::string& name, uint64_t revision,
                          const std::optional<nlohmann::json>& record) {
  if (barrier_ == nullptr) return;
  const std::unique_lock lock(mutex_);
  if (!barrier_->local_writes().IsNews(std::string(kPrefix) + name, revision)) return;
  policies_.erase(name);
  if (record && record->contains("policy") && (*record)["policy"].is_string()) {
    const std::string text = (*record)["policy"].get<std::string>();
    if (auto parsed = acl::ParsePolicy(text)) policies_[name] = Entry{text, std::move(*parsed)};
  }
  const std::lock_guard cache_lock(cache_mutex_);
  cache_.clear();
}

Result<void> PolicyStore::Put(const std::string& name, const std::string& text) {
  if (name == "root" || name == kWrappingPolicy) {
    return MakeError(ErrorCode::kRefused, "cannot update the " + name + " policy");
  }
  if (!ValidPolicyName(name)) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid policy name \"" + name + "\"");
  }
  auto parsed = acl::ParsePolicy(text);
  if (!parsed)
    return MakeError(parsed.error().code, "failed to parse policy: " + parsed.error().message);
  const std::unique_lock lock(mutex_);
  policies_[name] = Entry{text, std::move(*parsed)};
  if (barrier_ != nullptr) {
    PutRecord(*barrier_, std::string(kPrefix) + name, nlohmann::json{{"policy", text}});
  }
  const std::lock_guard cache_lock(cache_mutex_);
  cache_.clear();
  return {};
}

std::optional<std::string> PolicyStore::Get(const std::string& name) const {
  if (name == "root") return std::string();
  const std::shared_lock lock(mutex_);
  auto it = policies_.find(name);
  if (it == policies_.end()) return std::nullopt;
  return it->second.text;
}

Result<void> PolicyStore::Delete(const std::string& name) {
  if (name == "root" || name == "default") {
    return MakeError(ErrorCode::kRefused, "cannot delete the " + name + " policy");
  }
  const std::unique_lock lock(mutex_);
  if (policies_.erase(name) > 0 && barrier_ != nullptr) {
    (void)barrier_->Delete(std::string(kPrefix) + name);
  }
  const std::lock_guard cache_lock(cache_mutex_);
  cache_.clear();
  return {};
}

std::vector<std::string> PolicyStore::Names() const {
  const std::shared_lock lock(mutex_);
  std::vector<std::string> out{"root"};
  for (const auto& [name, entry] : policies_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<const acl::Acl> PolicyStore::AclFor(const std::vector<std::string>& names) const {
  static const auto root = std::make_shared<const acl::Acl>(acl::Acl::Root());
  if (std::find(names.begin(), names.end(), "root") != names.end()) return root;
  std::string key;
  for (const std::string& name : names) key.append(name).push_back('\n');
  const std::shared_lock lock(mutex_);  // held: a Put cannot clear the cache under us
  {
    const std::lock_guard cache_lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  std::vector<acl::Policy> chosen;
  for (const std::string& name : names) {
    auto it = policies_.find(formats::AsciiLower(name));
    if (it != policies_.end()) chosen.push_back(it->second.parsed);
  }
  auto built = std::make_shared<const acl::Acl>(acl::Acl::FromPolicies(chosen));
  const std::lock_guard cache_lock(cache_mutex_);
  cache_[key] = built;
  return built;
}

}  // namespace tresor::server
