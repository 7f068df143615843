// Key discovery: the identities a decrypting command or the library tries,
// in one order everywhere:
//   1. -i FILE (given: the only source, as age does)
//   2. --key NAME (given: the only source: that keyring key, through the
//      agent if the agent holds it)
//   3. $TRESOR_IDENTITY (the identity itself, "AGE-SECRET-KEY-1...")
//   4. $TRESOR_IDENTITY_FILE (one or more paths, ':'-separated)
//   5. the agent ($TRESOR_AGENT_SOCK or the default socket)
//   6. the default keyring (keys/keyring.h), the default key first
// Sources 1, 3 and 4 are read when discovered (their errors are errors);
// the agent and keyring keys only when a file needs them, so a key earlier
// in the order that opens the file means no connection and no prompt.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "age/recipient.h"
#include "keys/identity_file.h"

namespace tresor::keys {

struct KeyChainOptions {
  std::vector<std::string> identity_files;  // -i
  std::string key_name;                     // --key
  // Asked for the passphrases of protected identity files; null (the
  // library): protected keyring keys are skipped, protected -i and
  // $TRESOR_IDENTITY_FILE files are errors.
  PassphraseFn passphrase;
  // Told when a source is passed over for a reason the user should fix (the
  // agent's socket is stale); the CLI prints it. May be null.
  std::function<void(const std::string&)> note;
  // The recipients the file names, when it names them (a sealed file's
  // header): keyring keys among them are tried first, and a protected key
  // that is not among them is not asked for. Empty: every key, in order.
  std::vector<std::string> listed_recipients;
};

// One key source, as `tresor keys` lists it.
struct KeySourceInfo {
  std::string source;     // "-i", "TRESOR_IDENTITY", "TRESOR_IDENTITY_FILE", "agent", "keyring"
  std::string where;      // a path, a key name, the socket
  std::string recipient;  // "age1...", or "" if not known without a passphrase
  std::string state;      // "ready", "locked", "protected", "not running", ...
};

// Every source in order and its keys, for `tresor keys`: reads no
// passphrase (a protected file is listed as "protected") and asks the agent
// for its list.
std::vector<KeySourceInfo> DescribeKeySources(const KeyChainOptions& options);

// "8h", "90m", "45s": the largest unit that divides `seconds` (for expiries).
std::string FormatDuration(int64_t seconds);

// The identities of $TRESOR_IDENTITY_FILE (one or several paths, ':'-separated).
std::vector<std::string> IdentityFilesFromEnvironment();

class KeyChain {
 public:
  static Result<KeyChain> Discover(const KeyChainOptions& options);
  KeyChain(KeyChain&&) noexcept;
  KeyChain& operator=(KeyChain&&) noexcept;
  ~KeyChain();

  // In discovery order; valid while this KeyChain lives.
  std::vector<const age::Identity*> identities() const;
  // True if no source had any key to offer.
  bool empty() const;

  // A kNoMatch error with what was tried added ("the agent is locked" first
  // when that is why); other errors unchanged.
  Error Explain(Error error) const;

 private:
  struct State;
  explicit KeyChain(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tresor::keys
