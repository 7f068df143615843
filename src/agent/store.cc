#include "agent/store.h"

#include <algorithm>

#include "keys/identity_file.h"

namespace tresor::agent {

Store::Entry* Store::Find(const std::string& name) {
  for (Entry& e : entries_) {
    if (e.info.name == name) return &e;
  }
  return nullptr;
}

Result<void> Store::Open(Entry& entry, crypto::SecretBytes passphrase, int64_t now) {
  // The passphrase is asked for once, by the client that sent it.
  auto given = std::make_shared<crypto::SecretBytes>(std::move(passphrase));
  keys::PassphraseFn fn = [given](const std::string&) -> Result<crypto::SecretBytes> {
    if (given->empty()) return MakeError(ErrorCode::kRefused, "a passphrase is needed");
    return std::move(*given);
  };
  TRESOR_ASSIGN_OR_RETURN(auto ids, keys::ParseIdentityBytes(entry.sealed, entry.info.name, fn));
  entry.info.recipient = ids.front().ToRecipient().String();
  entry.identities = std::move(ids);
  entry.info.locked = false;
  entry.info.expires_at = entry.ttl > 0 ? now + entry.ttl : 0;
  entry.last_used = now;
  return {};
}

void Store::Wipe(Entry& entry) {
  entry.identities.clear();  // SecretBytes wipe the scalars
  entry.info.locked = true;
}

Result<std::vector<std::string>> Store::Add(const std::string& name, crypto::SecretBytes content,
                                            crypto::SecretBytes passphrase, int64_t ttl,
                                            int64_t idle, int64_t now) {
  Entry entry;
  entry.info.name = name;
  entry.info.is_protected = keys::IsProtectedIdentity(content);
  entry.info.idle_seconds = idle;
  entry.ttl = ttl;
  entry.sealed = crypto::SecretBytes::CopyOf(content.Reveal(), crypto::Lifetime::kLong);
  TRESOR_RETURN_IF_ERROR(Open(entry, std::move(passphrase), now));
  // A plain file's bytes are the key itself: keep only the parsed keys.
  if (!entry.info.is_protected) entry.sealed = crypto::SecretBytes();
  std::vector<std::string> recipients;
  for (const auto& id : entry.identities) recipients.push_back(id.ToRecipient().String());
  if (Entry* old = Find(name)) {
    *old = std::move(entry);
  } else {
    entries_.push_back(std::move(entry));
  }
  return recipients;
}

Result<UnwrapOutcome> Store::Unwrap(std::span<const age::Stanza> stanzas, int64_t now,
                                    crypto::SecretBytes* file_key, std::string* name) {
  Expire(now);
  bool any_locked = false;
  for (Entry& e : entries_) {
    any_locked = any_locked || e.info.locked;
    for (const auto& id : e.identities) {
      TRESOR_ASSIGN_OR_RETURN(auto key, id.Unwrap(stanzas));
      if (key) {
        *file_key = std::move(*key);
        *name = e.info.name;
        e.last_used = now;
        return UnwrapOutcome::kMatched;
      }
    }
  }
  return any_locked ? UnwrapOutcome::kLocked : UnwrapOutcome::kNoMatch;
}

Result<void> Store::Remove(const std::string& name) {
  if (name.empty()) {
    entries_.clear();
    tokens_.clear();
    return {};
  }
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.info.name == name; });
  if (it == entries_.end()) {
    return MakeError(ErrorCode::kNotFound, name + ": not in the agent");
  }
  entries_.erase(it);
  return {};
}

void Store::Lock() {
  tokens_.clear();
  std::erase_if(entries_, [](const Entry& e) { return !e.info.is_protected; });
  for (Entry& e : entries_) Wipe(e);
}

Result<void> Store::Unlock(const std::string& name, crypto::SecretBytes passphrase, int64_t now) {
  Entry* e = Find(name);
  if (e == nullptr) return MakeError(ErrorCode::kNotFound, name + ": not in the agent");
  if (!e->info.locked) return {};
  return Open(*e, std::move(passphrase), now);
}

std::vector<std::string> Store::Expire(int64_t now) {
  std::vector<std::string> wiped;
  for (Entry& e : entries_) {
    if (e.info.locked) continue;
    const bool absolute = e.info.expires_at > 0 && now >= e.info.expires_at;
    const bool idle = e.info.idle_seconds > 0 && now - e.last_used >= e.info.idle_seconds;
    if (absolute || idle) {
      Wipe(e);
      wiped.push_back(e.info.name);
    }
  }
  // Expired plain entries cannot be unlocked again: they go.
  std::erase_if(entries_, [](const Entry& e) { return e.info.locked && !e.info.is_protected; });
  std::erase_if(tokens_, [&](const TokenEntry& t) {
    if (t.expires_at == 0 || now < t.expires_at) return false;
    wiped.push_back("token for " + t.address);
    return true;
  });
  return wiped;
}

void Store::SetToken(const std::string& address, crypto::SecretBytes token, int64_t expires_at) {
  std::erase_if(tokens_, [&](const TokenEntry& t) { return t.address == address; });
  tokens_.push_back({address, std::move(token), expires_at});
}

const crypto::SecretBytes* Store::Token(const std::string& address, int64_t now) const {
  for (const TokenEntry& t : tokens_) {
    if (t.address == address && (t.expires_at == 0 || now < t.expires_at)) return &t.token;
  }
  return nullptr;
}

std::vector<EntryInfo> Store::List() const {
  std::vector<EntryInfo> out;
  for (const Entry& e : entries_) out.push_back(e.info);
  return out;
}

size_t Store::locked_count() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(),
                                           [](const Entry& e) { return e.info.locked; }));
}

}  // namespace tresor::agent
