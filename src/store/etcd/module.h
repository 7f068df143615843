// The etcd storage is a module (tresor-etcd.so) that `tresor server` loads
// only when server.toml names etcd: gRPC and its libraries cost every
// other tresor command some 15 ms of start-up if linked in. This is the
// one function it exports.
#pragma once

#include <cstddef>

#include "store/etcd/etcd_options.h"

namespace tresor::store {
class Storage;
}

extern "C" {
// Opens the etcd storage; 0 and *out on success, else the ErrorCode plus
// one, with the message in `error` (NUL-terminated, truncated to fit).
int tresor_etcd_open(const tresor::store::EtcdOptions* options, tresor::store::Storage** out,
                     char* error, size_t error_size);
}

// Its name, for dlsym.
inline constexpr char kEtcdOpenSymbol[] = "tresor_etcd_open";
inline constexpr char kEtcdModuleName[] = "tresor-etcd.so";
