#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tresor::cli {

Progress::Progress(std::string what, uint64_t total, Unit unit)
    : what_(std::move(what)), total_(total), unit_(unit), shown_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (open_) std::fputc('\n', stderr);
}

void Progress::Update(uint64_t done, bool last) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!last && now - drawn_ < std::chrono::milliseconds(100)) return;
  drawn_ = now;
  if (unit_ == Unit::kBytes) {
    const double mib = 1024.0 * 1024.0;
    std::fprintf(stderr, "\rtresor: %s: %.1f/%.1f MiB", what_.c_str(),
                 static_cast<double>(done) / mib, static_cast<double>(total_) / mib);
  } else if (total_ > 0) {
    std::fprintf(stderr, "\rtresor: %s: %llu/%llu records", what_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_));
  } else {
    std::fprintf(stderr, "\rtresor: %s: %llu records", what_.c_str(),
                 static_cast<unsigned long long>(done));
  }
  open_ = !last;
  if (last) std::fputc('\n', stderr);
}

Result<size_t> ProgressSource::Read(std::span<uint8_t> out) {
  TRESOR_ASSIGN_OR_RETURN(const size_t n, inner_.Read(out));
  done_ += n;
  progress_.Update(done_, n == 0);
  return n;
}

}  // namespace tresor::cli
