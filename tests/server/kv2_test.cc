// KV version 2 with a chosen clock: delete_version_after sets each new
// version's deletion time (the shorter of the key's and the mount's wins),
// a version past it reads as deleted, and bad settings are refused.
#include "server/kv/kv2.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace tresor::server {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class Kv2Test : public ::testing::Test {
 protected:
  // 2026-11-23T10:00:00Z
  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(seconds(1795428000));
  KvV2 kv_{nullptr, "kv/secret/", 200000, [this] { return now_; }};

  static Json Data(const KvOutcome& out) { return Json::parse(out.data); }
  KvOutcome Put(const std::string& path) { return kv_.Write(path, Json{{"data", {{"k", "v"}}}}); }
};

TEST_F(Kv2Test, TimesAreRfc3339WithNanoseconds) {
  EXPECT_EQ(Rfc3339(now_), "2026-11-23T10:00:00.000000000Z");
  EXPECT_EQ(Rfc3339(now_ + std::chrono::nanoseconds(1500)), "2026-11-23T10:00:00.000001500Z");
  EXPECT_EQ(Rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(-500))),
            "1969-12-31T23:59:59.500000000Z");
}

TEST_F(Kv2Test, AVersionIsDeletedOnceTheMountsDeleteVersionAfterHasPassed) {
  ASSERT_EQ(kv_.WriteConfig(Json{{"delete_version_after", "1h"}}).status, 204);
  const KvOutcome written = Put("app/db");
  ASSERT_EQ(written.status, 200);
  EXPECT_EQ(Data(written)["deletion_time"], "2026-11-23T11:00:00.000000000Z");
  now_ += minutes(59);
  EXPECT_EQ(kv_.Read("app/db", 0).status, 200);
  now_ += minutes(1);
  const KvOutcome gone = kv_.Read("app/db", 0);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Data(gone)["data"], nullptr);
  EXPECT_EQ(Data(gone)["metadata"]["deletion_time"], "2026-11-23T11:00:00.000000000Z");
  // Undeleting brings it back for good.
  ASSERT_EQ(kv_.Undelete("app/db", Json{{"versions", {1}}}).status, 204);
  now_ += hours(5);
  EXPECT_EQ(kv_.Read("app/db", 0).status, 200);
}

TEST_F(Kv2Test, TheShorterOfTheKeysAndTheMountsSettingWins) {
  ASSERT_EQ(kv_.WriteConfig(Json{{"delete_version_after", "1h"}}).status, 204);
  ASSERT_EQ(kv_.WriteMetadata("short", Json{{"delete_version_after", "10m"}}).status, 204);
  ASSERT_EQ(kv_.WriteMetadata("long", Json{{"delete_version_after", "2h"}}).status, 204);
  EXPECT_EQ(Data(Put("short"))["deletion_time"], "2026-11-23T10:10:00.000000000Z");
  EXPECT_EQ(Data(Put("long"))["deletion_time"], "2026-11-23T11:00:00.000000000Z");
  EXPECT_EQ(Data(Put("plain"))["deletion_time"], "2026-11-23T11:00:00.000000000Z");
  ASSERT_EQ(kv_.WriteConfig(Json{{"delete_version_after", "0s"}}).status, 204);
  EXPECT_EQ(Data(Put("long"))["deletion_time"], "2026-11-23T12:00:00.000000000Z");
  EXPECT_EQ(Data(Put("plain"))["deletion_time"], "");
}

TEST_F(Kv2Test, DeletingBeforeTheDeletionTimeDeletesNow) {
  ASSERT_EQ(kv_.WriteMetadata("k", Json{{"delete_version_after", 3600}}).status, 204);
  EXPECT_EQ(Data(kv_.ReadMetadata("k"))["delete_version_after"], "3600s");
  ASSERT_EQ(Put("k").status, 200);
  now_ += minutes(5);
  ASSERT_EQ(kv_.DeleteLatest("k").status, 204);
  const KvOutcome gone = kv_.Read("k", 0);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Data(gone)["metadata"]["deletion_time"], "2026-11-23T10:05:00.000000000Z");
}

TEST_F(Kv2Test, ASettingThatIsNotADurationIsRefusedAndChangesNothing) {
  ASSERT_EQ(kv_.WriteMetadata("k", Json{{"delete_version_after", "5m"}}).status, 204);
  const KvOutcome text = kv_.WriteMetadata("k", Json{{"delete_version_after", "soon"}});
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(text.errors, std::vector<std::string>{"delete_version_after: bad duration \"soon\" "
                                                  "(like 90s, 30m, 8h, 1d or 1h30m)"});
  const KvOutcome flag = kv_.WriteConfig(Json{{"delete_version_after", true}});
  EXPECT_EQ(flag.status, 400);
  EXPECT_EQ(flag.errors,
            std::vector<std::string>{"delete_version_after: expected a duration (like 90s, "
                                     "30m or 1h30m) or a number of seconds"});
  EXPECT_EQ(Data(kv_.ReadMetadata("k"))["delete_version_after"], "5m");
  EXPECT_EQ(Data(kv_.ReadConfig())["delete_version_after"], "0s");
}

}  // namespace
}  // namespace tresor::server
