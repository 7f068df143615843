#include "http/client_response.h"

#include <cctype>
#include <charconv>
#include <limits>

namespace tresor::http {
namespace {

constexpr std::string_view kHeadEnd = "\r\n\r\n";

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// The value of header `name` (lowercase, with its colon) in `head`,
// without surrounding blanks; the first if several.
std::optional<std::string_view> HeaderValue(std::string_view head, std::string_view name) {
  for (size_t at = head.find("\r\n"); at != std::string_view::npos;
       at = head.find("\r\n", at + 2)) {
    std::string_view line = head.substr(at + 2);
    line = line.substr(0, line.find("\r\n"));
    if (!StartsWithNoCase(line, name)) continue;
    line.remove_prefix(name.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    return line;
  }
  return std::nullopt;
}

// The Content-Length the head gives, if it gives one that is a number.
std::optional<size_t> ContentLength(std::string_view head) {
  const auto line = HeaderValue(head, "content-length:");
  if (!line) return std::nullopt;
  size_t length = 0;
  const auto [end, ec] = std::from_chars(line->data(), line->data() + line->size(), length);
  if (ec != std::errc() || end != line->data() + line->size()) return std::nullopt;
  return length;
}

}  // namespace

std::optional<size_t> ResponseLength(std::string_view received) {
  const size_t head_end = received.find(kHeadEnd);
  if (head_end == std::string_view::npos) return std::nullopt;
  const std::optional<size_t> length = ContentLength(received.substr(0, head_end));
  const size_t head_size = head_end + kHeadEnd.size();
  if (!length || *length > std::numeric_limits<size_t>::max() - head_size) return std::nullopt;
  return head_size + *length;
}

Result<ClientResponse> ParseResponse(std::string_view received) {
  const size_t head_end = received.find(kHeadEnd);
  // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the line's end.
  const bool shaped = received.starts_with("HTTP/1.") && received.size() >= 12 &&
                      received[8] == ' ' && std::isdigit(static_cast<unsigned char>(received[9])) &&
                      std::isdigit(static_cast<unsigned char>(received[10])) &&
                      std::isdigit(static_cast<unsigned char>(received[11])) &&
                      (received.size() == 12 || received[12] == ' ' || received[12] == '\r');
  if (!shaped || head_end == std::string_view::npos || head_end < 12) {
    return MakeError(ErrorCode::kIo, "not an HTTP response");
  }
  const int status = (received[9] - '0') * 100 + (received[10] - '0') * 10 + (received[11] - '0');
  std::string_view body = received.substr(head_end + kHeadEnd.size());
  if (const std::optional<size_t> length = ContentLength(received.substr(0, head_end))) {
    if (body.size() < *length) return MakeError(ErrorCode::kIo, "response cut short");
    body = body.substr(0, *length);
  }
  const auto index = HeaderValue(received.substr(0, head_end), "x-vault-index:");
  return ClientResponse{status, std::string(body), std::string(index.value_or(""))};
}

}  // namespace tresor::http
