// libFuzzer target for the server's API behind the HTTP parser: the input's
// first line is "METHOD PATH" (and " encrypted" to send X-Tresor-Encrypted:
// true), the rest the body, sent with the root token
// to a development server (memory storage, unsealed). Whatever the body, no
// handler may throw (the HTTP server would turn that into a bare 500) or
// answer 500: with memory storage nothing can fail inside.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/api.h"
#include "store/memory_storage.h"

namespace {

tresor::server::Api& TheApi() {
  static tresor::server::Api* api = [] {
    tresor::server::ApiOptions options;
    options.version = "fuzz";
    options.storage = std::make_shared<tresor::store::MemoryStorage>();
    auto* made = new tresor::server::Api(std::move(options));
    made->Join("fuzz", "http://127.0.0.1:8200");
    if (!made->StartDev("fuzz-root")) std::abort();
    // A transit mount from the start, so inputs reach its engine.
    tresor::http::Request mount;
    mount.method = "POST";
    mount.path = "/v1/sys/mounts/transit";
    mount.body = R"({"type":"transit"})";
    mount.headers.emplace_back("x-vault-token", "fuzz-root");
    if (made->Handle(mount).status != 204) std::abort();
    return made;
  }();
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view line = input.substr(0, eol);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  tresor::http::Request request;
  request.method = std::string(line.substr(0, space));
  std::string_view target = line.substr(space + 1);
  constexpr std::string_view kEncrypted = " encrypted";
  const bool encrypted = target.ends_with(kEncrypted);
  if (encrypted) target.remove_suffix(kEncrypted.size());
  const size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const std::string_view pair = query.substr(0, query.find('&'));
      const size_t eq = pair.find('=');
      request.query.emplace_back(
          std::string(pair.substr(0, eq)),
          eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
    }
  }
  if (!request.path.starts_with("/v1/")) {
    // The web UI's files: a file, a redirect, 404 or 405, never more.
    const auto file = TheApi().Handle(request);
    if (file.status != 200 && file.status != 304 && file.status != 307 && file.status != 404 &&
        file.status != 405) {
      std::abort();
    }
    return 0;
  }
  if (request.path.find("..") != std::string::npos) return 0;
  // sys/seal would make every later input a 503: the fuzzer learns nothing.
  if (request.path.starts_with("/v1/sys/seal")) return 0;
  // Each sys/rotate adds a key for good (up to the keyring's bound), and
  // seals the whole keyring: the fuzzer would spend its time there.
  if (request.path.starts_with("/v1/sys/rotate")) return 0;
  if (eol != std::string_view::npos) request.body = std::string(input.substr(eol + 1));
  request.headers.emplace_back("x-vault-token", "fuzz-root");
  if (encrypted) request.headers.emplace_back("x-tresor-encrypted", "true");
  const auto response = TheApi().Handle(request);
  if (response.status == 500) std::abort();
  return 0;
}
