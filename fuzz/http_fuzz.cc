// libFuzzer target for the HTTP request parser: the input is fed whole and
// again in pieces of varying size; both must reach the same state and the
// same requests, and every accepted path must be safe.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/request_parser.h"

namespace {

using tresor::http::Request;
using tresor::http::RequestParser;

std::string Describe(const Request& r) {
  std::string out = r.method + " " + r.path + " " + std::to_string(r.keep_alive) + "\n";
  for (const auto& [k, v] : r.query) out += "q " + k + "=" + v + "\n";
  for (const auto& [k, v] : r.headers) out += "h " + k + ": " + v + "\n";
  return out + r.body;
}

// Parses all requests in `data`, feeding at most `piece` bytes at a time.
std::vector<std::string> ParseAll(std::string_view data, size_t piece, int* final_status) {
  tresor::http::ParserLimits limits;
  limits.max_body_bytes = 1 << 16;
  RequestParser parser(limits);
  std::vector<std::string> out;
  while (!data.empty() && parser.state() != RequestParser::State::kError) {
    const size_t used = parser.Feed(data.substr(0, piece));
    data.remove_prefix(used);
    if (parser.state() == RequestParser::State::kComplete) {
      Request r = parser.TakeRequest();
      if (r.path.empty() || r.path[0] != '/' || !tresor::http::IsValidUtf8(r.path) ||
          r.path.find("/../") != std::string::npos || r.path.ends_with("/..")) {
        std::abort();
      }
      out.push_back(Describe(r));
    } else if (used == 0 && parser.state() == RequestParser::State::kNeedMore) {
      std::abort();  // no progress on non-empty input
    }
  }
  *final_status = parser.state() == RequestParser::State::kError ? parser.error_status() : 0;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 7;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  int whole_status = 0;
  int split_status = 0;
  const auto whole = ParseAll(text, text.size() + 1, &whole_status);
  const auto split = ParseAll(text, piece, &split_status);
  if (whole != split || whole_status != split_status) std::abort();
  return 0;
}
