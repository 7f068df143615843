// Core's side of the store's watch: every change, this node's and other
// nodes', reaches the engines' caches in revision order, so that the same
// code is right on one node and on ten; and the revision applied so far,
// which X-Vault-Index reports and waits for.
#include "server/core.h"
#include "server/records.h"

namespace tresor::server {

Result<void> Core::Follow(uint64_t revision) {
  applied_ = revision;
  TRESOR_ASSIGN_OR_RETURN(
      watch_, barrier_->storage().WatchPrefix("", revision,
                                              [this](const store::Change& c) { OnChange(c); }));
  return {};
}

Core::~Core() {
  watch_.reset();  // no change is applied from here on
  std::multimap<uint64_t, Wait> waits;
  {
    const std::lock_guard lock(follow_mutex_);
    waits.swap(waits_);
  }
  for (auto& [revision, wait] : waits) wait.done(false);
}

void Core::OnChange(const store::Change& change) {
  if (change.error) {
    std::multimap<uint64_t, Wait> waits;
    {
      const std::lock_guard lock(follow_mutex_);
      lost_ = change.error->message;
      waits.swap(waits_);
    }
    for (auto& [revision, wait] : waits) wait.done(false);
    return;
  }
  for (const store::Write& w : change.writes) Apply(w.key, change.revision, w.value);
  std::vector<std::function<void(bool)>> ready;
  {
    const std::lock_guard lock(follow_mutex_);
    applied_ = change.revision;
    auto end = waits_.upper_bound(change.revision);
    for (auto it = waits_.begin(); it != end; ++it) ready.push_back(std::move(it->second.done));
    waits_.erase(waits_.begin(), end);
  }
  for (auto& done : ready) done(true);
}

void Core::Apply(const std::string& key, uint64_t revision,
                 const std::optional<store::Bytes>& value) {
  if (MountTable::Owns(key)) {
    mounts_.Changed(key, revision);  // caches drop what changed; nothing to decrypt
    return;
  }
  constexpr std::string_view kTokens = "token/id/", kPolicies = "policy/";
  const bool cached = key.starts_with(kTokens) || key.starts_with(kPolicies) ||
                      key == kAuthMethodsPath || (key.starts_with("auth/") && auth_.Caches(key));
  if (key == store::kKeyringPath) {
    // Another node's rotation: the records it writes now use the new term.
    if (barrier_->local_writes().IsNews(key, revision) && value) (void)barrier_->Adopt(*value);
    return;
  }
  if (!cached) {  // the audit head, the seal: nothing in memory
    (void)barrier_->local_writes().IsNews(key, revision);  // forget this node's note
    return;
  }
  // This node's own write (the usual case on one node) is already in the
  // cache: the refresh below only forgets the note, so nothing is opened.
  std::optional<Json> record;
  if (value && !barrier_->local_writes().Covers(key, revision)) {
    auto plain = barrier_->Open(key, *value);
    if (!plain) return;  // not a record of this keyring: nothing this node can use
    const auto text = plain->Reveal();
    record = Json::parse(text.begin(), text.end(), nullptr, false);
    if (record->is_discarded()) return;
  }
  if (key.starts_with(kTokens)) {
    tokens_.Refresh(key.substr(kTokens.size()), revision, record);
  } else if (key.starts_with(kPolicies)) {
    policies_.Refresh(key.substr(kPolicies.size()), revision, record);
  } else if (key != kAuthMethodsPath) {
    auth_.Changed(key, revision, record);
  } else if (barrier_->local_writes().IsNews(key, revision)) {
    auth_.Reset(record, revision);
  }
}

void Core::WhenApplied(uint64_t revision, std::function<void(bool)> done) {
  std::unique_lock lock(follow_mutex_);
  if (applied_ >= revision || lost_) {
    const bool ok = !lost_;
    lock.unlock();
    done(ok);
    return;
  }
  waits_.emplace(revision, Wait{std::chrono::steady_clock::now(), std::move(done)});
}

void Core::ExpireWaits(std::chrono::steady_clock::time_point before) {
  std::vector<std::function<void(bool)>> expired;
  {
    const std::lock_guard lock(follow_mutex_);
    for (auto it = waits_.begin(); it != waits_.end();) {
      if (it->second.since < before) {
        expired.push_back(std::move(it->second.done));
        it = waits_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& done : expired) done(false);
}

std::optional<std::string> Core::lost() const {
  const std::lock_guard lock(follow_mutex_);
  return lost_;
}

}  // namespace tresor::server
