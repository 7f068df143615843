// tresor operator snapshot save | restore: every record of a server's store
// as stored (still sealed by the barrier, so the unseal keys or the
// auto-unseal identity are needed to use it), in one age file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "age/io.h"
#include "cli/commands.h"
#include "crypto/result.h"

namespace tresor::cli {

struct SnapshotOptions {
  std::string store;  // save: the store read (--from); restore: the one made (--to)
  std::string prefix = "tresor/";
  std::string file;
  RecipientOptions to;                      // save: -r, -R
  std::vector<std::string> identity_files;  // restore: -i
  std::optional<std::string> passphrase_file;
  bool json = false;
  bool yes = false;  // restore --to server: do not ask
};

// Reads one consistent view of the store (beside a server running on it)
// and writes it, encrypted to the recipients, to the file: atomically, the
// file appearing only once whole and flushed.
Result<void> RunSnapshotSave(const SnapshotOptions& options);

// Decrypts and checks a snapshot while writing it into a new SQLite data
// directory beside the target (DIR.restoring-PID), reads that back, and
// only then moves it to the target, which must be absent or empty.
// With --to server (the server at $TRESOR_ADDR) or server:URL: the
// snapshot, checked here first, replaces every secret of the running,
// unsealed server after a confirmation; the server seals itself and is
// unsealed with the unseal keys of the store the snapshot was saved from
// (snapshot_to_server.cc).
Result<void> RunSnapshotRestore(const SnapshotOptions& options);
Result<void> RestoreIntoServer(const SnapshotOptions& options);

// Decrypts the snapshot file into `sink` with -i's identities (or the usual
// key sources), asking for a passphrase if it was encrypted with one.
Result<void> DecryptSnapshot(const SnapshotOptions& options, age::Sink& sink);

}  // namespace tresor::cli
