// The web UI's files, built into the server (cmake/embed_ui.cmake writes
// their table from ui/ at build time).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace tresor::server::ui {

struct Asset {
  std::string_view path;  // "/ui/js/app.js"
  std::string_view body;
};

// Every file of the UI, index.html first.
const std::vector<Asset>& Assets();

// The answer to a request for "/", "/ui" or a path under "/ui/": the file
// with headers that keep the page to this origin (a Content-Security-Policy
// without inline script or eval, no framing, no referrer), a redirect, 404
// or 405. nullopt for every other path (the API's).
std::optional<http::Response> Serve(const http::Request& request);

}  // namespace tresor::server::ui
