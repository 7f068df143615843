// sys/tresor/snapshot: a snapshot restored into the running server.
#include <algorithm>

#include "crypto/secret_bytes.h"
#include "server/api.h"
#include "server/core.h"
#include "server/responses.h"
#include "store/pending_writes.h"
#include "store/snapshot.h"

namespace tresor::server {

namespace {

// A store the snapshot must hold for the server to open it afterwards.
constexpr char kSealConfig[] = "core/seal-config";

}  // namespace

// Replaces every record of the store with those of a snapshot stream
// (store/snapshot.h: the CLI decrypts the age file and sends the stream),
// then seals the server: what it holds in memory was the old store's, and
// the restored store opens with the unseal keys of the one it was saved
// from. The stream is read and checked whole (record count and digest)
// before anything changes, and the records are replaced in one transaction,
// so a bad snapshot changes nothing. Needs sudo on the path (root has it).
// Not on etcd, whose transactions hold a few hundred writes: there the
// replacement could not be all or nothing.
http::Response Api::RestoreSnapshot(const http::Request& request) {
  if (!IsWrite(request)) return Error(405, "unsupported operation");
  auto core = this->core();
  if (core == nullptr) return Error(503, "Vault is sealed");
  const std::string path = "sys/tresor/snapshot";
  auto caller = core->Authorize(request, path, acl::kUpdate);
  if (!caller || !core->HasSudo(*caller, path)) return Error(403, "permission denied");
  if (options_.storage->type() == "etcd") {
    return Error(400,
                 "a store on etcd is restored offline: stop the nodes, restore into "
                 "sqlite:DIR and migrate it to etcd (tresor operator migrate)");
  }
  std::vector<store::Write> writes;
  store::SnapshotReader reader([&](std::string key, store::Bytes value) -> Result<void> {
    if (key.starts_with(store::kMembershipPrefix)) return {};  // the nodes' own, never data
    writes.push_back({std::move(key), std::move(value)});
    return {};
  });
  auto fed = reader.Feed(crypto::AsBytes(request.body));
  auto summary = fed ? reader.Finish() : Result<store::SnapshotSummary>(std::move(fed).error());
  if (!summary) return Error(400, "snapshot: " + summary.error().message);
  const size_t restored = writes.size();
  // The snapshot's records come in key order.
  const auto holds = [&](const std::string& key) {
    const auto end = writes.begin() + static_cast<std::ptrdiff_t>(restored);
    const auto at = std::lower_bound(
        writes.begin(), end, key,
        [](const store::Write& write, const std::string& k) { return write.key < k; });
    return at != end && at->key == key;
  };
  if (!holds(kSealConfig)) {
    return Error(400, "snapshot: not of an initialised store (no core/seal-config)");
  }
  auto existing = options_.storage->Keys("");
  if (!existing) return Error(500, "storage: " + existing.error().message);
  for (std::string& key : *existing) {
    if (!key.starts_with(store::kMembershipPrefix) && !holds(key)) {
      writes.push_back({std::move(key), std::nullopt});
    }
  }
  // Sealed first: nothing this node runs writes with the old keys afterwards.
  std::atomic_store(&core_, std::shared_ptr<Core>());
  if (options_.log) {
    options_.log("warn", "restoring a snapshot: sealed",
                 Json{{"records", summary->records}, {"sha256", summary->sha256}});
  }
  auto applied = options_.storage->Transact(store::Txn{{}, std::move(writes)});
  if (!applied) {
    return Error(500, "storage: " + applied.error().message + "; the store is as it was (sealed)");
  }
  store::NoteWrite(applied->revision);  // answered once durable
  return Envelope(200, Json{{"records", restored},
                            {"bytes", summary->bytes},
                            {"sha256", summary->sha256},
                            {"sealed", true}});
}

}  // namespace tresor::server
