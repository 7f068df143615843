#include "server/cubbyhole.h"

#include "server/core.h"
#include "server/kv/kv1.h"
#include "server/kv/kv_engine.h"

namespace tresor::server {
namespace {
constexpr std::string_view kPrefix = "cubbyhole/";
constexpr size_t kDeletesPerBatch = 64;
}  // namespace

std::string CubbyholePrefix(const std::string& token_key) {
  return std::string(kPrefix) + token_key + "/";
}

http::Response Core::Cubbyhole(const http::Request& request, const std::string& rest,
                               const Json& body, const Caller& caller) {
  KvV1 box(*barrier_, CubbyholePrefix(caller.key));
  return HandleKv1(request, box, rest, body);
}

size_t SweepCubbyholes(store::Barrier& barrier, TokenStore& tokens) {
  auto keys = barrier.Keys(std::string(kPrefix));
  if (!keys) return 0;
  std::vector<store::Write> gone;
  size_t deleted = 0;
  std::string owner;
  bool alive = true;
  for (std::string& key : *keys) {
    const size_t slash = key.find('/', kPrefix.size());
    const std::string_view token_key =
        std::string_view(key).substr(kPrefix.size(), slash - kPrefix.size());
    if (token_key != owner) {  // keys come sorted: one lookup per cubbyhole
      owner = std::string(token_key);
      alive = tokens.Contains(owner);
    }
    if (alive) continue;
    gone.push_back(store::Write{std::move(key), std::nullopt});
    if (gone.size() == kDeletesPerBatch) {
      if (barrier.Apply(std::exchange(gone, {}))) deleted += kDeletesPerBatch;
    }
  }
  if (!gone.empty() && barrier.Apply(gone)) deleted += gone.size();
  return deleted;
}

}  // namespace tresor::server
