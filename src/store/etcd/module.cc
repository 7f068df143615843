#include "store/etcd/module.h"

#include <cstring>

#include "store/etcd/etcd_storage.h"

extern "C" int tresor_etcd_open(const tresor::store::EtcdOptions* options,
                                tresor::store::Storage** out, char* error, size_t error_size) {
  auto opened = tresor::store::EtcdStorage::Open(*options);
  if (!opened) {
    if (error_size > 0) {
      const std::string& message = opened.error().message;
      const size_t n = std::min(message.size(), error_size - 1);
      std::memcpy(error, message.data(), n);
      error[n] = '\0';
    }
    return static_cast<int>(opened.error().code) + 1;
  }
  *out = opened->release();
  return 0;
}
