// GET /ui/...: the web UI's files, same origin as the API.
#include <cstdint>
#include <cstdio>
#include <string>

#include "server/ui/assets.h"

namespace tresor::server::ui {
namespace {

// The page may load its own scripts, styles and images and call its own
// origin; nothing inline, no eval, no forms posted elsewhere, no framing.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const char* ContentType(std::string_view path) {
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  return "text/html; charset=utf-8";
}

// A validator for a file's bytes (FNV-1a, 64 bits): the files change only
// with the binary, so a browser asks again each time (no-cache) and gets a
// 304 without the body while they are the same.
std::string EntityTag(std::string_view body) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : body) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

http::Response Redirect(std::string location) {
  http::Response response{
      .status = 307, .content_type = "", .headers = {}, .body = {}, .defer = {}};
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

}  // namespace

std::optional<http::Response> Serve(const http::Request& request) {
  const std::string_view path = request.path;
  if (path == "/" || path == "/ui") return Redirect("/ui/");
  if (!path.starts_with("/ui/")) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response refused = http::JsonError(405, "the UI's files are only read");
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return refused;
  }
  const std::string_view wanted = path == "/ui/" ? "/ui/index.html" : path;
  static const std::vector<std::string> tags = [] {
    std::vector<std::string> out;
    for (const Asset& asset : Assets()) out.push_back(EntityTag(asset.body));
    return out;
  }();
  const std::vector<Asset>& assets = Assets();
  for (size_t i = 0; i < assets.size(); ++i) {
    if (assets[i].path != wanted) continue;
    const std::string* known = request.Header("if-none-match");
    const bool same = known != nullptr && *known == tags[i];
    http::Response response{.status = same ? 304 : 200,
                            .content_type = ContentType(assets[i].path),
                            .headers = {{"Cache-Control", "no-cache"},
                                        {"ETag", tags[i]},
                                        {"Content-Security-Policy", kPolicy},
                                        {"X-Content-Type-Options", "nosniff"},
                                        {"X-Frame-Options", "DENY"},
                                        {"Referrer-Policy", "no-referrer"},
                                        {"Cross-Origin-Opener-Policy", "same-origin"}},
                            .body = same ? std::string() : std::string(assets[i].body),
                            .defer = {}};
    return response;
  }
  return http::JsonError(404, "no such file in the UI");
}

}  // namespace tresor::server::ui
