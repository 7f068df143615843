// JSON records through the storage barrier, for the server's engines.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "store/barrier.h"

namespace tresor::server {

// Writes `record` at `key` (see Barrier::Put; a refused write is noted for
// the request, which then fails).
void PutRecord(store::Barrier& barrier, const std::string& key, const nlohmann::json& record);

// The record at `key`, nothing if absent; kIntegrity if it does not decrypt
// or is not JSON.
Result<std::optional<nlohmann::json>> GetRecord(store::Barrier& barrier, const std::string& key);

// Calls `visit` with each record under `prefix` (its key without the
// prefix). kIntegrity if one does not decrypt, parse or fit `visit` (which
// may throw nlohmann's exceptions for a missing or mistyped field).
Result<void> LoadRecords(
    store::Barrier& barrier, const std::string& prefix,
    const std::function<void(const std::string&, const nlohmann::json&)>& visit);

}  // namespace tresor::server
