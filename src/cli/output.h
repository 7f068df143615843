// A command's output: stdout, or a file that appears atomically on Commit().
#pragma once

#include <memory>
#include <string>

#include "cli/files.h"

namespace tresor::cli {

class Output {
 public:
  // "" or "-" is stdout. `mode` is for a new file; see AtomicOutput.
  static Result<Output> Open(const std::string& path, unsigned mode, bool no_clobber);
  age::Sink& sink() { return file_ ? static_cast<age::Sink&>(*file_) : stdout_; }
  bool IsTerminal() const;
  Result<void> Commit() { return file_ ? file_->Commit() : Result<void>(); }

 private:
  Output() = default;
  std::unique_ptr<AtomicOutput> file_;
  age::FdSink stdout_{1, "stdout"};
};

// 0666 less the process umask: the mode a new public file gets.
unsigned PublicFileMode();

}  // namespace tresor::cli
