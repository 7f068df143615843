// Runs every C2SP CCTV age vector (../shared/testdata/cctv-age) through the
// library: the failure class must match `expect` and the SHA-256 of all
// plaintext released must match `payload`, also for failures. Vectors for the
// post-quantum hybrid type are reported as skipped (unsupported), never passed.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "age/encrypt.h"
#include "age/scrypt.h"
#include "age/x25519.h"
#include "crypto/kdf.h"
#include "support/hex.h"

namespace tresor::age {
namespace {

namespace fs = std::filesystem;
using testutil::Hex;

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> fields;
  std::string body;
};

std::string Inflate(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit(&zs), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

Vector LoadVector(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string all = ss.str();
  const size_t split = all.find("\n\n");
  Vector v{path.filename().string(), {}, all.substr(split + 2)};
  std::istringstream head(all.substr(0, split));
  for (std::string line; std::getline(head, line);) {
    const size_t colon = line.find(": ");
    v.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  if (v.fields.count("compressed")) v.body = Inflate(v.body);
  return v;
}

// The vectors' names; none if the directory is not there (the test below
// then says where it was looked for, instead of test discovery aborting).
std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(TRESOR_CCTV_DIR, error)) {
    if (entry.path().filename() != "README.md") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ClassOf(const Result<void>& r) {
  if (r) return "success";
  switch (r.error().code) {
    case ErrorCode::kArmor:
      return "armor failure";
    case ErrorCode::kHeader:
      return "header failure";
    case ErrorCode::kNoMatch:
      return "no match";
    case ErrorCode::kHmac:
      return "HMAC failure";
    case ErrorCode::kPayload:
      return "payload failure";
    default:
      return "unexpected: " + r.error().message;
  }
}

class HashingSink : public Sink {
 public:
  Result<void> Write(std::span<const uint8_t> data) override {
    hasher_.Update(data);
    return {};
  }
  std::string HexDigest() { return Hex(hasher_.Finish()); }

 private:
  crypto::Sha256Hasher hasher_;
};

bool IsHybrid(const Vector& v) {
  if (v.name.find("hybrid") != std::string::npos) return true;
  auto [b, e] = v.fields.equal_range("identity");
  return std::any_of(b, e,
                     [](const auto& kv) { return kv.second.starts_with("AGE-SECRET-KEY-PQ-"); });
}

class CctvTest : public testing::TestWithParam<std::string> {};

TEST_P(CctvTest, OutcomeAndReleasedPlaintextMatch) {
  const Vector v = LoadVector(fs::path(TRESOR_CCTV_DIR) / GetParam());
  if (IsHybrid(v))
    GTEST_SKIP() << "unsupported: post-quantum hybrid recipient type (mlkem768x25519)";

  std::vector<std::unique_ptr<Identity>> owned;
  auto [ib, ie] = v.fields.equal_range("identity");
  for (auto it = ib; it != ie; ++it) {
    auto id = X25519Identity::Parse(it->second);
    ASSERT_TRUE(id) << id.error().message;
    owned.push_back(std::make_unique<X25519Identity>(std::move(*id)));
  }
  auto [pb, pe] = v.fields.equal_range("passphrase");
  for (auto it = pb; it != pe; ++it) {
    owned.push_back(
        std::make_unique<ScryptIdentity>(crypto::SecretBytes::CopyOf(crypto::AsBytes(it->second))));
  }
  std::vector<const Identity*> ids;
  for (const auto& id : owned) ids.push_back(id.get());

  SpanSource in(v.body);
  HashingSink out;
  const Result<void> result = Decrypt(ids, in, out);
  const std::string expect = v.fields.find("expect")->second;
  EXPECT_EQ(ClassOf(result), expect) << (result ? "" : result.error().message);
  auto payload = v.fields.find("payload");
  if (payload != v.fields.end()) {
    EXPECT_EQ(out.HexDigest(), payload->second) << "released plaintext differs";
  } else if (expect != "success") {
    EXPECT_EQ(out.HexDigest(), Hex(crypto::Sha256({}))) << "plaintext released on failure";
  }
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CctvTest);

TEST(CctvVectors, AreThere) {
  EXPECT_TRUE(fs::is_directory(TRESOR_CCTV_DIR))
      << TRESOR_CCTV_DIR << ": no CCTV age vectors here; clone tresor next to shared/ (the "
      << "README's layout) or configure with -DTRESOR_CCTV_DIR=DIR";
  EXPECT_GT(VectorNames().size(), 100u);
}

INSTANTIATE_TEST_SUITE_P(Vectors, CctvTest, testing::ValuesIn(VectorNames()),
                         [](const testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace tresor::age
