// The client's reading of a response: when it is whole, its status and
// body, and each way a reply is refused.
#include "http/client_response.h"

#include <gtest/gtest.h>

#include <limits>

namespace tresor::http {
namespace {

TEST(ClientResponse, LengthIsKnownOnceTheHeadGivesIt) {
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"), std::nullopt);
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"), 43u);
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\ncontent-LENGTH:\t7 \r\nX: y\r\n\r\n"), 52u);
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nX-Content-Length: 5\r\n\r\n"), std::nullopt);
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\n"), std::nullopt);
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), std::nullopt);
  // A length that would overflow is no length (read to the close).
  const std::string huge = std::to_string(std::numeric_limits<size_t>::max());
  EXPECT_EQ(ResponseLength("HTTP/1.1 200 OK\r\nContent-Length: " + huge + "\r\n\r\n"),
            std::nullopt);
}

TEST(ClientResponse, StatusAndBody) {
  auto r = ParseResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "{}");
  r = ParseResponse("HTTP/1.0 204\r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->body, "");
  // Without a length the body runs to the close; with one, bytes after it
  // are not the body.
  r = ParseResponse("HTTP/1.1 200 OK\r\n\r\nall of it");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "all of it");
  r = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "abc");
}

TEST(ClientResponse, RefusesWhatIsNotAWholeHttpResponse) {
  for (const char* bad : {"", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 200 OK\r\nX: y\r\n",
                          "HTTP/2 200\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
                          "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n"}) {
    const auto r = ParseResponse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kIo);
    EXPECT_EQ(r.error().message, "not an HTTP response") << bad;
  }
  const auto cut = ParseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"data\"");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().code, ErrorCode::kIo);
  EXPECT_EQ(cut.error().message, "response cut short");
}

}  // namespace
}  // namespace tresor::http
