// Plaintext scratch files for edit and the git merge driver: a 0700
// directory on a tmpfs (never a persistent disk) holding one 0600 file, whose
// contents are overwritten and which is removed when the object goes away.
#pragma once

#include <string>
#include <string_view>

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

 private:
  PrivateFile(std::string dir, std::string path) : dir_(std::move(dir)), path_(std::move(path)) {}
  std::string dir_;
  std::string path_;
};

}  // namespace tresor::cli
