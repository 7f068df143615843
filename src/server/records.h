// JSON records through the storage barrier, for the server's engines.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/barrier.h"

namespace tresor::server {

// Writes `record` at `key` (see Barrier::Put; a refused write is noted for
// the request, which then fails).
void PutRecord(store::Barrier& barrier, const std::string& key, const nlohmann::json& record);
// `record` sealed for `key`, as one change of a batch (Barrier::Apply).
store::Write SealRecord(const store::Barrier& barrier, const std::string& key,
                        const nlohmann::json& record);

// Writes `map`'s entry `name` (through `to_json`) under PREFIX NAME, or
// deletes that record when the map has no such entry. Nothing without a
// barrier (an engine kept in memory only).
template <typename Map, typename ToJson>
void PersistEntry(store::Barrier* barrier, std::string_view prefix, const Map& map,
                  const std::string& name, ToJson to_json) {
  if (barrier == nullptr) return;
  std::string key(prefix);
  key.append(name);
  auto it = map.find(name);
  if (it == map.end()) {
    (void)barrier->Delete(key);
  } else {
    PutRecord(*barrier, key, to_json(it->second));
  }
}

// True when the storage would refuse `writes` (one transaction) for their
// size (etcd's request limit): callers answer 413 and write nothing.
bool TooLarge(store::Barrier& barrier, const std::vector<store::Write>& writes);

// The record at `key`, nothing if absent; kIntegrity if it does not decrypt
// or is not JSON.
Result<std::optional<nlohmann::json>> GetRecord(store::Barrier& barrier, const std::string& key);

// The same with the revision that last changed it (0 when absent).
struct RecordAt {
  std::optional<nlohmann::json> record;
  uint64_t revision = 0;
};
Result<RecordAt> GetRecordAt(store::Barrier& barrier, const std::string& key);

// The keys under `prefix`, without it (the names of a kind of record).
Result<std::vector<std::string>> NamesUnder(store::Barrier& barrier, const std::string& prefix);

// `parse(record)` for the record at `key`; kIntegrity "KEY: not a valid
// record" if it throws nlohmann's exceptions (a missing or mistyped field).
template <typename T, typename Parse>
Result<T> ParseRecord(std::string_view key, const nlohmann::json& record, Parse parse) {
  try {
    return parse(record);
  } catch (const nlohmann::json::exception&) {
    return MakeError(ErrorCode::kIntegrity, std::string(key) + ": not a valid record");
  }
}

// Calls `visit` with each record under `prefix` (its key without the
// prefix). kIntegrity if one does not decrypt, parse or fit `visit` (which
// may throw nlohmann's exceptions for a missing or mistyped field).
Result<void> LoadRecords(
    store::Barrier& barrier, const std::string& prefix,
    const std::function<void(const std::string&, const nlohmann::json&)>& visit);

}  // namespace tresor::server
