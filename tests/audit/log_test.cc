// The audit log's hash chain: every kind of tampering is found, and the
// chain continues across reopening.
#include "audit/log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/random.h"

namespace tresor::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/tresor-audit-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/audit.log";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string Read() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    std::istringstream in(Read());
    for (std::string line; std::getline(in, line);) out.push_back(line + "\n");
    return out;
  }
  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l;
    return out;
  }
  void WriteEntries(int n) {
    auto log = AuditLog::Open(path_);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(
          (*log)->Append(Json{{"type", "request"}, {"path", "secret/data/" + std::to_string(i)}}));
    }
  }
  std::string ErrorOf(const std::string& text) const {
    auto r = Verify(text);
    if (r) return "verified";
    EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
    return r.error().message;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(AuditLogTest, AnUntouchedLogVerifiesAndReopeningContinuesTheChain) {
  WriteEntries(3);
  WriteEntries(2);
  auto report = Verify(Read());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->lines, 5u);
  EXPECT_EQ(report->last.seq, 5u);
  EXPECT_EQ(report->last.hash.size(), 64u);
  EXPECT_EQ(report->before.seq, 0u);
  const auto lines = Lines();
  EXPECT_TRUE(
      lines[0].starts_with("{\"path\":\"secret/data/0\",\"prev\":\"" + std::string(64, '0')));
  EXPECT_NE(lines[3].find("\"seq\":4"), std::string::npos);
}

TEST_F(AuditLogTest, EveryKindOfTamperingIsFound) {
  WriteEntries(4);
  auto lines = Lines();
  auto edited = lines;
  edited[1].replace(edited[1].find("data/1"), 6, "data/X");
  EXPECT_EQ(ErrorOf(Join(edited)), "line 2: hash does not match (the line was edited)");
  auto removed = lines;
  removed.erase(removed.begin() + 1);
  EXPECT_EQ(ErrorOf(Join(removed)),
            "line 2: sequence number is not 2 (a line before it was removed, or lines were "
            "reordered)");
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(ErrorOf(Join(swapped)),
            "line 2: sequence number is not 2 (a line before it was removed, or lines were "
            "reordered)");
  std::string cut = Join(lines);
  cut.resize(cut.size() - 10);
  EXPECT_EQ(ErrorOf(cut), "line 4: cut short (no line end)");
  auto garbage = lines;
  garbage[2] = "{\"not\":\"an audit line\"}\n";
  EXPECT_EQ(ErrorOf(Join(garbage)), "line 3: no hash (cut short or not an audit line)");
  // A line rewritten with a fresh hash of its own still breaks the next.
  auto rehashed = lines;
  {
    std::string body = rehashed[1].substr(0, rehashed[1].rfind(",\"hash\":\"")) + "}";
    body.replace(body.find("data/1"), 6, "data/X");
    const Json j = Json::parse(body);
    const std::string prev = j["prev"];
    std::string input = prev + "\n" + body;
    const auto digest = crypto::Sha256(crypto::AsBytes(input));
    std::string hex;
    for (uint8_t b : digest) {
      hex.push_back("0123456789abcdef"[b >> 4]);
      hex.push_back("0123456789abcdef"[b & 15]);
    }
    body.pop_back();
    rehashed[1] = body + ",\"hash\":\"" + hex + "\"}\n";
  }
  EXPECT_EQ(ErrorOf(Join(rehashed)),
            "line 3: does not follow line 2 (the line before it was edited, removed or moved)");
}

TEST_F(AuditLogTest, AfterRotationTheNewFileContinuesTheChain) {
  const std::string rotated = path_ + ".1";
  auto opened = AuditLog::Open(path_);
  ASSERT_TRUE(opened) << opened.error().message;
  AuditLog& log = **opened;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log.Append(Json{{"n", i}}));
  ASSERT_EQ(::rename(path_.c_str(), rotated.c_str()), 0);  // as logrotate does
  ASSERT_TRUE(log.Reopen());
  for (int i = 3; i < 5; ++i) ASSERT_TRUE(log.Append(Json{{"n", i}}));
  std::ifstream in(rotated);
  const std::string old_text((std::istreambuf_iterator<char>(in)), {});
  ::unlink(rotated.c_str());
  const std::string new_text = Read();

  const auto old_report = Verify(old_text);
  ASSERT_TRUE(old_report) << old_report.error().message;
  EXPECT_EQ(old_report->last.seq, 3u);
  const auto continued = Verify(new_text, old_report->last);
  ASSERT_TRUE(continued) << continued.error().message;
  EXPECT_EQ(continued->lines, 2u);
  EXPECT_EQ(continued->before.seq, 3u);
  EXPECT_EQ(continued->last.seq, 5u);
  // Alone, the new file verifies only when told its start was rotated away.
  EXPECT_EQ(ErrorOf(new_text),
            "line 1: sequence number is not 1 (a line before it was removed, or lines were "
            "reordered)");
  const auto alone = Verify(new_text, std::nullopt);
  ASSERT_TRUE(alone) << alone.error().message;
  EXPECT_EQ(alone->before.seq, 3u);
  EXPECT_EQ(alone->before.hash, old_report->last.hash);
  EXPECT_EQ(alone->last.hash, continued->last.hash);
  // The files in order are one chain.
  EXPECT_EQ(Verify(old_text + new_text).value().lines, 5u);
  const auto wrong = Verify(new_text, ChainPoint{3, std::string(64, 'a')});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "line 1: does not follow the last line of the file before it (seq 3)");
}

TEST_F(AuditLogTest, ReopeningWithoutRotationOrOntoAnUnusablePathKeepsTheChain) {
  auto opened = AuditLog::Open(path_);
  ASSERT_TRUE(opened) << opened.error().message;
  AuditLog& log = **opened;
  ASSERT_TRUE(log.Append(Json{{"n", 1}}));
  ASSERT_TRUE(log.Reopen());  // the same file: goes on after its last line
  ASSERT_TRUE(log.Append(Json{{"n", 2}}));
  const std::string moved = path_ + ".1";
  ASSERT_EQ(::rename(path_.c_str(), moved.c_str()), 0);
  ASSERT_EQ(::mkdir(path_.c_str(), 0700), 0);  // the path is now unusable
  const auto refused = log.Reopen();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, path_ + ": cannot open the audit log: Is a directory");
  ASSERT_TRUE(log.Append(Json{{"n", 3}}));  // still to the file it had
  ::rmdir(path_.c_str());
  ASSERT_EQ(::rename(moved.c_str(), path_.c_str()), 0);
  const auto report = Verify(Read());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->lines, 3u);
}

TEST_F(AuditLogTest, ReopeningWhileOthersAppendKeepsOneChain) {
  auto opened = AuditLog::Open(path_);
  ASSERT_TRUE(opened) << opened.error().message;
  AuditLog& log = **opened;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&] {
      while (!stop) {
        EXPECT_TRUE(log.Append(Json{{"n", appended.load()}}));
        ++appended;
      }
    });
  }
  for (int i = 0; i < 300; ++i) EXPECT_TRUE(log.Reopen());
  stop = true;
  for (auto& w : writers) w.join();
  const auto report = Verify(Read());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->lines, appended.load());
}

TEST_F(AuditLogTest, OpeningALogWithACutLastLineIsRefused) {
  WriteEntries(2);
  std::string text = Read();
  text.resize(text.size() - 5);
  std::ofstream(path_, std::ios::trunc) << text;
  auto log = AuditLog::Open(path_);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().message,
            path_ +
                ": the last line is not a whole audit line; check the log with tresor audit "
                "verify and move it aside");
}

TEST(HmacStringsTest, LeavesAreHiddenAndComparable) {
  const auto secret = crypto::RandomSecret(32);
  const crypto::HmacSha256Key key(secret.Reveal());
  const Json in{{"password", "s3cret"}, {"n", 5}, {"ok", true}, {"list", {"s3cret", nullptr}}};
  const Json out = HmacStrings(in, key);
  EXPECT_EQ(out["password"], "hmac-sha256:" + crypto::HexEncode(crypto::HmacSha256(
                                                  secret.Reveal(), crypto::AsBytes("s3cret"))));
  EXPECT_EQ(out["n"], "hmac-sha256:" + crypto::HexEncode(crypto::HmacSha256(secret.Reveal(),
                                                                            crypto::AsBytes("5"))));
  EXPECT_EQ(out["password"], out["list"][0]);
  EXPECT_EQ(out["ok"], true);
  EXPECT_EQ(out["list"][1], nullptr);
  EXPECT_EQ(out.dump().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace tresor::audit
