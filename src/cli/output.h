// A command's output: stdout, or a file that appears atomically on Commit().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/files.h"

namespace tresor::cli {

class Output {
 public:
  // "" or "-" is stdout; see AtomicOutput and OutputPolicy.
  static Result<Output> Open(const std::string& path, const OutputPolicy& policy);
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

// The policy of an output that holds no secret: created with
// PublicFileMode(), an existing file keeps its mode.
OutputPolicy PublicOutput();
// The policy of a plaintext output: `mode` (--mode, octal; "" = 0600) even
// over an existing file. kInvalidArgument for a mode that is not octal
// 0000-0777.
Result<OutputPolicy> PlaintextOutput(const std::string& mode);

// `parts` with `separator` between them, for messages.
// Prints rows of (key, string) pairs as a JSON array of objects; the
// values "true" and "false" are written as booleans.
void PrintJsonRows(const std::vector<std::vector<std::pair<const char*, std::string>>>& rows);

inline std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace tresor::cli
