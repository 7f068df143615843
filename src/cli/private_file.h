// Plaintext scratch files for edit and the git merge driver: a 0700
// directory on a tmpfs (never a persistent disk) holding one 0600 file, whose
// contents are overwritten and which is removed when the object goes away,
// and also when a signal that can be caught ends the process (HUP, INT,
// QUIT, TERM, PIPE, ALRM, USR1, USR2, XCPU, XFSZ, VTALRM, PROF): the file is
// truncated and removed, then the signal takes its usual course.
//
// The directory's name holds the creating process's pid
// ("tresor-edit-PID-XXXXXX"), so that what a process killed with SIGKILL
// left behind is found and wiped by the next Create of the same user, once
// that pid is no longer running.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/result.h"

namespace tresor::cli {

class PrivateFile {
 public:
  // `name` is the file's base name (editors pick a syntax from it).
  static Result<PrivateFile> Create(const std::string& name, std::string_view content);
  PrivateFile(PrivateFile&& other) noexcept;
  PrivateFile& operator=(PrivateFile&&) = delete;
  ~PrivateFile();
  const std::string& path() const { return path_; }

  // Wipes and removes the scratch directories in `base` owned by this user
  // whose process is gone; returns their paths. Create calls it.
  static std::vector<std::string> RemoveLeftovers(const std::string& base);

 private:
  PrivateFile(std::string dir, std::string path) : dir_(std::move(dir)), path_(std::move(path)) {}
  std::string dir_;
  std::string path_;
  int slot_ = -1;  // the signal handler's record of it
};

}  // namespace tresor::cli
