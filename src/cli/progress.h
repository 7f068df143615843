// Long work's progress (large files, migrate, snapshots) on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "age/io.h"

namespace tresor::cli {

// "tresor: WHAT: DONE/TOTAL UNIT" (or "DONE UNIT" with no total) redrawn in
// place on stderr at most ten times a second, only when stderr is a
// terminal: never when it is piped or redirected. The last state is always
// drawn and the line ended, and a line left unfinished (an error) is ended
// when the Progress goes, so the error starts a line of its own.
class Progress {
 public:
  enum class Unit { kRecords, kBytes };
  Progress(std::string what, uint64_t total, Unit unit = Unit::kRecords);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(uint64_t done, bool last = false);

 private:
  std::string what_;
  uint64_t total_;
  Unit unit_;
  bool shown_;
  bool open_ = false;  // a line drawn and not yet ended
  std::chrono::steady_clock::time_point drawn_{};
};

// Files from this size on show progress when encrypted or decrypted.
inline constexpr uint64_t kProgressMinBytes = uint64_t{64} << 20;

// Passes reads through from `inner`, reporting the bytes read so far to a
// Progress, and the end of the stream as its last state.
class ProgressSource : public age::Source {
 public:
  ProgressSource(age::Source& inner, std::string what, uint64_t total)
      : inner_(inner), progress_(std::move(what), total, Progress::Unit::kBytes) {}
  Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  age::Source& inner_;
  Progress progress_;
  uint64_t done_ = 0;
};

}  // namespace tresor::cli
