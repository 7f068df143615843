#include "server/kv/kv1.h"

#include "server/records.h"
#include "server/responses.h"

namespace tresor::server {
KvOutcome KvV1::Read(const std::string& path) {
  auto record = GetRecord(barrier_, prefix_ + "d/" + path);
  if (!record) return KvStorageFailure(record.error());
  if (!*record) return KvStatus(404);
  return KvOutcome{200, Dump(**record), {}};
}

KvOutcome KvV1::Write(const std::string& path, const Json& body) {
  if (path.empty() || path.back() == '/') return KvStatus(400, "invalid secret path");
  if (!body.is_object() || body.empty()) return KvStatus(400, "no data provided");
  const std::shared_lock lock(mutex_);
  if (closed_) return KvUnmounted();
  std::vector<store::Write> writes{SealRecord(barrier_, prefix_ + "d/" + path, body)};
  if (TooLarge(barrier_, writes)) {
    return KvStatus(413, "the secret is larger than the storage takes in one record (" +
                             std::to_string(barrier_.storage().max_value_bytes()) + " bytes)");
  }
  (void)barrier_.Apply(std::move(writes));
  return KvStatus(204);
}

KvOutcome KvV1::Delete(const std::string& path) {
  const std::shared_lock lock(mutex_);
  if (closed_) return KvUnmounted();
  (void)barrier_.Delete(prefix_ + "d/" + path);
  return KvStatus(204);
}

void KvV1::Close() {
  const std::unique_lock lock(mutex_);
  closed_ = true;
}

Result<bool> KvV1::Exists(const std::string& path) {
  TRESOR_ASSIGN_OR_RETURN(auto record, barrier_.storage().Get(prefix_ + "d/" + path));
  return record.has_value();  // no need to decrypt
}

KvOutcome KvV1::List(const std::string& prefix) {
  std::string dir = prefix;
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  const std::string stored = prefix_ + "d/";
  auto listed = barrier_.Keys(stored + dir);
  if (!listed) return KvStorageFailure(listed.error());
  std::vector<std::string> paths;
  for (std::string& key : *listed) paths.push_back(key.substr(stored.size()));
  Json keys = ChildNames(paths, dir);
  if (keys.empty()) return KvStatus(404);
  return KvOutcome{200, Dump(Json{{"keys", keys}}), {}};
}

}  // namespace tresor::server
