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

// An input: a named file, or stdin for "" or "-".
class Input {
 public:
  static Result<Input> Open(const std::string& path);
  Input(Input&& other) noexcept;
  Input& operator=(Input&&) = delete;
  ~Input();
  age::Source& source() { return *source_; }
  const std::string& name() const { return name_; }

 private:
  Input(int fd, bool owned, std::string name);
  int fd_;
  bool owned_;
  std::string name_;
  std::unique_ptr<age::FdSource> source_;
};

// A file written to a temporary name in the target's directory and renamed
// over the target by Commit(). Until then the target is untouched; if the
// object dies uncommitted (an error, or SIGINT/SIGTERM/SIGHUP) the temporary
// file is removed. An existing target's permission bits (and, when run as
// root, owner) are kept; a symlink's target is replaced, not the link. A
// target that is not a regular file (a device such as /dev/stdout, a FIFO) is
// written in place, since it cannot be replaced atomically.
class AtomicOutput : public age::Sink {
 public:
  // `mode` applies to a new file. With `no_clobber`, Commit() fails with
  // kRefused if the target exists.
  static Result<std::unique_ptr<AtomicOutput>> Create(const std::string& path, unsigned mode,
                                                      bool no_clobber);
  ~AtomicOutput() override;

  Result<void> Write(std::span<const uint8_t> data) override;
  // Flushes to disk and moves the file into place.
  Result<void> Commit();

 private:
  AtomicOutput(std::string path, std::string temp_path, int fd, bool no_clobber);
  std::string path_;
  std::string temp_path_;
  int fd_;
  bool no_clobber_;
  bool committed_ = false;
};

}  // namespace tresor::cli
