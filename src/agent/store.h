// What the agent holds: identities added from identity files, each unlocked
// (its keys in guarded memory) or locked (keys wiped; the protected file's
// bytes kept, so `unlock` with its passphrase brings it back), with an
// absolute and an idle expiry. Expiry and `lock` wipe keys; nothing but
// `add` and `unlock` bring them back. Times are seconds, passed in by the
// caller (the server's clock; tests choose their own). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "age/x25519.h"

namespace tresor::agent {

struct EntryInfo {
  std::string name;       // the identity file's absolute path, as added
  std::string recipient;  // the first identity's "age1..." (known once unlocked)
  bool locked = false;
  bool is_protected = false;  // passphrase-protected: can be unlocked again
  int64_t expires_at = 0;     // absolute expiry, unix seconds; 0 = none
  int64_t idle_seconds = 0;   // wiped after this long unused; 0 = never
};

enum class UnwrapOutcome { kMatched, kNoMatch, kLocked };

class Store {
 public:
  // Adds (or replaces) the identity file `content` under `name`. A protected
  // file is opened with `passphrase` (kNoMatch if wrong). `ttl` and `idle`
  // are seconds, 0 for none. Returns the recipients of its identities.
  Result<std::vector<std::string>> Add(const std::string& name, crypto::SecretBytes content,
                                       crypto::SecretBytes passphrase, int64_t ttl, int64_t idle,
                                       int64_t now);

  // The file key for `stanzas` from the first unlocked identity that opens
  // one, and that entry's name; kLocked if none does while some entry is
  // locked.
  Result<UnwrapOutcome> Unwrap(std::span<const age::Stanza> stanzas, int64_t now,
                               crypto::SecretBytes* file_key, std::string* name);

  // Removes the entry `name` (all entries for ""). kNotFound if none.
  Result<void> Remove(const std::string& name);

  // Wipes every entry's keys; entries that cannot be unlocked again (no
  // passphrase) are removed.
  void Lock();

  // Unlocks the locked entry `name` with `passphrase`; its expiry restarts.
  Result<void> Unlock(const std::string& name, crypto::SecretBytes passphrase, int64_t now);

  // Applies expiries due at `now`; returns the names whose keys were wiped.
  std::vector<std::string> Expire(int64_t now);

  std::vector<EntryInfo> List() const;
  size_t locked_count() const;
  size_t size() const { return entries_.size(); }

  // Server tokens by server address (tresor login --agent): one per
  // address, replaced by the next; `expires_at` 0 for none. Expire drops
  // those due, Lock and Remove("") all of them.
  void SetToken(const std::string& address, crypto::SecretBytes token, int64_t expires_at);
  // The token for `address` that has not expired at `now`, or nullptr.
  const crypto::SecretBytes* Token(const std::string& address, int64_t now) const;
  size_t token_count() const { return tokens_.size(); }

 private:
  struct Entry {
    EntryInfo info;
    crypto::SecretBytes sealed;                   // the protected file, for unlock; empty if plain
    std::vector<age::X25519Identity> identities;  // empty while locked
    int64_t ttl = 0;
    int64_t last_used = 0;
  };
  Entry* Find(const std::string& name);
  static Result<void> Open(Entry& entry, crypto::SecretBytes passphrase, int64_t now);
  static void Wipe(Entry& entry);

  struct TokenEntry {
    std::string address;
    crypto::SecretBytes token;
    int64_t expires_at = 0;
  };

  std::vector<Entry> entries_;
  std::vector<TokenEntry> tokens_;
};

}  // namespace tresor::agent
