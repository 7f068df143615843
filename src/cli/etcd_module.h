// Loads the etcd storage module (store/etcd/module.h) and opens the store.
#pragma once

#include <memory>

#include "store/etcd/etcd_options.h"
#include "store/storage.h"

namespace tresor::cli {

// Looks for tresor-etcd.so in $TRESOR_ETCD_MODULE, next to the tresor
// binary, then in ../lib/tresor/ from it. kIo naming where it looked if
// absent.
Result<std::shared_ptr<store::Storage>> OpenEtcdStorage(const store::EtcdOptions& options);

}  // namespace tresor::cli
