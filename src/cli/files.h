// Files as the CLI uses them: bounded reads of key files, inputs that may be
// stdin, and outputs that appear atomically or not at all.
#pragma once

#include <memory>
#include <string>

#include "age/io.h"
#include "crypto/result.h"
#include "crypto/secret_bytes.h"
#include "crypto/secret_file.h"

namespace tresor::cli {

// Reads a whole file of at most `max_size` bytes into secret memory.
using crypto::ReadSecretFile;

// Reads a whole file of at most `max_size` bytes into ordinary memory, for
// files whose contents are on disk anyway (a config file before sealing).
Result<std::string> ReadTextFile(const std::string& path, size_t max_size);

// kRefused if anyone but root and this process's user could change `path`:
// it is writable by group or others, or another user owns it. For files
// whose contents decide what runs or where secrets go; `what` names the
// file in the message ("the server's settings"). A path that does not exist
// passes: reading it says so.
Result<void> RefuseIfOthersCanChange(const std::string& path, const std::string& what);

// An input: a named file, or stdin for "" or "-".
class Input {
 public:
  static Result<Input> Open(const std::string& path);
  Input(Input&& other) noexcept;
  Input& operator=(Input&&) = delete;
  ~Input();
  age::Source& source() { return progress_ ? *progress_ : *source_; }
  const std::string& name() const { return name_; }
  // Reports reading on a terminal ("tresor: VERB NAME: 12.0/640.0 MiB") if
  // the input is a regular file of at least kProgressMinBytes.
  void ShowProgress(const std::string& verb);

 private:
  Input(int fd, bool owned, std::string name);
  int fd_;
  bool owned_;
  std::string name_;
  std::unique_ptr<age::FdSource> source_;
  std::unique_ptr<age::Source> progress_;
};

// How an output treats what is already at its path.
struct OutputPolicy {
  // The mode of a new file.
  unsigned mode = 0600;
  // Plaintext: the file gets `mode` even if it exists with another one (a
  // warning on stderr names a looser mode it had); otherwise an existing
  // file keeps its permission bits.
  bool plaintext = false;
  // Fail with kRefused if the target exists.
  bool no_clobber = false;
};

// Whether outputs may be written through a symlink (--follow-symlinks).
// Off by default: a link at the target is refused, so that whoever can
// write the directory cannot point a command run by someone else (root,
// say) at another file.
void SetFollowSymlinks(bool follow);
// kRefused if `path` is a symlink and SetFollowSymlinks(true) was not
// called: for commands that read a file and then replace it.
Result<void> RefuseSymlinkTarget(const std::string& path);

// A file written to a temporary name in the target's directory and renamed
// over the target by Commit(). The directory is opened once, and the
// temporary file, the check of the target and the rename all go through
// that descriptor (openat, fstatat, renameat), so the path is not resolved
// again after the checks: a directory swapped for a link meanwhile changes
// nothing. Until Commit() the target is untouched; if the object dies
// uncommitted (an error, or SIGINT/SIGTERM/SIGHUP) the temporary file is
// removed. An existing target's owner is kept when run as root. A target
// that is a symlink is refused (kRefused) unless SetFollowSymlinks(true),
// and then the file it points to is replaced, not the link. A target that
// is not a regular file (a device such as /dev/stdout, a FIFO) is written
// in place, since it cannot be replaced atomically.
class AtomicOutput : public age::Sink {
 public:
  static Result<std::unique_ptr<AtomicOutput>> Create(const std::string& path,
                                                      const OutputPolicy& policy);
  ~AtomicOutput() override;

  Result<void> Write(std::span<const uint8_t> data) override;
  // Flushes to disk and moves the file into place.
  Result<void> Commit();

 private:
  AtomicOutput(std::string path, int dir_fd, std::string name, std::string temp_name, int fd,
               bool no_clobber);
  std::string path_;       // as the user gave it (or resolved, through a link)
  int dir_fd_;             // the target's directory; -1 when written in place
  std::string name_;       // the target's name in it
  std::string temp_name_;  // the temporary file's name in it
  int fd_;
  bool no_clobber_;
  bool committed_ = false;
};

}  // namespace tresor::cli
