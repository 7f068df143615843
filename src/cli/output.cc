#include "cli/output.h"

#include <sys/stat.h>
#include <unistd.h>

namespace tresor::cli {

Result<Output> Output::Open(const std::string& path, unsigned mode, bool no_clobber) {
  Output out;
  if (path.empty() || path == "-") return out;
  TRESOR_ASSIGN_OR_RETURN(out.file_, AtomicOutput::Create(path, mode, no_clobber));
  return out;
}

bool Output::IsTerminal() const { return !file_ && ::isatty(STDOUT_FILENO) == 1; }

unsigned PublicFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666u & ~static_cast<unsigned>(mask);
}

}  // namespace tresor::cli
