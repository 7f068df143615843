// The HTTP request parser: requests whole, split and pipelined; bodies by
// length and chunked; and every refusal with its status.
#include "http/request_parser.h"

#include <gtest/gtest.h>

namespace tresor::http {
namespace {

struct Outcome {
  RequestParser::State state;
  int status = 0;
  std::string message;
  Request request;
};

Outcome Parse(std::string_view text, ParserLimits limits = {}) {
  RequestParser parser(limits);
  parser.Feed(text);
  Outcome out{parser.state(), parser.error_status(), parser.error_message(), {}};
  if (parser.state() == RequestParser::State::kComplete) out.request = parser.TakeRequest();
  return out;
}

void ExpectRefused(std::string_view text, int status, std::string_view message,
                   ParserLimits limits = {}) {
  const Outcome o = Parse(text, limits);
  EXPECT_EQ(o.state, RequestParser::State::kError) << text;
  EXPECT_EQ(o.status, status) << text;
  EXPECT_EQ(o.message, message) << text;
}

TEST(RequestParserTest, ParsesAGetWithQueryAndHeaders) {
  const Outcome o = Parse(
      "GET /v1/secret/data/my%20app?version=2&list=true&x=a+b HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nX-Vault-Token:  s.abc \r\n\r\n");
  ASSERT_EQ(o.state, RequestParser::State::kComplete);
  EXPECT_EQ(o.request.method, "GET");
  EXPECT_EQ(o.request.path, "/v1/secret/data/my app");
  EXPECT_EQ(*o.request.Query("version"), "2");
  EXPECT_EQ(*o.request.Query("list"), "true");
  EXPECT_EQ(*o.request.Query("x"), "a b");
  EXPECT_EQ(*o.request.Header("x-vault-token"), "s.abc");
  EXPECT_EQ(o.request.Header("content-type"), nullptr);
  EXPECT_TRUE(o.request.keep_alive);
  EXPECT_EQ(o.request.body, "");
}

TEST(RequestParserTest, BodyByLengthByteAtATimeAndPipelined) {
  const std::string two =
      "PUT /v1/a HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}"
      "LIST /v1/b HTTP/1.0\r\n\r\n";
  RequestParser parser;
  std::vector<Request> got;
  for (char c : two) {
    ASSERT_EQ(parser.Feed(std::string_view(&c, 1)), 1u);
    if (parser.state() == RequestParser::State::kComplete) got.push_back(parser.TakeRequest());
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "{\"a\":\"b c\"}");
  EXPECT_EQ(got[1].method, "LIST");
  EXPECT_FALSE(got[1].keep_alive);  // HTTP/1.0
  // Whole: the parser stops after the first request.
  RequestParser whole;
  const size_t used = whole.Feed(two);
  EXPECT_EQ(used, two.find("LIST"));
  whole.TakeRequest();
  EXPECT_EQ(whole.Feed(std::string_view(two).substr(used)), two.size() - used);
  EXPECT_EQ(whole.TakeRequest().path, "/v1/b");
}

TEST(RequestParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const Outcome o = Parse(
      "POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_EQ(o.state, RequestParser::State::kComplete) << o.message;
  EXPECT_EQ(o.request.body, "hello world");
  EXPECT_FALSE(o.request.keep_alive);
}

TEST(RequestParserTest, IncompleteRequestsWait) {
  EXPECT_EQ(Parse("GET /v1/a HTTP/1.1\r\nHost: x\r\n").state, RequestParser::State::kNeedMore);
  EXPECT_EQ(Parse("PUT /v1/a HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").state,
            RequestParser::State::kNeedMore);
}

TEST(RequestParserTest, HostileRequestsAreRefused) {
  ExpectRefused("GET /v1/a\r\n\r\n", 400, "malformed request line");
  ExpectRefused("GET /v1/a HTTP/2.0\r\n\r\n", 505, "unsupported HTTP version");
  ExpectRefused("BREW /v1/a HTTP/1.1\r\n\r\n", 405, "unsupported method");
  ExpectRefused("GET http://x/v1/a HTTP/1.1\r\n\r\n", 400, "the request target must be a path");
  ExpectRefused("GET /v1/../sys/seal HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/%2e%2e/sys HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/%2E%2e HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/./a HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/a%00b HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/%ff%fe HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/%c0%af HTTP/1.1\r\n\r\n", 400, "invalid path");  // overlong '/'
  ExpectRefused("GET /v1/%zz HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/a%2 HTTP/1.1\r\n\r\n", 400, "invalid path");
  ExpectRefused("GET /v1/a?x=%ff HTTP/1.1\r\n\r\n", 400, "invalid query string");
  ExpectRefused("GET /v1/a HTTP/1.1\r\nBad Header: x\r\n\r\n", 400, "malformed header");
  ExpectRefused("GET /v1/a HTTP/1.1\r\nNoColon\r\n\r\n", 400, "malformed header");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
                "invalid Content-Length");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                400, "both Content-Length and Transfer-Encoding");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
                "unsupported Transfer-Encoding");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400,
                "malformed chunked body");
  ExpectRefused("PUT /v1/a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400,
                "malformed chunked body");
}

TEST(RequestParserTest, LimitsGiveTheirStatus) {
  ParserLimits small;
  small.max_header_bytes = 64;
  small.max_headers = 2;
  small.max_body_bytes = 10;
  ExpectRefused("GET /" + std::string(100, 'a'), 414, "request head too large", small);
  ExpectRefused("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", 431,
                "request head too large", small);
  ExpectRefused("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, "too many headers", small);
  ExpectRefused("PUT / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 413, "request body too large",
                small);
  ExpectRefused("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n3\r\n", 413,
                "request body too large", small);
}

TEST(RequestParserTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // over U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

}  // namespace
}  // namespace tresor::http
