// The audit view (audit/view.h): the newest lines first, filtered by path,
// caller and time, paged by seq, with the chain's state over what was read.
#include "audit/view.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace tresor::audit {
namespace {

class AuditViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/tresor-audit-view-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/audit.log";
    auto log = AuditLog::Open(path_);
    ASSERT_TRUE(log) << log.error().message;
    log_ = std::move(*log);
  }
  void TearDown() override {
    log_.reset();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  // A request and its response, as the server logs them.
  void Request(const std::string& who, const std::string& path, int status,
               const std::string& time) {
    const Json auth{{"display_name", who}, {"accessor", "acc-" + who}};
    const Json about{
        {"operation", "read"}, {"path", "/v1/" + path}, {"remote_address", "10.0.0.1"}};
    ASSERT_TRUE(
        log_->Append({{"time", time}, {"type", "request"}, {"auth", auth}, {"request", about}}));
    ASSERT_TRUE(log_->Append({{"time", time},
                              {"type", "response"},
                              {"auth", auth},
                              {"request", about},
                              {"response", {{"status", status}}}}));
  }
  std::string Text() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  ViewPage View(const ViewFilter& filter) { return ReadView(Text(), true, log_->Head(), filter); }
  static std::vector<std::string> Paths(const ViewPage& page) {
    std::vector<std::string> out;
    for (const auto& entry : page.entries) out.push_back(entry.path);
    return out;
  }

  std::string dir_, path_;
  std::unique_ptr<AuditLog> log_;
};

TEST(NormalizeTimeTest, GivesTheLogsFixedWidthForm) {
  EXPECT_EQ(*NormalizeTime("2026-12-07T15:00:00Z"), "2026-12-07T15:00:00.000000000Z");
  EXPECT_EQ(*NormalizeTime("2026-12-07T15:00:00.5Z"), "2026-12-07T15:00:00.500000000Z");
  EXPECT_EQ(*NormalizeTime("2026-12-07T15:00:00.123456789Z"), "2026-12-07T15:00:00.123456789Z");
  for (const char* bad : {"", "2026-12-07", "2026-12-07T15:00:00", "2026-12-07T15:00:00+01:00",
                          "2026-12-07T15:00:00.Z", "2026-12-07T15:00:00.1234567890Z",
                          "2026-12-07 15:00:00Z", "2026-12-07T15:00:0xZ"}) {
    auto time = NormalizeTime(bad);
    ASSERT_FALSE(time) << bad;
    EXPECT_EQ(time.error().message,
              std::string("expected a UTC time like 2026-12-07T15:00:00Z, got \"") + bad + "\"");
  }
}

TEST_F(AuditViewTest, NewestFirstWithWhoAndStatus) {
  Request("alice", "secret/data/a", 200, "2026-12-07T10:00:00.000000000Z");
  Request("bob", "secret/data/b", 403, "2026-12-07T11:00:00.000000000Z");
  const ViewPage page = View({});
  ASSERT_EQ(page.entries.size(), 2u);
  const ViewEntry& newest = page.entries[0];
  EXPECT_EQ(newest.seq, 4u);
  EXPECT_EQ(newest.display_name, "bob");
  EXPECT_EQ(newest.accessor, "acc-bob");
  EXPECT_EQ(newest.path, "secret/data/b");
  EXPECT_EQ(newest.operation, "read");
  EXPECT_EQ(newest.status, 403);
  EXPECT_EQ(newest.remote_address, "10.0.0.1");
  EXPECT_EQ(newest.time, "2026-12-07T11:00:00.000000000Z");
  EXPECT_EQ(page.entries[1].display_name, "alice");
  EXPECT_TRUE(page.verified);
  EXPECT_TRUE(page.holds_head);
  EXPECT_EQ(page.lines, 4u);
  EXPECT_EQ(page.first_seq, 1u);
  EXPECT_EQ(page.last_seq, 4u);
  EXPECT_FALSE(page.more);
}

TEST_F(AuditViewTest, FiltersByPathCallerAndTimeAndPagesBySeq) {
  Request("alice", "secret/data/a", 200, "2026-12-07T10:00:00.000000000Z");
  Request("bob", "secret/data/b", 200, "2026-12-07T11:00:00.000000000Z");
  Request("alice", "sys/policies/acl/x", 200, "2026-12-07T12:00:00.000000000Z");
  Request("alice", "secret/data/c", 200, "2026-12-07T13:00:00.000000000Z");
  EXPECT_EQ(Paths(View({.path_prefix = "secret/"})),
            (std::vector<std::string>{"secret/data/c", "secret/data/b", "secret/data/a"}));
  EXPECT_EQ(Paths(View({.caller = "alice"})),
            (std::vector<std::string>{"secret/data/c", "sys/policies/acl/x", "secret/data/a"}));
  EXPECT_EQ(Paths(View({.caller = "acc-bob"})), (std::vector<std::string>{"secret/data/b"}));
  EXPECT_EQ(Paths(View({.since = "2026-12-07T11:00:00.000000000Z",
                        .until = "2026-12-07T12:00:00.000000000Z"})),
            (std::vector<std::string>{"sys/policies/acl/x", "secret/data/b"}));
  const ViewPage first = View({.limit = 2});
  EXPECT_EQ(Paths(first), (std::vector<std::string>{"secret/data/c", "sys/policies/acl/x"}));
  EXPECT_TRUE(first.more);
  const ViewPage second = View({.before_seq = first.entries.back().seq, .limit = 2});
  EXPECT_EQ(Paths(second), (std::vector<std::string>{"secret/data/b", "secret/data/a"}));
  EXPECT_FALSE(second.more);
}

TEST_F(AuditViewTest, AnEditedLineIsReportedAndTheHeadIsNotHeld) {
  Request("alice", "secret/data/a", 200, "2026-12-07T10:00:00.000000000Z");
  Request("bob", "secret/data/b", 200, "2026-12-07T11:00:00.000000000Z");
  std::string text = Text();
  text.replace(text.find("bob"), 3, "eve");
  const ViewPage page = ReadView(text, true, log_->Head(), {});
  EXPECT_FALSE(page.verified);
  EXPECT_FALSE(page.holds_head);
  EXPECT_EQ(page.problem, "line 3: hash does not match (the line was edited)");
  EXPECT_EQ(page.entries.size(), 2u);  // still shown, with the warning
}

TEST_F(AuditViewTest, ALineStillBeingWrittenIsLeftOutAndAWindowMayStartMidChain) {
  Request("alice", "secret/data/a", 200, "2026-12-07T10:00:00.000000000Z");
  Request("bob", "secret/data/b", 200, "2026-12-07T11:00:00.000000000Z");
  const std::string text = Text();
  const ViewPage partial = ReadView(text + "{\"seq\":5,", true, log_->Head(), {});
  EXPECT_TRUE(partial.verified);
  EXPECT_EQ(partial.entries.size(), 2u);
  // The last two lines only, as a window of the file's end reads them.
  const size_t cut = text.find('\n', text.find('\n') + 1) + 1;
  const ViewPage window = ReadView(text.substr(cut), false, log_->Head(), {});
  EXPECT_TRUE(window.verified);
  EXPECT_TRUE(window.holds_head);
  EXPECT_FALSE(window.from_start);
  EXPECT_EQ(window.first_seq, 3u);
  EXPECT_EQ(Paths(window), (std::vector<std::string>{"secret/data/b"}));
}

TEST_F(AuditViewTest, ReadTailStartsAtALine) {
  Request("alice", "secret/data/a", 200, "2026-12-07T10:00:00.000000000Z");
  bool from_start = false;
  EXPECT_EQ(*ReadTail(path_, 1 << 20, &from_start), Text());
  EXPECT_TRUE(from_start);
  const std::string text = Text();
  const std::string last = text.substr(text.find('\n') + 1);
  EXPECT_EQ(*ReadTail(path_, last.size() + 5, &from_start), last);
  EXPECT_FALSE(from_start);
  auto missing = ReadTail(dir_ + "/none.log", 10, &from_start);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tresor::audit
