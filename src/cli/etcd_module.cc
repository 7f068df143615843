#include "cli/etcd_module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <vector>

#include "store/etcd/module.h"

namespace tresor::cli {
namespace {

std::string ExecutableDir() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  std::string exe(path, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

}  // namespace

Result<std::shared_ptr<store::Storage>> OpenEtcdStorage(const store::EtcdOptions& options) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("TRESOR_ETCD_MODULE"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    const std::string dir = ExecutableDir();
    candidates.push_back(dir + "/" + kEtcdModuleName);
    candidates.push_back(dir + "/../lib/tresor/" + kEtcdModuleName);
  }
  void* module = nullptr;
  std::string tried;
  for (const std::string& path : candidates) {
    module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module != nullptr) break;
    if (!tried.empty()) tried += "; ";
    tried += ::dlerror();
  }
  if (module == nullptr) {
    return MakeError(ErrorCode::kIo, "the etcd storage module cannot be loaded: " + tried);
  }
  // Never unloaded: the storage's threads and gRPC's live in it.
  auto* open = reinterpret_cast<decltype(&tresor_etcd_open)>(::dlsym(module, kEtcdOpenSymbol));
  if (open == nullptr) {
    return MakeError(ErrorCode::kIo, std::string(kEtcdModuleName) + ": no " + kEtcdOpenSymbol);
  }
  store::Storage* storage = nullptr;
  char error[1024] = "";
  const int code = open(&options, &storage, error, sizeof(error));
  if (code != 0) return MakeError(static_cast<ErrorCode>(code - 1), error);
  return std::shared_ptr<store::Storage>(storage);
}

}  // namespace tresor::cli
