// tresor operator migrate: every record of one server store copied, as
// stored (still encrypted), into another: SQLite to etcd and back.
#pragma once

#include <string>

#include "crypto/result.h"

namespace tresor::cli {

struct MigrateOptions {
  std::string from;  // sqlite:DIR | etcd:HOST:PORT[,HOST:PORT...] | config:server.toml
  std::string to;
  std::string prefix = "tresor/";  // for etcd: specs
  bool json = false;
};

// Copies into an empty store (kRefused if it holds anything), then reads
// both back: the record counts and digests must match (kIntegrity if not).
Result<void> RunMigrate(const MigrateOptions& options);

}  // namespace tresor::cli
