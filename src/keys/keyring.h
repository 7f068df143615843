// The default keyring: named identity files in one private directory,
// ${XDG_CONFIG_HOME:-~/.config}/tresor/keys (or $TRESOR_KEYRING_DIR):
//   NAME.key   the identity file (plain or passphrase-protected), 0600
//   NAME.pub   its recipient ("age1..."), so listing needs no passphrase
//   default    the name of the default key
// The directory is 0700; files are written atomically.
#pragma once

#include <string>
#include <vector>

#include "crypto/result.h"
#include "crypto/secret_bytes.h"

namespace tresor::keys {

struct KeyringEntry {
  std::string name;
  std::string path;       // NAME.key
  std::string recipient;  // from NAME.pub; "" if missing
  bool is_protected = false;
  bool is_default = false;
};

class Keyring {
 public:
  explicit Keyring(std::string dir) : dir_(std::move(dir)) {}
  static Keyring Default();  // the directory above, from the environment

  const std::string& dir() const { return dir_; }
  std::string KeyPath(const std::string& name) const { return dir_ + "/" + name + ".key"; }

  // Letters, digits, '.', '_' and '-', not starting with '.', at most 64.
  static Result<void> CheckName(const std::string& name);

  // The keys, the default first, then by name. A missing directory is empty.
  Result<std::vector<KeyringEntry>> List() const;
  // The same with names, paths and the default mark only: no file is read
  // (what decrypting commands need before a key is used).
  Result<std::vector<KeyringEntry>> Keys() const;
  // "" if there is no default key.
  std::string DefaultName() const;
  Result<KeyringEntry> Find(const std::string& name) const;

  // Writes NAME.key and NAME.pub; kRefused if NAME exists. The first key
  // becomes the default.
  Result<void> Store(const std::string& name, const crypto::SecretBytes& identity_file,
                     const std::string& recipient);
  Result<void> Delete(const std::string& name);
  Result<void> SetDefault(const std::string& name);

 private:
  Result<void> EnsureDirectory() const;
  std::string dir_;
};

}  // namespace tresor::keys
