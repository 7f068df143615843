#include "http/request_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "formats/ascii.h"
#include "formats/utf8.h"

namespace tresor::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view s) {
  static constexpr std::string_view kSeparators = "()<>@,;:\\\"/[]?={} \t";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c > 32 && c < 127 && kSeparators.find(c) == std::string_view::npos;
  });
}

bool KnownMethod(std::string_view m) {
  for (std::string_view known : {"GET", "PUT", "POST", "DELETE", "LIST", "PATCH", "HEAD"}) {
    if (m == known) return true;
  }
  return false;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A decoded path is acceptable: no NUL, no "." or ".." segment, UTF-8.
bool SafePath(std::string_view path) {
  if (path.find('\0') != std::string_view::npos || !IsValidUtf8(path)) return false;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

const std::string* Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexDigit(in[i + 1]);
      const int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t p = 0; p < s.size();) {
    if (s[p] == '\0') {  // NUL is valid UTF-8; SafePath refuses it in paths
      ++p;
      continue;
    }
    const size_t n = formats::Utf8Length(s, p);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

void RequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_message_ = std::move(message);
}

bool RequestParser::ParseHead(std::string_view head) {
  // Request line: METHOD SP TARGET SP HTTP/1.x
  const size_t eol = head.find("\r\n");
  const std::string_view line = head.substr(0, eol);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    Fail(version.starts_with("HTTP/") ? 505 : 400, "unsupported HTTP version");
    return false;
  }
  if (!IsToken(method)) {
    Fail(400, "malformed method");
    return false;
  }
  if (!KnownMethod(method)) {
    Fail(405, "unsupported method");
    return false;
  }
  if (target.empty() || target.front() != '/') {
    Fail(400, "the request target must be a path");
    return false;
  }
  request_ = Request();
  request_.method = std::string(method);
  request_.target = std::string(target);
  request_.keep_alive = version == "HTTP/1.1";
  const size_t q = target.find('?');
  if (!PercentDecode(target.substr(0, q), false, &request_.path) || !SafePath(request_.path)) {
    Fail(400, "invalid path");
    return false;
  }
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const size_t eq = pair.find('=');
      std::string key, value;
      if (!PercentDecode(pair.substr(0, eq), true, &key) ||
          !PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true, &value) ||
          !IsValidUtf8(key) || !IsValidUtf8(value)) {
        Fail(400, "invalid query string");
        return false;
      }
      if (!key.empty()) request_.query.emplace_back(std::move(key), std::move(value));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  // Headers
  std::string_view rest = eol == std::string_view::npos ? "" : head.substr(eol + 2);
  bool has_length = false;
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view h = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    if (h.empty()) break;
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos || !IsToken(h.substr(0, colon))) {
      Fail(400, "malformed header");
      return false;
    }
    if (request_.headers.size() >= limits_.max_headers) {
      Fail(431, "too many headers");
      return false;
    }
    std::string name = formats::AsciiLower(h.substr(0, colon));
    const std::string_view value = Trim(h.substr(colon + 1));
    if (value.find_first_of("\r\n") != std::string_view::npos) {
      Fail(400, "malformed header");
      return false;
    }
    if (name == "content-length") {
      size_t n = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty() ||
          (has_length && n != body_left_)) {
        Fail(400, "invalid Content-Length");
        return false;
      }
      has_length = true;
      body_left_ = n;
    } else if (name == "transfer-encoding") {
      if (formats::AsciiLower(value) != "chunked") {
        Fail(501, "unsupported Transfer-Encoding");
        return false;
      }
      chunked_ = true;
    } else if (name == "connection") {
      const std::string v = formats::AsciiLower(value);
      if (v == "close") request_.keep_alive = false;
      if (v == "keep-alive") request_.keep_alive = true;
    }
    request_.headers.emplace_back(std::move(name), std::string(value));
  }
  if (chunked_ && has_length) {
    Fail(400, "both Content-Length and Transfer-Encoding");  // request smuggling
    return false;
  }
  if (body_left_ > limits_.max_body_bytes) {
    Fail(413, "request body too large");
    return false;
  }
  return true;
}

void RequestParser::StartBody() {
  if (chunked_) {
    phase_ = Phase::kChunkSize;
  } else if (body_left_ > 0) {
    request_.body.reserve(body_left_);
    phase_ = Phase::kBody;
  } else {
    state_ = State::kComplete;
  }
}

size_t RequestParser::Feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && state_ == State::kNeedMore) {
    const std::string_view in = data.substr(used);
    switch (phase_) {
      case Phase::kHead: {
        // Leading blank lines between requests are allowed (RFC 9112 2.2).
        if (buffer_.empty() && (in.front() == '\r' || in.front() == '\n')) {
          ++used;
          break;
        }
        const size_t before = buffer_.size();
        const size_t take = std::min(in.size(), limits_.max_header_bytes + 4 - before);
        buffer_.append(in.substr(0, take));
        const size_t end = buffer_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
        if (end == std::string::npos) {
          used += take;
          if (buffer_.size() > limits_.max_header_bytes) {
            Fail(buffer_.find("\r\n") == std::string::npos ? 414 : 431, "request head too large");
          }
          break;
        }
        used += end + 4 - before;
        const std::string head = buffer_.substr(0, end + 2);
        buffer_.clear();
        if (ParseHead(head)) StartBody();
        break;
      }
      case Phase::kBody:
      case Phase::kChunkData: {
        const size_t take = std::min(in.size(), body_left_);
        request_.body.append(in.substr(0, take));
        body_left_ -= take;
        used += take;
        if (body_left_ == 0) {
          if (phase_ == Phase::kBody) {
            state_ = State::kComplete;
          } else {
            phase_ = Phase::kChunkEnd;
          }
        }
        break;
      }
      case Phase::kChunkSize:
      case Phase::kChunkEnd:
      case Phase::kTrailer: {
        const size_t nl = in.find('\n');
        const size_t take = nl == std::string_view::npos ? in.size() : nl + 1;
        buffer_.append(in.substr(0, take));
        used += take;
        if (buffer_.size() > 1024) {
          Fail(400, "malformed chunked body");
          break;
        }
        if (nl == std::string_view::npos) break;
        std::string line = buffer_;
        buffer_.clear();
        if (line.size() < 2 || line[line.size() - 2] != '\r') {
          Fail(400, "malformed chunked body");
          break;
        }
        line.resize(line.size() - 2);
        if (phase_ == Phase::kChunkEnd) {
          if (!line.empty()) Fail(400, "malformed chunked body");
          phase_ = Phase::kChunkSize;
          break;
        }
        if (phase_ == Phase::kTrailer) {
          if (line.empty()) state_ = State::kComplete;  // trailers are ignored
          break;
        }
        const std::string_view size_text = std::string_view(line).substr(0, line.find(';'));
        size_t size = 0;
        const auto [p, ec] =
            std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (ec != std::errc() || p != size_text.data() + size_text.size() || size_text.empty()) {
          Fail(400, "malformed chunked body");
          break;
        }
        if (size > limits_.max_body_bytes - request_.body.size()) {
          Fail(413, "request body too large");
          break;
        }
        if (size == 0) {
          phase_ = Phase::kTrailer;
        } else {
          body_left_ = size;
          phase_ = Phase::kChunkData;
        }
        break;
      }
    }
  }
  return used;
}

Request RequestParser::TakeRequest() {
  Request out = std::move(request_);
  request_ = Request();
  state_ = State::kNeedMore;
  phase_ = Phase::kHead;
  body_left_ = 0;
  chunked_ = false;
  return out;
}

}  // namespace tresor::http
