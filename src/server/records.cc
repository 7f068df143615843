#include "server/records.h"

namespace tresor::server {
namespace {

nlohmann::json Parse(const crypto::SecretBytes& plain) {
  const auto bytes = plain.Reveal();
  return nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
}

}  // namespace

store::Write SealRecord(const store::Barrier& barrier, const std::string& key,
                        const nlohmann::json& record) {
  const std::string text = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return barrier.Seal(key, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

bool TooLarge(store::Barrier& barrier, const std::vector<store::Write>& writes) {
  const size_t limit = barrier.storage().max_value_bytes();
  if (limit == 0) return false;
  size_t total = 0;
  for (const store::Write& w : writes) total += w.key.size() + (w.value ? w.value->size() : 0);
  return total > limit;
}

void PutRecord(store::Barrier& barrier, const std::string& key, const nlohmann::json& record) {
  std::vector<store::Write> writes;
  writes.push_back(SealRecord(barrier, key, record));
  (void)barrier.Apply(std::move(writes));
}

Result<std::optional<nlohmann::json>> GetRecord(store::Barrier& barrier, const std::string& key) {
  TRESOR_ASSIGN_OR_RETURN(auto plain, barrier.Get(key));
  if (!plain) return std::optional<nlohmann::json>();
  auto json = Parse(*plain);
  if (json.is_discarded()) return MakeError(ErrorCode::kIntegrity, key + ": record is not JSON");
  return std::optional<nlohmann::json>(std::move(json));
}

Result<std::vector<std::string>> NamesUnder(store::Barrier& barrier, const std::string& prefix) {
  TRESOR_ASSIGN_OR_RETURN(auto keys, barrier.Keys(prefix));
  for (std::string& key : keys) {
    if (key.starts_with(prefix)) key.erase(0, prefix.size());
  }
  return keys;
}

Result<RecordAt> GetRecordAt(store::Barrier& barrier, const std::string& key) {
  TRESOR_ASSIGN_OR_RETURN(auto opened, barrier.Read(key));
  if (!opened) return RecordAt{};
  auto json = Parse(opened->plaintext);
  if (json.is_discarded()) return MakeError(ErrorCode::kIntegrity, key + ": record is not JSON");
  return RecordAt{std::move(json), opened->revision};
}

Result<void> LoadRecords(
    store::Barrier& barrier, const std::string& prefix,
    const std::function<void(const std::string&, const nlohmann::json&)>& visit) {
  std::optional<Error> failure;
  TRESOR_RETURN_IF_ERROR(
      barrier.Scan(prefix, [&](const std::string& key, crypto::SecretBytes plain) {
        const auto json = Parse(plain);
        try {
          if (json.is_discarded()) throw std::invalid_argument("not JSON");
          visit(key.substr(prefix.size()), json);
        } catch (const std::exception&) {
          failure = Error{ErrorCode::kIntegrity, key + ": malformed record"};
          return false;
        }
        return true;
      }));
  if (failure) return *failure;
  return {};
}

}  // namespace tresor::server
