// Memory and SQLite for the conformance suite; each SQLite store in a
// directory of its own, removed when the test binary exits.
#include <unistd.h>

#include <filesystem>

#include "store/conformance_backends.h"
#include "store/memory_storage.h"
#include "store/sqlite_storage.h"

namespace tresor::store {
namespace {

class ScratchDirs {
 public:
  ScratchDirs()
      : root_(std::filesystem::temp_directory_path() /
              ("tresor-conformance-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~ScratchDirs() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  std::string Next() { return (root_ / (std::to_string(++n_) + ".db")).string(); }

 private:
  std::filesystem::path root_;
  int n_ = 0;
};

}  // namespace

std::vector<Backend> Backends() {
  return {
      {"memory",
       [] {
         return Result<MadeStorage>(MadeStorage{std::make_unique<MemoryStorage>(), "t/"});
       }},
      {"sqlite",
       []() -> Result<MadeStorage> {
         static ScratchDirs dirs;
         TRESOR_ASSIGN_OR_RETURN(auto s, SqliteStorage::Open(dirs.Next()));
         return MadeStorage{std::move(s), "t/"};
       }},
  };
}

}  // namespace tresor::store
