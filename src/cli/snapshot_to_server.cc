// tresor operator snapshot restore --to server: into a running server.
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/confirm.h"
#include "cli/snapshot_command.h"
#include "client/session.h"
#include "store/snapshot.h"

namespace tresor::cli {
namespace {

// The largest request the server takes (http/request_parser.h).
constexpr size_t kMaxStream = size_t{32} << 20;

// Keeps the decrypted stream, refusing one larger than a request may be.
class BoundedSink : public age::Sink {
 public:
  explicit BoundedSink(std::string name) : name_(std::move(name)) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    if (bytes_.size() + data.size() > kMaxStream) {
      return MakeError(ErrorCode::kRefused,
                       name_ +
                           ": the snapshot is over 32 MiB, more than one request to the server "
                           "may carry; restore it offline (--to sqlite:DIR, the server stopped)");
    }
    bytes_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string name_;
  std::string bytes_;  // records still sealed by the saved store's barrier
};

}  // namespace

Result<void> RestoreIntoServer(const SnapshotOptions& o) {
  const std::string file = o.file.empty() || o.file == "-" ? "stdin" : o.file;
  const std::string address = client::ServerAddress(
      o.store == "server" ? "" : o.store.substr(std::string("server:").size()));
  BoundedSink stream(file);
  TRESOR_RETURN_IF_ERROR(DecryptSnapshot(o, stream));
  // Checked here, before anyone is asked: the server checks it again.
  store::SnapshotReader reader([](std::string, store::Bytes) -> Result<void> { return {}; });
  TRESOR_RETURN_IF_ERROR(reader.Feed(crypto::AsBytes(stream.bytes())));
  auto checked = reader.Finish();
  if (!checked) return WithPlace(file, std::move(checked).error());
  TRESOR_RETURN_IF_ERROR(Confirm(o.yes, "tresor operator snapshot restore",
                                 "Replace every secret on " + address + " with the " +
                                     std::to_string(checked->records) + " records of " + file +
                                     "? The server seals itself; unseal it with the unseal keys "
                                     "of the store the snapshot was saved from."));
  UseAgentToken(address);
  TRESOR_ASSIGN_OR_RETURN(
      client::Json answer,
      client::CallServerWithBytes(address, "POST", "sys/tresor/snapshot", stream.bytes()));
  const client::Json& data = answer["data"];
  if (o.json) {
    std::printf("%s\n", client::Json{{"to", address},
                                     {"file", o.file},
                                     {"records", data.value("records", uint64_t{0})},
                                     {"bytes", data.value("bytes", uint64_t{0})},
                                     {"sha256", data.value("sha256", "")},
                                     {"sealed", true}}
                            .dump()
                            .c_str());
    return {};
  }
  std::printf(
      "restored %llu records (%llu bytes) from %s into %s, sha256:%s; the server is "
      "sealed: unseal it with the saved store's unseal keys\n",
      static_cast<unsigned long long>(data.value("records", uint64_t{0})),
      static_cast<unsigned long long>(data.value("bytes", uint64_t{0})), file.c_str(),
      address.c_str(), data.value("sha256", "").c_str());
  return {};
}

}  // namespace tresor::cli
