#include "server/kv1.h"

#include "server/records.h"

namespace tresor::server {
namespace {

KvOutcome Fail(int status, std::string message = "") {
  KvOutcome out{status, nullptr, {}};
  if (!message.empty()) out.errors.push_back(std::move(message));
  return out;
}

}  // namespace

KvOutcome KvV1::Read(const std::string& path) {
  auto record = GetRecord(barrier_, prefix_ + "d/" + path);
  if (!record) return Fail(500, "internal error reading storage");
  if (!*record) return Fail(404);
  return KvOutcome{200, std::move(**record), {}};
}

KvOutcome KvV1::Write(const std::string& path, const Json& body) {
  if (path.empty() || path.back() == '/') return Fail(400, "invalid secret path");
  if (!body.is_object() || body.empty()) return Fail(400, "no data provided");
  PutRecord(barrier_, prefix_ + "d/" + path, body);
  return Fail(204);
}

KvOutcome KvV1::Delete(const std::string& path) {
  (void)barrier_.Delete(prefix_ + "d/" + path);
  return Fail(204);
}

bool KvV1::Exists(const std::string& path) {
  auto record = barrier_.Get(prefix_ + "d/" + path);
  return record && record->has_value();
}

KvOutcome KvV1::List(const std::string& prefix) {
  std::string dir = prefix;
  if (!dir.empty() && dir.back() != '/') dir.push_back('/');
  const std::string stored = prefix_ + "d/";
  auto listed = barrier_.Keys(stored + dir);
  if (!listed) return Fail(500, "internal error reading storage");
  std::vector<std::string> paths;
  for (std::string& key : *listed) paths.push_back(key.substr(stored.size()));
  Json keys = ChildNames(paths, dir);
  if (keys.empty()) return Fail(404);
  return KvOutcome{200, Json{{"keys", keys}}, {}};
}

}  // namespace tresor::server
