#include "store/barrier.h"

#include "crypto/big_endian.h"
#include "crypto/kdf.h"
#include "crypto/value_aead.h"
#include "store/pending_writes.h"

namespace tresor::store {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr size_t kRecordHead = 5;  // version, term

thread_local NotedWrites noted;

}  // namespace

void NoteWrite(uint64_t seq) { noted.seq = std::max(noted.seq, seq); }
void NoteWriteFailure(bool unreachable) {
  noted.failed = true;
  noted.unreachable = noted.unreachable || unreachable;
}
NotedWrites TakeNotedWrites() { return std::exchange(noted, NotedWrites{}); }

// Submits `writes`, noting the batch (or the refusal) for the request.
Result<uint64_t> Barrier::Apply(std::vector<Write> writes) {
  TRESOR_ASSIGN_OR_RETURN(const TxnResult result, ApplyIf({}, std::move(writes)));
  return result.revision;
}

Result<TxnResult> Barrier::ApplyIf(std::vector<Condition> conditions, std::vector<Write> writes) {
  std::vector<std::string> keys;
  keys.reserve(writes.size());
  for (const Write& w : writes) keys.push_back(w.key);
  auto result = storage_->Transact(Txn{std::move(conditions), std::move(writes)});
  if (!result) {
    NoteWriteFailure(result.error().code == ErrorCode::kUnavailable);
    return std::move(result).error();
  }
  if (!result->applied) return *result;
  for (const std::string& key : keys) local_writes_.Wrote(key, result->revision);
  NoteWrite(result->revision);
  return *result;
}

Barrier::Barrier(std::shared_ptr<Storage> storage, Keyring keyring, crypto::SecretBytes root_key,
                 size_t max_keys)
    : storage_(std::move(storage)),
      root_key_(std::move(root_key)),
      max_keys_(max_keys),
      keyring_(std::make_shared<const Keyring>(std::move(keyring))) {}

std::shared_ptr<const Keyring> Barrier::keyring() const {
  const std::lock_guard lock(keyring_mutex_);
  return keyring_;
}

void Barrier::AdoptLocked(Keyring keyring) const {
  if (keyring.active_term() > keyring_->active_term()) {
    keyring_ = std::make_shared<const Keyring>(std::move(keyring));
  }
}

Result<void> Barrier::Adopt(std::span<const uint8_t> sealed) {
  if (root_key_.empty()) return MakeError(ErrorCode::kRefused, "no root key to open the keyring");
  TRESOR_ASSIGN_OR_RETURN(Keyring stored, Keyring::Open(sealed, root_key_));
  const std::lock_guard lock(keyring_mutex_);
  AdoptLocked(std::move(stored));
  return {};
}

bool Barrier::Reload() const {
  if (root_key_.empty()) return false;
  auto record = storage_->Read(kKeyringPath);
  if (!record || !*record) return false;
  auto stored = Keyring::Open((*record)->value, root_key_);
  if (!stored) return false;
  const std::lock_guard lock(keyring_mutex_);
  const uint32_t before = keyring_->active_term();
  AdoptLocked(std::move(*stored));
  return keyring_->active_term() > before;
}

Result<uint32_t> Barrier::Rotate(int64_t now) {
  if (root_key_.empty()) return MakeError(ErrorCode::kRefused, "no root key to seal the keyring");
  // Another node rotating at the same moment: read its keyring, add to it.
  for (int attempt = 0; attempt < 8; ++attempt) {
    TRESOR_ASSIGN_OR_RETURN(auto record, storage_->Read(kKeyringPath));
    if (!record) return MakeError(ErrorCode::kIntegrity, "the store has no keyring");
    TRESOR_ASSIGN_OR_RETURN(Keyring stored, Keyring::Open(record->value, root_key_));
    // Each key stays for the records sealed with it: a bound keeps the
    // keyring a record any store takes (etcd: 1.5 MiB).
    if (stored.size() >= max_keys_) {
      return MakeError(
          ErrorCode::kRefused,
          "the keyring already holds " + std::to_string(max_keys_) + " keys, the most it keeps");
    }
    Keyring next = stored.Rotated(now);
    const uint32_t term = next.active_term();
    std::vector<Write> writes{Write{kKeyringPath, next.Seal(root_key_)}};
    TRESOR_ASSIGN_OR_RETURN(
        const TxnResult result,
        ApplyIf({Condition{kKeyringPath, record->revision}}, std::move(writes)));
    if (result.applied) {
      const std::lock_guard lock(keyring_mutex_);
      AdoptLocked(std::move(next));
      return term;
    }
  }
  return MakeError(ErrorCode::kRefused, "the keyring kept changing while it was rotated");
}

Result<crypto::SecretBytes> Barrier::Open(const std::string& key, const Bytes& record) const {
  const auto fail = MakeError(ErrorCode::kIntegrity, key + ": stored record does not decrypt");
  if (record.size() < kRecordHead || record[0] != kRecordVersion) return fail;
  const uint32_t term = crypto::ReadU32(std::span<const uint8_t>(record).subspan(1));
  std::shared_ptr<const Keyring> keyring = this->keyring();
  // A term from another node's rotation that the watch has not brought yet.
  if (keyring->Key(term) == nullptr && storage_->remote() && Reload()) keyring = this->keyring();
  const crypto::SecretBytes* k = keyring->Key(term);
  if (k == nullptr) return fail;
  auto plain = crypto::OpenValue(k->Reveal(), crypto::AsBytes(key),
                                 std::span<const uint8_t>(record).subspan(kRecordHead));
  if (!plain) return fail;
  return std::move(*plain);
}

Result<std::optional<crypto::SecretBytes>> Barrier::Get(const std::string& key) {
  TRESOR_ASSIGN_OR_RETURN(auto record, storage_->Get(key));
  if (!record) return std::optional<crypto::SecretBytes>();
  TRESOR_ASSIGN_OR_RETURN(auto plain, Open(key, *record));
  return std::optional<crypto::SecretBytes>(std::move(plain));
}

Result<std::optional<Barrier::Opened>> Barrier::Read(const std::string& key) {
  TRESOR_ASSIGN_OR_RETURN(auto record, storage_->Read(key));
  if (!record) return std::optional<Opened>();
  TRESOR_ASSIGN_OR_RETURN(auto plain, Open(key, record->value));
  return std::optional<Opened>(Opened{std::move(plain), record->revision});
}

Result<std::vector<std::string>> Barrier::Keys(const std::string& prefix) {
  return storage_->Keys(prefix);
}

Result<void> Barrier::Scan(
    const std::string& prefix,
    const std::function<bool(const std::string&, crypto::SecretBytes)>& visit) {
  std::optional<Error> failure;
  TRESOR_RETURN_IF_ERROR(storage_->Scan(prefix, [&](const std::string& key, const Record& record) {
    auto plain = Open(key, record.value);
    if (!plain) {
      failure = std::move(plain).error();
      return false;
    }
    return visit(key, std::move(*plain));
  }));
  if (failure) return *failure;
  return {};
}

Write Barrier::Seal(const std::string& key, std::span<const uint8_t> plaintext) const {
  const std::shared_ptr<const Keyring> keyring = this->keyring();
  const uint32_t term = keyring->active_term();
  Bytes record{kRecordVersion};
  crypto::AppendU32(record, term);
  const auto sealed =
      crypto::SealValue(keyring->Key(term)->Reveal(), crypto::AsBytes(key), plaintext);
  record.insert(record.end(), sealed.begin(), sealed.end());
  return Write{key, std::move(record)};
}

Result<uint64_t> Barrier::Put(const std::string& key, std::span<const uint8_t> plaintext) {
  std::vector<Write> writes;
  writes.push_back(Seal(key, plaintext));
  return Apply(std::move(writes));
}

Result<uint64_t> Barrier::Delete(const std::string& key) {
  std::vector<Write> writes;
  writes.push_back(Write{key, std::nullopt});
  return Apply(std::move(writes));
}

}  // namespace tresor::store
