// Request bodies: every limit refused while parsing, with a message that
// says which and never quotes the input; integers kept exact.
#include "formats/bounded_json.h"

#include <gtest/gtest.h>

#include <string>

namespace tresor::formats {

using Json = nlohmann::json;
namespace {

std::string Refusal(const std::string& text, const JsonLimits& limits = {}) {
  auto parsed = ParseBoundedJson(text, limits);
  EXPECT_FALSE(parsed);
  return parsed ? "" : parsed.error().message;
}

TEST(BoundedJsonTest, ParsesWhatTheApiTakes) {
  auto parsed =
      ParseBoundedJson(R"({"data":{"a":"b","n":[1,-2,3.5,true,null]},"options":{"cas":0}})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->dump(), R"({"data":{"a":"b","n":[1,-2,3.5,true,null]},"options":{"cas":0}})");
}

TEST(BoundedJsonTest, AHundredThousandNestedArraysAreRefusedNotRecursedInto) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(Refusal(deep), "nesting deeper than 300");
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 50000; ++i) s += "{\"a\":";
    return s + "1" + std::string(50000, '}');
  }();
  EXPECT_EQ(Refusal(objects), "nesting deeper than 300");
}

TEST(BoundedJsonTest, NestingUpToTheLimitIsAccepted) {
  EXPECT_TRUE(ParseBoundedJson(std::string(300, '[') + std::string(300, ']')));
  EXPECT_EQ(Refusal(std::string(301, '[') + std::string(301, ']')), "nesting deeper than 300");
}

TEST(BoundedJsonTest, ContainerAndStringLimits) {
  JsonLimits small{.max_depth = 4,
                   .max_string_bytes = 8,
                   .max_object_entries = 2,
                   .max_array_elements = 3,
                   .max_values = 6};
  EXPECT_TRUE(ParseBoundedJson(R"({"a":[1,2,3],"b":"12345678"})", small));
  EXPECT_EQ(Refusal(R"([1,2,3,4])", small), "an array with more than 3 elements");
  EXPECT_EQ(Refusal(R"({"a":1,"b":2,"c":3})", small), "an object with more than 2 members");
  EXPECT_EQ(Refusal(R"({"a":"123456789"})", small), "a string longer than 8 bytes");
  EXPECT_EQ(Refusal(R"({"123456789":1})", small), "a string longer than 8 bytes");
  EXPECT_EQ(Refusal(R"([[1,2,3],[1,2]])", small), "more than 6 values");
  // Duplicate keys count once: the last one wins, as in every JSON reader
  // the API's clients use.
  auto dup = ParseBoundedJson(R"({"a":1,"a":2})", small);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->dump(), R"({"a":2})");
}

TEST(BoundedJsonTest, ABodyOfManySmallNumbersHitsTheValueLimit) {
  std::string many = "{\"a\":[";
  for (int i = 0; i < 200000; ++i) many += "1,";
  many.back() = ']';
  many += "}";
  EXPECT_EQ(Refusal(many), "an array with more than 10000 elements");
  JsonLimits wide;
  wide.max_array_elements = 1000000;
  EXPECT_EQ(Refusal(many, wide), "more than 100000 values");
}

TEST(BoundedJsonTest, IntegersStayExactOrAreRefused) {
  auto big = ParseBoundedJson(
      R"({"u":18446744073709551615,"i":-9223372036854775808,"p":9007199254740993})");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->at("u").get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(big->at("i").get<int64_t>(), INT64_MIN);
  EXPECT_EQ(big->at("p").dump(), "9007199254740993");  // 2^53 + 1, not rounded
  EXPECT_EQ(Refusal(R"({"n":18446744073709551616})"), "an integer outside the 64-bit range");
  EXPECT_EQ(Refusal(R"({"n":-9223372036854775809})"), "an integer outside the 64-bit range");
  auto floats = ParseBoundedJson(R"([1.5,1e3,2E-2])");
  ASSERT_TRUE(floats);
  EXPECT_EQ(floats->dump(), "[1.5,1000.0,0.02]");
}

TEST(BoundedJsonTest, MalformedInputIsRefusedWithItsPlaceAndNoQuote) {
  EXPECT_EQ(Refusal(R"({"password":"hunter2" oops})"), "not valid JSON at byte 23");
  EXPECT_EQ(Refusal(""), "not valid JSON at byte 1");
  EXPECT_EQ(Refusal("{\"a\":\"\xff\"}"), "not valid JSON at byte 7");
  EXPECT_EQ(Refusal("{} trailing"), "not valid JSON at byte 6");
}

}  // namespace
}  // namespace tresor::formats
