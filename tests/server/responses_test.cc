// Vault-shaped responses: the envelope written as text has the bytes the
// JSON envelope would have, and request identifiers are distinct UUIDv4s.
#include "server/responses.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace tresor::server {
namespace {

// True when `id` is a lowercase UUID of version 4 and RFC 4122 variant.
bool IsUuidV4(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = id[i];
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

// The body with its request_id (which must be a UUIDv4) replaced by "ID".
std::string WithoutId(std::string body) {
  const std::string key = "\"request_id\":\"";
  const size_t at = body.find(key);
  if (at == std::string::npos) return body;
  const size_t start = at + key.size();
  if (!IsUuidV4(std::string_view(body).substr(start, 36))) return body;
  return body.replace(start, 36, "ID");
}

TEST(Responses, EnvelopeTextIsTheJsonEnvelope) {
  const Json data{{"data", {{"k", "v\xc3\xa9"}}}, {"metadata", {{"version", 3}}}};
  const Json auth{{"client_token", "t"}, {"policies", {"default"}}};
  EXPECT_EQ(WithoutId(Envelope(200, data, auth).body),
            WithoutId(JsonResponse(200, EnvelopeJson(data, auth)).body));
  EXPECT_EQ(WithoutId(Envelope(404, data).body),
            WithoutId(JsonResponse(404, EnvelopeJson(data)).body));
  const http::Response text = EnvelopeOf(200, Dump(data));
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(WithoutId(text.body),
            "{\"auth\":null,\"data\":{\"data\":{\"k\":\"v\xc3\xa9\"},\"metadata\":{\"version\":3}},"
            "\"lease_duration\":0,\"lease_id\":\"\",\"renewable\":false,\"request_id\":\"ID\","
            "\"warnings\":null,\"wrap_info\":null}\n");
}

TEST(Responses, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_EQ(Dump(Json("a\xff")), "\"a\xef\xbf\xbd\"");
}

TEST(Responses, RequestIdsAreDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {  // several refills of the random pool
    const std::string id = RequestId();
    ASSERT_TRUE(IsUuidV4(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace tresor::server
