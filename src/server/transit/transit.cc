#include "server/transit/transit.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "server/records.h"
#include "server/responses.h"

namespace tresor::server::transit {
namespace {

constexpr int kChangeAttempts = 16;

http::Response Failure(const tresor::Error& error) {
  const int status = StatusOf(error.code);
  return Error(status, status == 500 ? "internal error: " + error.message : error.message);
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at <= path.size()) {
    const size_t next = std::min(path.find('/', at), path.size());
    parts.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  return parts;
}

// A boolean setting given as a JSON boolean or Vault's string forms.
std::optional<bool> Flag(const Json& body, const char* name) {
  if (!body.contains(name)) return std::nullopt;
  const Json& v = body[name];
  if (v.is_boolean()) return v.get<bool>();
  if (v == "true" || v == 1) return true;
  if (v == "false" || v == 0) return false;
  return std::nullopt;
}

// An integer setting given as a number or a string of digits; -1 if it is
// neither.
std::optional<int64_t> Integer(const Json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::nullopt;
  const Json& v = body[name];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      const std::string s = v.get<std::string>();
      const int64_t n = std::stoll(s, &used);
      if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
  }
  return -1;
}

}  // namespace

bool ValidKeyName(const std::string& name) {
  return !name.empty() && name.size() <= 128 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
         });
}

Transit::Transit(store::Barrier& barrier, std::string prefix, Clock now)
    : barrier_(barrier), prefix_(std::move(prefix)), now_(std::move(now)) {
  if (!now_) {
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

Result<std::shared_ptr<const TransitKey>> Transit::Get(const std::string& name) {
  {
    const std::shared_lock lock(mutex_);
    if (auto it = keys_.find(name); it != keys_.end()) return it->second.key;
  }
  TRESOR_ASSIGN_OR_RETURN(auto at, GetRecordAt(barrier_, prefix_ + "k/" + name));
  if (!at.record) return std::shared_ptr<const TransitKey>();
  TRESOR_ASSIGN_OR_RETURN(TransitKey key, TransitKey::FromRecord(name, *at.record));
  auto shared = std::make_shared<const TransitKey>(std::move(key));
  const std::unique_lock lock(mutex_);
  Cached& cached = keys_[name];
  if (cached.key == nullptr || cached.revision < at.revision) cached = {shared, at.revision};
  return cached.key;
}

Result<std::shared_ptr<const TransitKey>> Transit::Change(const std::string& name,
                                                          const Edit& change) {
  const std::string path = prefix_ + "k/" + name;
  for (int attempt = 0; attempt < kChangeAttempts; ++attempt) {
    TRESOR_ASSIGN_OR_RETURN(auto at, GetRecordAt(barrier_, path));
    std::unique_ptr<TransitKey> key;
    if (at.record) {
      TRESOR_ASSIGN_OR_RETURN(TransitKey stored, TransitKey::FromRecord(name, *at.record));
      key = std::make_unique<TransitKey>(std::move(stored));
    }
    TRESOR_RETURN_IF_ERROR(change(key));
    if (!key && !at.record) return std::shared_ptr<const TransitKey>();  // nothing to delete
    std::vector<store::Write> writes;
    writes.push_back(key ? SealRecord(barrier_, path, key->ToRecord())
                         : store::Write{path, std::nullopt});
    Result<store::TxnResult> result = store::TxnResult{};
    {
      const std::shared_lock lock(mutex_);  // Close waits for a change in flight
      if (closed_) return MakeError(ErrorCode::kNotFound, "the secrets engine was unmounted");
      result = barrier_.ApplyIf({{path, at.revision}}, std::move(writes));
    }
    if (!result) return MakeError(result.error().code, "storage refused the key's change");
    if (!result->applied) continue;  // another node changed it: read it again
    std::shared_ptr<const TransitKey> stored(key.release());
    const std::unique_lock lock(mutex_);
    if (stored) {
      keys_[name] = {stored, result->revision};
    } else {
      keys_.erase(name);
    }
    return stored;
  }
  return MakeError(ErrorCode::kUnavailable, "the key keeps changing (other writers); retry");
}

Result<bool> Transit::Creates(const std::string& rest) {
  const std::vector<std::string> parts = Split(rest);
  const bool upsert = parts.size() == 2 && (parts[0] == "encrypt" || parts[0] == "keys");
  if (!upsert || !ValidKeyName(parts[1])) return false;
  TRESOR_ASSIGN_OR_RETURN(auto key, Get(parts[1]));
  return key == nullptr;
}

void Transit::Changed(const std::string& rest, uint64_t revision) {
  if (!barrier_.local_writes().IsNews(prefix_ + rest, revision)) return;  // this node's own
  if (!rest.starts_with("k/")) return;
  const std::unique_lock lock(mutex_);
  auto it = keys_.find(rest.substr(2));
  if (it != keys_.end() && it->second.revision < revision) keys_.erase(it);
}

void Transit::Close() {
  const std::unique_lock lock(mutex_);
  closed_ = true;
  keys_.clear();
}

http::Response Transit::Handle(const http::Request& request, const std::string& rest,
                               const Json& body) {
  const std::vector<std::string> parts = Split(rest);
  const bool write = request.method == "POST" || request.method == "PUT";
  const std::string& op = parts[0];
  if (op == "keys") return Keys(request, rest, body);
  if (parts.size() >= 2 && !ValidKeyName(parts.back()) && op != "hmac" && op != "verify" &&
      op != "sign") {
    return Error(400, "invalid key name \"" + parts.back() + "\"");
  }
  if (!write && op != "keys") return Error(405, "unsupported operation");
  if (parts.size() == 2 && op == "encrypt") return Encrypt(parts[1], body);
  if (parts.size() == 2 && op == "decrypt") return Decrypt(parts[1], body);
  if (parts.size() == 2 && op == "rewrap") return Rewrap(parts[1], body);
  if (parts.size() == 3 && op == "datakey") return DataKey(parts[1], parts[2], body);
  if ((parts.size() == 2 || parts.size() == 3) &&
      (op == "hmac" || op == "verify" || op == "sign")) {
    const std::string algorithm = parts.size() == 3 ? parts[2] : "";
    if (op == "sign") return Sign(parts[1], algorithm, body);
    return op == "hmac" ? Hmac(parts[1], algorithm, body) : Verify(parts[1], algorithm, body);
  }
  return Error(404, "no handler for route \"" + rest + "\"");
}

http::Response Transit::Keys(const http::Request& request, const std::string& rest,
                             const Json& body) {
  const std::vector<std::string> parts = Split(rest);
  const std::string* list_query = request.Query("list");
  const bool list = request.method == "LIST" || (request.method == "GET" && list_query != nullptr &&
                                                 (*list_query == "true" || *list_query == "1"));
  if (list) {
    if (parts.size() > 2 || (parts.size() == 2 && !parts[1].empty())) {
      return Error(405, "unsupported operation");
    }
    auto listed = barrier_.Keys(prefix_ + "k/");
    if (!listed) return Failure(listed.error());
    Json names = Json::array();
    for (const std::string& key : *listed) names.push_back(key.substr(prefix_.size() + 2));
    if (names.empty()) return Error(404, "");
    return Envelope(200, Json{{"keys", std::move(names)}});
  }
  if (parts.size() < 2 || !ValidKeyName(parts[1])) {
    return Error(400, "invalid key name \"" + (parts.size() < 2 ? "" : parts[1]) + "\"");
  }
  const std::string& name = parts[1];
  if (parts.size() == 3 && parts[2] == "config") return Configure(name, body);
  if (parts.size() == 3 && parts[2] == "trim") return Trim(name, body);
  if (parts.size() == 3 && parts[2] == "rotate") {
    auto rotated = Change(name, [&](std::unique_ptr<TransitKey>& key) -> Result<void> {
      if (!key) return MakeError(ErrorCode::kInvalidArgument, "encryption key not found");
      key->Rotate(now_());
      return {};
    });
    if (!rotated) return Failure(rotated.error());
    return Envelope(200, (*rotated)->Describe());
  }
  if (parts.size() != 2) return Error(404, "no handler for route \"" + rest + "\"");
  if (request.method == "GET") {
    auto key = Get(name);
    if (!key) return Failure(key.error());
    if (*key == nullptr) return Error(404, "");
    return Envelope(200, (*key)->Describe());
  }
  if (request.method == "DELETE") {
    auto deleted = Change(name, [&](std::unique_ptr<TransitKey>& key) -> Result<void> {
      if (key && !key->deletion_allowed) {
        return MakeError(ErrorCode::kInvalidArgument, "deletion is not allowed for this key");
      }
      key.reset();
      return {};
    });
    if (!deleted) return Failure(deleted.error());
    return NoContent();
  }
  if (request.method != "POST" && request.method != "PUT") {
    return Error(405, "unsupported operation");
  }
  if (Flag(body, "exportable").value_or(false) ||
      Flag(body, "allow_plaintext_backup").value_or(false)) {
    return Error(400, "tresor's transit keys cannot be exported or backed up in plaintext");
  }
  if (Flag(body, "convergent_encryption").value_or(false)) {
    return Error(400, "convergent encryption is not supported by tresor");
  }
  if (Integer(body, "auto_rotate_period").value_or(0) != 0) {
    return Error(400,
                 "auto_rotate_period is not supported by tresor: rotate with keys/NAME/rotate");
  }
  const std::string type = body.value("type", Json("")).is_string() ? body.value("type", "") : "";
  const bool derived = Flag(body, "derived").value_or(false);
  auto created = Change(name, [&](std::unique_ptr<TransitKey>& key) -> Result<void> {
    if (key) return {};  // as Vault: creating an existing key changes nothing
    TRESOR_ASSIGN_OR_RETURN(TransitKey made, TransitKey::Create(name, type, derived, now_()));
    key = std::make_unique<TransitKey>(std::move(made));
    return {};
  });
  if (!created) return Failure(created.error());
  return Envelope(200, (*created)->Describe());
}

http::Response Transit::Configure(const std::string& name, const Json& body) {
  const auto min_decryption = Integer(body, "min_decryption_version");
  const auto min_encryption = Integer(body, "min_encryption_version");
  const auto deletion = body.contains("deletion_allowed") ? Flag(body, "deletion_allowed")
                                                          : std::optional<bool>(std::nullopt);
  if (body.contains("deletion_allowed") && !deletion) {
    return Error(400, "deletion_allowed: expected a boolean");
  }
  if (Flag(body, "exportable").value_or(false) ||
      Flag(body, "allow_plaintext_backup").value_or(false)) {
    return Error(400, "tresor's transit keys cannot be exported or backed up in plaintext");
  }
  if (Integer(body, "auto_rotate_period").value_or(0) != 0) {
    return Error(400,
                 "auto_rotate_period is not supported by tresor: rotate with keys/NAME/rotate");
  }
  auto changed = Change(name, [&](std::unique_ptr<TransitKey>& key) -> Result<void> {
    auto invalid = [](const char* message) {
      return MakeError(ErrorCode::kInvalidArgument, message);
    };
    if (!key) return invalid("encryption key not found");
    if (min_decryption) {
      // 0 leaves it as it is (Vault).
      if (*min_decryption < 0) return invalid("min decryption version must be a positive integer");
      if (*min_decryption > key->latest) {
        return invalid("cannot set min decryption version to a value greater than latest version");
      }
      if (*min_decryption > 0 && *min_decryption < key->min_available_version) {
        return invalid("cannot set min decryption version below the min available version");
      }
      if (*min_decryption > 0) key->min_decryption_version = static_cast<int>(*min_decryption);
    }
    if (min_encryption) {
      if (*min_encryption < 0) return invalid("min encryption version must be a positive integer");
      if (*min_encryption > key->latest) {
        return invalid("cannot set min encryption version to a value greater than latest version");
      }
      key->min_encryption_version = static_cast<int>(*min_encryption);
    }
    if (key->min_encryption_version > 0 &&
        key->min_encryption_version < key->min_decryption_version) {
      return invalid("min encryption version should not be less than min decryption version");
    }
    if (deletion) key->deletion_allowed = *deletion;
    return {};
  });
  if (!changed) return Failure(changed.error());
  return Envelope(200, (*changed)->Describe());
}

http::Response Transit::Trim(const std::string& name, const Json& body) {
  const auto wanted = Integer(body, "min_available_version");
  if (!wanted) return Error(400, "missing min_available_version");
  auto trimmed = Change(name, [&](std::unique_ptr<TransitKey>& key) -> Result<void> {
    auto invalid = [](const char* message) {
      return MakeError(ErrorCode::kInvalidArgument, message);
    };
    if (!key) return invalid("invalid key");
    if (*wanted < 1) return invalid("minimum available version should be positive");
    if (*wanted < key->min_available_version) {
      return invalid("minimum available version cannot be decremented");
    }
    if (*wanted > key->min_decryption_version) {
      return invalid(
          "minimum available version should not be greater than the minimum "
          "decryption version");
    }
    if (key->min_encryption_version > 0 && *wanted > key->min_encryption_version) {
      return invalid(
          "minimum available version should not be greater than the minimum "
          "encryption version");
    }
    key->min_available_version = static_cast<int>(*wanted);
    std::erase_if(key->versions, [&](const auto& version) { return version.first < *wanted; });
    return {};
  });
  if (!trimmed) return Failure(trimmed.error());
  return Envelope(200, (*trimmed)->Describe());
}

}  // namespace tresor::server::transit
