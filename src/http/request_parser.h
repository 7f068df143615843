// An incremental HTTP/1.1 request parser with limits, for a server that
// faces hostile clients. Bytes are fed as they arrive; a request is complete
// once its headers and body (Content-Length or chunked) are in. Anything
// malformed or over a limit is an error with the status to answer with, and
// the connection is then closed (the stream cannot be trusted further).
//
// Paths: percent-decoded once; must start with '/'; may not hold NUL, a
// '..' or '.' segment (also when encoded, %2e%2e), or invalid UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/request.h"

namespace tresor::http {

struct ParserLimits {
  size_t max_header_bytes = 16 * 1024;  // request line and headers together
  size_t max_headers = 100;
  size_t max_body_bytes = 32 * 1024 * 1024;  // as Vault's default max_request_size
};

class RequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit RequestParser(ParserLimits limits = {}) : limits_(limits) {}

  // Consumes bytes from `data`; returns how many it took (it stops after a
  // complete request, leaving the rest for the next one).
  size_t Feed(std::string_view data);

  State state() const { return state_; }
  // Valid once kComplete; moved out by TakeRequest, which also resets the
  // parser for the next request on the connection.
  Request TakeRequest();
  // Valid once kError: the status (400, 405, 413, 414, 431, 501, 505) and a
  // short reason for the client.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // True once any byte of a request has arrived (for idle timeouts).
  bool started() const { return !buffer_.empty() || phase_ != Phase::kHead; }

 private:
  enum class Phase { kHead, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailer };
  void Fail(int status, std::string message);
  bool ParseHead(std::string_view head);
  void StartBody();

  ParserLimits limits_;
  State state_ = State::kNeedMore;
  Phase phase_ = Phase::kHead;
  std::string buffer_;  // head bytes, or a partial chunk-size line
  Request request_;
  size_t body_left_ = 0;
  bool chunked_ = false;
  int error_status_ = 0;
  std::string error_message_;
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). False on a
// malformed escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or values over
// U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace tresor::http
