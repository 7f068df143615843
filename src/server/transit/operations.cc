// Transit's operations with a key: encrypt (creating the key if absent, as
// Vault does), decrypt, rewrap, datakey, hmac and verify, each on one item
// or on `batch_input`. A batch answers every item, each with its result or
// its error, and is 400 only when every item failed; at most kMaxBatch.
#include "age/base64.h"
#include "crypto/random.h"
#include "server/request_body.h"
#include "server/responses.h"
#include "server/transit/transit.h"

namespace tresor::server::transit {
namespace {

using Bytes = std::vector<uint8_t>;

// Items per batch: bounds what one request costs (its answer is about as
// large as its input, and each item takes a few microseconds).
constexpr size_t kMaxBatch = 50000;

tresor::Error Invalid(std::string message) {
  return tresor::Error{ErrorCode::kInvalidArgument, std::move(message)};
}

// The base64 parameter `name` of `item` (empty if absent); kInvalidArgument
// naming it if it is not base64.
Result<Bytes> Base64Field(const Json& item, const char* name) {
  Bytes out;
  if (!item.contains(name) || item[name].is_null()) return out;
  if (!item[name].is_string() || !age::DecodeBase64Padded(item[name].get<std::string>(), out)) {
    return Invalid(std::string("failed to base64-decode ") + name);
  }
  return out;
}

Result<int> VersionOf(const Json& item) {
  if (!item.contains("key_version") || item["key_version"].is_null()) return 0;
  const Json& v = item["key_version"];
  if (v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() < (1 << 30)) {
    return static_cast<int>(v.get<int64_t>());
  }
  return Invalid("key_version: expected a version number");
}

std::string TextField(const Json& item, const char* name) { return TextSetting(item, name); }

// Runs `one` on the request's item, or on each of its batch_input.
http::Response PerItem(const Json& body, const std::function<Result<Json>(const Json&)>& one) {
  if (!body.contains("batch_input")) {
    auto result = one(body);
    if (!result) {
      const int status = result.error().code == ErrorCode::kInvalidArgument ? 400 : 500;
      return Error(status, result.error().message);
    }
    return Envelope(200, *result);
  }
  const Json& batch = body["batch_input"];
  if (!batch.is_array() || batch.empty())
    return Error(400, "batch_input: expected a list of items");
  if (batch.size() > kMaxBatch) {
    return Error(400, "batch_input: at most " + std::to_string(kMaxBatch) + " items per request");
  }
  Json results = Json::array();
  size_t failed = 0;
  for (const Json& item : batch) {
    Json out;
    auto result = item.is_object() ? one(item) : Result<Json>(Invalid("expected an object"));
    if (result) {
      out = std::move(*result);
    } else {
      out = Json{{"error", Json(result.error().message)}};
      ++failed;
    }
    if (item.is_object() && item.contains("reference")) out["reference"] = item["reference"];
    results.push_back(std::move(out));
  }
  return Envelope(failed == results.size() ? 400 : 200, Json{{"batch_results", results}});
}

// An item's ciphertext opened, with the context and associated data it
// named.
struct Opened {
  crypto::SecretBytes plaintext;
  Bytes context;
  Bytes aad;
};

Result<Opened> Open(const TransitKey& key, const Json& item) {
  const std::string ciphertext = TextField(item, "ciphertext");
  if (ciphertext.empty()) return Invalid("missing ciphertext to decrypt");
  Opened out;
  TRESOR_ASSIGN_OR_RETURN(out.context, Base64Field(item, "context"));
  TRESOR_ASSIGN_OR_RETURN(out.aad, Base64Field(item, "associated_data"));
  TRESOR_ASSIGN_OR_RETURN(out.plaintext, key.Decrypt(ciphertext, out.context, out.aad));
  return out;
}

}  // namespace

std::optional<http::Response> Transit::Existing(const std::string& name,
                                                std::shared_ptr<const TransitKey>* key) {
  auto found = Get(name);
  if (!found) return Error(500, "internal error: " + found.error().message);
  if (*found == nullptr) return Error(400, "encryption key not found");
  *key = std::move(*found);
  return std::nullopt;
}

http::Response Transit::Encrypt(const std::string& name, const Json& body) {
  auto found = Get(name);
  if (!found) return Error(500, "internal error: " + found.error().message);
  std::shared_ptr<const TransitKey> key = *found;
  if (key == nullptr) {  // upsert: the policy allowed create (Core checked)
    const std::string type = TextField(body, "type");
    const bool derived = body.value("derived", Json(false)) == true;
    auto created = Change(name, [&](std::unique_ptr<TransitKey>& k) -> Result<void> {
      if (k) return {};
      TRESOR_ASSIGN_OR_RETURN(TransitKey made, TransitKey::Create(name, type, derived, now_()));
      k = std::make_unique<TransitKey>(std::move(made));
      return {};
    });
    if (!created) {
      return Error(created.error().code == ErrorCode::kInvalidArgument ? 400 : 500,
                   created.error().message);
    }
    key = *created;
  }
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    if (!item.contains("plaintext")) return Invalid("missing plaintext to encrypt");
    TRESOR_ASSIGN_OR_RETURN(Bytes plaintext, Base64Field(item, "plaintext"));
    TRESOR_ASSIGN_OR_RETURN(const Bytes context, Base64Field(item, "context"));
    TRESOR_ASSIGN_OR_RETURN(const Bytes aad, Base64Field(item, "associated_data"));
    TRESOR_ASSIGN_OR_RETURN(const int version, VersionOf(item));
    auto ciphertext = key->Encrypt(plaintext, context, aad, version);
    crypto::Wipe(plaintext);
    if (!ciphertext) return ciphertext.error();
    return Json{{"ciphertext", *ciphertext},
                {"key_version", *TransitKey::CiphertextVersion(*ciphertext)}};
  });
}

http::Response Transit::Decrypt(const std::string& name, const Json& body) {
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    TRESOR_ASSIGN_OR_RETURN(const Opened opened, Open(*key, item));
    return Json{{"plaintext", age::EncodeBase64Padded(opened.plaintext.Reveal())}};
  });
}

http::Response Transit::Rewrap(const std::string& name, const Json& body) {
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    TRESOR_ASSIGN_OR_RETURN(const int version, VersionOf(item));
    TRESOR_ASSIGN_OR_RETURN(const Opened opened, Open(*key, item));
    TRESOR_ASSIGN_OR_RETURN(
        const std::string rewrapped,
        key->Encrypt(opened.plaintext.Reveal(), opened.context, opened.aad, version));
    return Json{{"ciphertext", rewrapped},
                {"key_version", *TransitKey::CiphertextVersion(rewrapped)}};
  });
}

http::Response Transit::DataKey(const std::string& kind, const std::string& name,
                                const Json& body) {
  if (kind != "plaintext" && kind != "wrapped") {
    return Error(400, "invalid type \"" + kind + "\": plaintext or wrapped");
  }
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  int64_t bits = 256;
  if (body.contains("bits")) {
    const Json& b = body["bits"];
    bits = b.is_number_integer() ? b.get<int64_t>()
           : b.is_string()       ? std::atoll(b.get<std::string>().c_str())
                                 : 0;
  }
  if (bits != 128 && bits != 256 && bits != 512) {
    return Error(400, "invalid bits: 128, 256 or 512");
  }
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    TRESOR_ASSIGN_OR_RETURN(const Bytes context, Base64Field(item, "context"));
    TRESOR_ASSIGN_OR_RETURN(const int version, VersionOf(item));
    const crypto::SecretBytes data_key = crypto::RandomSecret(static_cast<size_t>(bits / 8));
    TRESOR_ASSIGN_OR_RETURN(const std::string ciphertext,
                            key->Encrypt(data_key.Reveal(), context, {}, version));
    Json out{{"ciphertext", ciphertext},
             {"key_version", *TransitKey::CiphertextVersion(ciphertext)}};
    if (kind == "plaintext") out["plaintext"] = age::EncodeBase64Padded(data_key.Reveal());
    return out;
  });
}

http::Response Transit::Hmac(const std::string& name, const std::string& algorithm,
                             const Json& body) {
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  const std::string chosen = algorithm.empty() ? TextField(body, "algorithm") : algorithm;
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    if (!item.contains("input")) return Invalid("missing input for HMAC");
    TRESOR_ASSIGN_OR_RETURN(const Bytes input, Base64Field(item, "input"));
    TRESOR_ASSIGN_OR_RETURN(const int version, VersionOf(item));
    if (version > key->latest) return Invalid("cannot use a key version higher than the latest");
    if (version != 0 && version < key->min_encryption_version) {
      return Invalid("cannot use a key version lower than min_encryption_version");
    }
    TRESOR_ASSIGN_OR_RETURN(const std::string mac, key->Hmac(input, chosen, version));
    return Json{{"hmac", mac}};
  });
}

http::Response Transit::Verify(const std::string& name, const std::string& algorithm,
                               const Json& body) {
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  const std::string chosen = algorithm.empty() ? TextField(body, "hash_algorithm") : algorithm;
  SignOptions options;
  if (key->signs()) {
    if (auto refused = SigningOptions(*key, algorithm, body, &options)) return *refused;
  }
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    if (item.contains("signature")) {
      TRESOR_ASSIGN_OR_RETURN(const Bytes input, Base64Field(item, "input"));
      TRESOR_ASSIGN_OR_RETURN(const bool valid,
                              key->Verify(input, TextField(item, "signature"), options));
      return Json{{"valid", valid}};
    }
    const std::string given = TextField(item, "hmac");
    if (given.empty()) return Invalid("missing hmac value to verify");
    TRESOR_ASSIGN_OR_RETURN(const Bytes input, Base64Field(item, "input"));
    TRESOR_ASSIGN_OR_RETURN(const int version, TransitKey::CiphertextVersion(given));
    if (version < key->min_decryption_version) {
      return Invalid("invalid HMAC: version is disallowed by policy (too old)");
    }
    if (version > key->latest) return Invalid("invalid HMAC: version is too new");
    TRESOR_ASSIGN_OR_RETURN(const std::string expected, key->Hmac(input, chosen, version));
    // Compared in time independent of where they differ.
    bool same = expected.size() == given.size();
    unsigned diff = 0;
    for (size_t i = 0; same && i < given.size(); ++i) {
      diff |= static_cast<unsigned char>(expected[i]) ^ static_cast<unsigned char>(given[i]);
    }
    return Json{{"valid", same && diff == 0}};
  });
}

std::optional<http::Response> Transit::SigningOptions(const TransitKey& key,
                                                      const std::string& algorithm,
                                                      const Json& body, SignOptions* options) {
  options->prehashed = body.is_object() && body.contains("prehashed") && body["prehashed"] == true;
  if (options->prehashed && key.type == KeyType::kEd25519) {
    return Error(400, "prehashed input is not supported for ed25519 keys");
  }
  const std::string marshaling = TextField(body, "marshaling_algorithm");
  if (!marshaling.empty() && marshaling != "asn1") {
    return Error(
        400, "marshaling_algorithm \"" + marshaling + "\" is not supported by tresor (asn1 is)");
  }
  const std::string hash = algorithm.empty() ? TextField(body, "hash_algorithm") : algorithm;
  if (!hash.empty()) options->hash = hash;
  return std::nullopt;
}

http::Response Transit::Sign(const std::string& name, const std::string& algorithm,
                             const Json& body) {
  std::shared_ptr<const TransitKey> key;
  if (auto refused = Existing(name, &key)) return *refused;
  SignOptions options;
  if (auto refused = SigningOptions(*key, algorithm, body, &options)) return *refused;
  return PerItem(body, [&](const Json& item) -> Result<Json> {
    if (!item.contains("input")) return Invalid("missing input to sign");
    TRESOR_ASSIGN_OR_RETURN(const Bytes input, Base64Field(item, "input"));
    TRESOR_ASSIGN_OR_RETURN(const int version, VersionOf(item));
    TRESOR_ASSIGN_OR_RETURN(const std::string signature, key->Sign(input, version, options));
    return Json{{"signature", signature},
                {"key_version", *TransitKey::CiphertextVersion(signature)}};
  });
}

}  // namespace tresor::server::transit
