#include "server/seal.h"

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "crypto/shamir.h"
#include "crypto/value_aead.h"
#include "server/times.h"

namespace tresor::server {
namespace {

constexpr char kConfigPath[] = "core/seal-config";
// After a rekey: the root key sealed under the key the shares make.
constexpr char kShamirRootKeyPath[] = "core/root-key/shamir";

std::span<const uint8_t> Aad(std::string_view path) {
  return {reinterpret_cast<const uint8_t*>(path.data()), path.size()};
}

store::Bytes ToBytes(std::string_view s) { return store::Bytes(s.begin(), s.end()); }

// Where a wrapper's root key is kept: "core/root-key/age", ".../transit".
std::string WrappedRootKeyPath(const std::string& type) { return "core/root-key/" + type; }

}  // namespace

Seal::Seal(std::shared_ptr<store::Storage> storage, std::shared_ptr<RootKeyWrapper> wrapper)
    : storage_(std::move(storage)), wrapper_(std::move(wrapper)) {}

Result<std::optional<Seal::Config>> Seal::LoadConfig() {
  TRESOR_ASSIGN_OR_RETURN(auto bytes, storage_->Get(kConfigPath));
  if (!bytes) return std::optional<Config>();
  const auto json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!json.is_object() || !json.contains("type") || !json["type"].is_string()) {
    return MakeError(ErrorCode::kIntegrity, std::string(kConfigPath) + ": malformed");
  }
  Config c;
  c.type = json["type"].get<std::string>();
  c.shares = json.value("secret_shares", 0);
  c.threshold = json.value("secret_threshold", 0);
  return std::optional<Config>(c);
}

Result<bool> Seal::Initialized() {
  TRESOR_ASSIGN_OR_RETURN(auto config, LoadConfig());
  return config.has_value();
}

Result<InitResult> Seal::Init(int shares, int threshold) {
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto existing, LoadConfig());
  if (existing) return MakeError(ErrorCode::kRefused, "the store is already initialized");
  // A shared store's prefix may hold what is not tresor's (a wrong prefix,
  // another program's keys): never initialise into it. Only the entries of
  // nodes running on it (cluster/) may be there.
  TRESOR_ASSIGN_OR_RETURN(auto present, storage_->List("", "", 1));
  if (!present.empty() && present.front().starts_with("cluster/")) {
    TRESOR_ASSIGN_OR_RETURN(present, storage_->List("", std::string("cluster/") + '\xff', 1));
  }
  if (!present.empty()) {
    // Another node may have initialised it since the check above.
    TRESOR_ASSIGN_OR_RETURN(auto now, LoadConfig());
    if (now) return MakeError(ErrorCode::kRefused, "the store is already initialized");
    return MakeError(ErrorCode::kIntegrity,
                     "the " + storage_->type() +
                         " store holds data that is not a tresor "
                         "store's (a key \"" +
                         present.front() +
                         "\") and no tresor seal configuration: initialising would mix with "
                         "it; use an empty prefix");
  }
  if (wrapper_) {
    shares = 0;
    threshold = 0;
  } else {
    TRESOR_RETURN_IF_ERROR(CheckShares(shares, threshold));
  }
  auto root_key = crypto::RandomSecret(kRootKeySize);
  store::Keyring keyring = store::Keyring::Generate(NowUnix());
  std::vector<store::Write> writes;
  const nlohmann::json config{{"type", wrapper_ ? wrapper_->type() : "shamir"},
                              {"secret_shares", shares},
                              {"secret_threshold", threshold}};
  writes.push_back({kConfigPath, ToBytes(config.dump())});
  writes.push_back({store::kKeyringPath, keyring.Seal(root_key)});
  InitResult result;
  if (wrapper_) {
    TRESOR_ASSIGN_OR_RETURN(auto wrapped, wrapper_->Wrap(root_key));
    writes.push_back({WrappedRootKeyPath(wrapper_->type()), std::move(wrapped)});
  } else if (shares == 1) {
    result.shares.push_back(crypto::SecretBytes::CopyOf(root_key.Reveal()));
  } else {
    TRESOR_ASSIGN_OR_RETURN(result.shares, crypto::SplitSecret(root_key, shares, threshold));
  }
  // One create-if-absent transaction: of two nodes initialising one store
  // at once, exactly one wins; the other's root key is never stored.
  store::Txn txn{{{kConfigPath, 0}, {store::kKeyringPath, 0}}, std::move(writes)};
  TRESOR_ASSIGN_OR_RETURN(const store::TxnResult committed, storage_->Commit(std::move(txn)));
  if (!committed.applied) {
    return MakeError(ErrorCode::kRefused, "the store is already initialized");
  }
  result.barrier =
      std::make_shared<store::Barrier>(storage_, std::move(keyring), std::move(root_key));
  return result;
}

Result<std::shared_ptr<store::Barrier>> Seal::OpenWithRootKey(const crypto::SecretBytes& root_key) {
  TRESOR_ASSIGN_OR_RETURN(auto sealed, storage_->Get(store::kKeyringPath));
  if (!sealed) {
    return MakeError(ErrorCode::kIntegrity,
                     "the store has a seal configuration but no keyring; refusing to go on");
  }
  TRESOR_ASSIGN_OR_RETURN(auto keyring, store::Keyring::Open(*sealed, root_key));
  return std::make_shared<store::Barrier>(
      storage_, std::move(keyring),
      crypto::SecretBytes::CopyOf(root_key.Reveal(), crypto::Lifetime::kLong));
}

Result<std::shared_ptr<store::Barrier>> Seal::AddShare(std::span<const uint8_t> share) {
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto config, LoadConfig());
  if (!config) return MakeError(ErrorCode::kRefused, "the store is not initialized");
  if (config->type != "shamir") {
    return MakeError(ErrorCode::kRefused,
                     "this server is unsealed by its " + config->type + " seal, not keys");
  }
  const size_t size = config->shares == 1 ? kRootKeySize : kRootKeySize + 1;
  if (share.size() != size) {
    return MakeError(ErrorCode::kInvalidArgument, "the unseal key has the wrong length");
  }
  for (const auto& given : progress_) {
    if (crypto::ConstantTimeEqual(given.Reveal(), share)) {
      return MakeError(ErrorCode::kInvalidArgument, "this unseal key was already given");
    }
  }
  progress_.push_back(crypto::SecretBytes::CopyOf(share));
  if (static_cast<int>(progress_.size()) < config->threshold) {
    return std::shared_ptr<store::Barrier>();
  }
  std::vector<crypto::SecretBytes> given = std::move(progress_);
  progress_.clear();
  auto barrier = OpenWithShares(*config, std::move(given));
  if (!barrier) {
    return MakeError(ErrorCode::kIntegrity,
                     "unseal failed: these keys do not open the keyring; start again");
  }
  return barrier;
}

Result<void> Seal::CheckShares(int shares, int threshold) {
  if (shares < 1 || shares > 255 || threshold < 1 || threshold > shares ||
      (shares > 1 && threshold == 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "shares and threshold must satisfy 1 <= threshold <= shares <= 255, with a "
                     "threshold above 1 when there is more than one share");
  }
  return {};
}

Result<crypto::SecretBytes> Seal::RootKeyFromShares(const Config& config,
                                                    std::vector<crypto::SecretBytes> given) {
  crypto::SecretBytes made;
  if (config.threshold == 1) {
    made = std::move(given.front());
  } else {
    TRESOR_ASSIGN_OR_RETURN(made, crypto::CombineShares(given));
  }
  // Before any rekey the shares make the root key itself.
  TRESOR_ASSIGN_OR_RETURN(auto wrapped, storage_->Get(kShamirRootKeyPath));
  if (!wrapped) return made;
  auto root_key = crypto::OpenValue(made.Reveal(), Aad(kShamirRootKeyPath), *wrapped);
  if (!root_key) {
    return MakeError(ErrorCode::kIntegrity, "these keys do not open the root key");
  }
  return std::move(*root_key);
}

Result<std::shared_ptr<store::Barrier>> Seal::OpenWithShares(
    const Config& config, std::vector<crypto::SecretBytes> given) {
  TRESOR_ASSIGN_OR_RETURN(auto root_key, RootKeyFromShares(config, std::move(given)));
  return OpenWithRootKey(root_key);
}

Result<std::vector<crypto::SecretBytes>> Seal::Rekey(std::vector<crypto::SecretBytes> current,
                                                     int shares, int threshold) {
  TRESOR_RETURN_IF_ERROR(CheckShares(shares, threshold));
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto stored, storage_->Read(kConfigPath));
  const uint64_t config_revision = stored.has_value() ? stored->revision : 0;
  TRESOR_ASSIGN_OR_RETURN(auto config, LoadConfig());
  if (config_revision == 0 || !config || config->type != "shamir") {
    return MakeError(ErrorCode::kRefused, "this server has no unseal keys to change");
  }
  TRESOR_RETURN_IF_ERROR(CheckGiven(*config, current));
  auto root_key = RootKeyFromShares(*config, std::move(current));
  if (!root_key || !OpenWithRootKey(*root_key)) {
    return MakeError(ErrorCode::kIntegrity, "these keys do not open the keyring; start again");
  }
  // A new key for the shares, sealing the same root key: nothing stored
  // under the root key changes, every node keeps going, and the old shares
  // open nothing from the moment this is stored.
  auto unseal_key = crypto::RandomSecret(kRootKeySize);
  const nlohmann::json next{
      {"type", "shamir"}, {"secret_shares", shares}, {"secret_threshold", threshold}};
  std::vector<store::Write> writes{
      {kConfigPath, ToBytes(next.dump())},
      {kShamirRootKeyPath,
       crypto::SealValue(unseal_key.Reveal(), Aad(kShamirRootKeyPath), root_key->Reveal())}};
  store::Txn txn{{{kConfigPath, config_revision}}, std::move(writes)};
  TRESOR_ASSIGN_OR_RETURN(const store::TxnResult committed, storage_->Commit(std::move(txn)));
  if (!committed.applied) {
    return MakeError(ErrorCode::kUnavailable,
                     "the seal configuration changed meanwhile (another rekey); start again");
  }
  progress_.clear();  // keys given towards an unseal were the old ones
  if (shares == 1) {
    std::vector<crypto::SecretBytes> one;
    one.push_back(std::move(unseal_key));
    return one;
  }
  return crypto::SplitSecret(unseal_key, shares, threshold);
}

Result<void> Seal::VerifyShares(std::vector<crypto::SecretBytes> shares) {
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto config, LoadConfig());
  if (!config || config->type != "shamir") {
    return MakeError(ErrorCode::kRefused, "this server has no unseal keys to check");
  }
  TRESOR_RETURN_IF_ERROR(CheckGiven(*config, shares));
  if (!OpenWithShares(*config, std::move(shares))) {
    return MakeError(ErrorCode::kIntegrity, "these keys do not open the keyring; start again");
  }
  return {};
}

Result<void> Seal::CheckGiven(const Config& config, const std::vector<crypto::SecretBytes>& given) {
  if (static_cast<int>(given.size()) != config.threshold) {
    return MakeError(ErrorCode::kRefused, "this server has no unseal keys to check");
  }
  const size_t size = config.shares == 1 ? kRootKeySize : kRootKeySize + 1;
  for (const auto& share : given) {
    if (share.size() != size) {
      return MakeError(ErrorCode::kInvalidArgument, "an unseal key has the wrong length");
    }
  }
  return {};
}

void Seal::ResetProgress() {
  const std::lock_guard lock(mutex_);
  progress_.clear();
}

Result<std::shared_ptr<store::Barrier>> Seal::UnsealWithWrapper() {
  const std::lock_guard lock(mutex_);
  TRESOR_ASSIGN_OR_RETURN(auto config, LoadConfig());
  if (!config) return MakeError(ErrorCode::kRefused, "the store is not initialized");
  if (!wrapper_ || config->type != wrapper_->type()) {
    const auto named = [](const std::string& type) {
      return type == "shamir" ? std::string("Shamir keys") : "the " + type + " seal";
    };
    return MakeError(ErrorCode::kRefused, "this store is sealed with " + named(config->type) +
                                              ", not " +
                                              (wrapper_ ? named(wrapper_->type()) : "keys"));
  }
  const std::string path = WrappedRootKeyPath(config->type);
  TRESOR_ASSIGN_OR_RETURN(auto stored, storage_->Read(path));
  if (!stored) return MakeError(ErrorCode::kIntegrity, path + ": missing");
  TRESOR_ASSIGN_OR_RETURN(auto root_key, wrapper_->Unwrap(stored->value));
  TRESOR_ASSIGN_OR_RETURN(auto barrier, OpenWithRootKey(root_key));
  // Only once the key has opened the keyring: a rotated transit key gets
  // the root key wrapped under its newest version, so that old versions
  // can be retired. Conditional on what was read: of two nodes, one writes.
  TRESOR_ASSIGN_OR_RETURN(auto rewrapped, wrapper_->Rewrap(stored->value));
  if (rewrapped) {
    store::Txn txn{{{path, stored->revision}}, {{path, std::move(*rewrapped)}}};
    TRESOR_RETURN_IF_ERROR(storage_->Commit(std::move(txn)));
  }
  return barrier;
}

SealStatus Seal::Status(bool sealed) {
  SealStatus s;
  s.sealed = sealed;
  auto config = LoadConfig();
  if (config && *config) {
    s.initialized = true;
    s.type = (*config)->type;
    s.shares = (*config)->shares;
    s.threshold = (*config)->threshold;
  }
  const std::lock_guard lock(mutex_);
  s.progress = static_cast<int>(progress_.size());
  return s;
}

}  // namespace tresor::server
