#include "crypto/hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tresor::crypto {

Result<void> HardenProcess() {
  const rlimit no_core{0, 0};
  if (setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return MakeError(ErrorCode::kInternal,
                     std::string("cannot disable core dumps: ") + std::strerror(errno));
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return MakeError(ErrorCode::kInternal,
                     std::string("cannot mark process non-dumpable: ") + std::strerror(errno));
  }
  return {};
}

}  // namespace tresor::crypto
