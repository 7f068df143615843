// Read-your-writes across nodes: a request that carries X-Vault-Index (a
// store revision a client saw in an earlier response, from any node) is
// answered only once this node has applied that revision; it waits off the
// worker threads, up to ApiOptions::index_wait, then gets 429 with
// Retry-After. X-Vault-Inconsistent: fail asks for the 429 at once.
#include <charconv>

#include "server/api.h"
#include "server/responses.h"

namespace tresor::server {
namespace {

http::Response Behind(uint64_t wanted, uint64_t applied) {
  http::Response r =
      Error(429, "this node has applied revision " + std::to_string(applied) + ", not yet " +
                     std::to_string(wanted) + "; retry, or send the request to another node");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Sends `response` through `reply`, once it is ready.
void Finish(http::Response response, const http::Reply& reply) {
  if (response.defer) {
    response.defer(reply);
  } else {
    reply(std::move(response));
  }
}

}  // namespace

std::optional<http::Response> Api::AwaitIndex(const http::Request& request) {
  const std::string* index = request.Header("x-vault-index");
  if (index == nullptr) return std::nullopt;
  uint64_t wanted = 0;
  const auto [end, ec] = std::from_chars(index->data(), index->data() + index->size(), wanted);
  if (ec != std::errc() || end != index->data() + index->size()) {
    return Error(400, "X-Vault-Index: expected a revision (a decimal number) from a response");
  }
  auto core = this->core();
  if (core == nullptr || core->applied() >= wanted) return std::nullopt;
  const std::string* inconsistent = request.Header("x-vault-inconsistent");
  if (inconsistent != nullptr && *inconsistent == "fail") return Behind(wanted, core->applied());
  http::Response held;
  held.defer = [this, core, wanted, request](http::Reply reply) {
    // The callback holds no reference to the core: it may run on the
    // watch's thread, which must not be the one to destroy it.
    core->WhenApplied(wanted, [this, wanted, request, reply](bool ok) {
      const auto applied = [this] {
        auto now = this->core();
        return now ? now->applied() : 0;
      };
      if (!ok) return reply(Behind(wanted, applied()));
      if (!index_pool_.Submit([this, request, reply] { Finish(Handle(request), reply); })) {
        reply(Behind(wanted, applied()));
      }
    });
  };
  return held;
}

void Api::ReloadLostCore() {
  auto core = this->core();
  if (core == nullptr) return;
  auto why = core->lost();
  if (!why) return;
  auto reloaded = Core::Load(core->shared_barrier());
  if (!reloaded) {
    if (options_.log) {
      options_.log("error", "storage: the watch broke and the state cannot be loaded again",
                   Json{{"error", reloaded.error().message}});
    }
    return;
  }
  std::atomic_store(&core_, std::shared_ptr<Core>(std::move(*reloaded)));
  if (options_.log) {
    options_.log("warn", "storage: the watch broke; state loaded again", Json{{"why", *why}});
  }
}

}  // namespace tresor::server
