#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "crypto/big_endian.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/value_aead.h"
#include "store/barrier.h"
#include "store/memory_storage.h"
#include "store/pending_writes.h"
#include "store/sqlite_storage.h"

namespace tresor::store {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string S(const crypto::SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.Reveal().data()), b.size());
}

class SqliteStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tresor-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteStorage> Open() {
    auto s = SqliteStorage::Open(path_);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return std::move(*s);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteStorageTest, CommittedBatchesSurviveReopening) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Commit({{"a/1", B("one")}, {"a/2", B("two")}, {"b", B("bee")}}).has_value());
    ASSERT_TRUE(s->Commit({{"a/2", std::nullopt}}).has_value());
  }
  auto s = Open();
  EXPECT_EQ(*s->Get("a/1").value(), B("one"));
  EXPECT_FALSE(s->Get("a/2").value().has_value());
  EXPECT_EQ(s->Keys("a/").value(), std::vector<std::string>{"a/1"});
}

TEST_F(SqliteStorageTest, ReadsSeeSubmittedBatchesBeforeTheyAreDurable) {
  auto s = Open();
  ASSERT_TRUE(s->Commit({{"k/1", B("old")}, {"k/3", B("three")}}).has_value());
  const uint64_t seq =
      s->Submit({{"k/1", B("new")}, {"k/2", B("two")}, {"k/3", std::nullopt}}).value();
  EXPECT_EQ(*s->Get("k/1").value(), B("new"));
  std::vector<std::string> seen;
  ASSERT_TRUE(s->Scan("k/", [&](const std::string& key, const Record& r) {
                 seen.push_back(key + "=" + std::string(r.value.begin(), r.value.end()) + "@" +
                                std::to_string(r.revision));
                 return true;
               }).has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"k/1=new@2", "k/2=two@2"}));
  std::atomic<bool> durable{false};
  s->WhenDurable(seq, [&](bool ok) { durable = ok; });
  while (!durable) std::this_thread::yield();
  EXPECT_TRUE(s->IsDurable(seq));
}

TEST_F(SqliteStorageTest, RevisionsSurviveReopeningAndTheWatchStartsThere) {
  uint64_t last = 0;
  {
    auto s = Open();
    ASSERT_TRUE(s->Commit({{"a", B("1")}, {"b", B("2")}}).has_value());
    ASSERT_TRUE(s->Commit({{"a", B("3")}}).has_value());
    last = s->Commit(Txn{{}, {{"b", std::nullopt}}}).value().revision;
    EXPECT_EQ(last, 3u);
  }
  auto s = Open();
  EXPECT_EQ(s->Revision().value(), 3u);  // kept although the newest record is older
  EXPECT_EQ(s->Read("a").value()->revision, 2u);
  EXPECT_EQ(s->Commit(Txn{{}, {{"c", B("4")}}}).value().revision, 4u);
  // The history before reopening is gone: a watch from there is told so.
  std::atomic<int> code{-1};
  auto watch = s->WatchPrefix(
      "", 1, [&](const Change& c) { code = c.error ? static_cast<int>(c.error->code) : 0; });
  while (code == -1) std::this_thread::yield();
  EXPECT_EQ(code, static_cast<int>(ErrorCode::kCompacted));
}

TEST_F(SqliteStorageTest, ADatabaseFromBeforeRevisionsOpensWithRevisionOne) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE records (key TEXT PRIMARY KEY, value BLOB NOT NULL) "
                           "WITHOUT ROWID; INSERT INTO records VALUES ('old', x'6f6c64')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = Open();
  auto old = s->Read("old").value();
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->value, B("old"));
  EXPECT_EQ(old->revision, 1u);
  EXPECT_EQ(s->Revision().value(), 1u);
  EXPECT_TRUE(s->Commit(Txn{{{"old", 1}}, {{"old", B("new")}}}).value().applied);
  EXPECT_EQ(s->Read("old").value()->revision, 2u);
}

TEST_F(SqliteStorageTest, ConcurrentWritersShareTransactions) {
  auto s = Open();
  constexpr int kThreads = 16;
  constexpr int kWrites = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        ASSERT_TRUE(
            s->Commit({{"w/" + std::to_string(t) + "/" + std::to_string(i), B("x")}}).has_value());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(s->Keys("w/").value().size(), size_t{kThreads * kWrites});
  // One fsync'd transaction per write would be 1600.
  EXPECT_LT(s->transactions(), uint64_t{kThreads * kWrites});
}

TEST_F(SqliteStorageTest, ASecondServerOnTheSameDatabaseIsRefused) {
  auto first = Open();
  auto second = SqliteStorage::Open(path_);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kRefused);
  EXPECT_EQ(second.error().message, path_ + ": in use by another tresor server");
}

TEST(BarrierTest, RecordsAreEncryptedAndBoundToTheirKey) {
  auto storage = std::make_shared<MemoryStorage>();
  Barrier barrier(storage, Keyring::Generate());
  const std::string secret = "hunter2-very-secret";
  ASSERT_TRUE(barrier.Put("kv/a", {reinterpret_cast<const uint8_t*>(secret.data()), secret.size()})
                  .has_value());
  EXPECT_GT(TakeNotedWrites().seq, 0u);
  EXPECT_EQ(S(**barrier.Get("kv/a")), secret);
  const Bytes raw = storage->Read("kv/a").value().value().value;
  ASSERT_GT(raw.size(), 16u);
  EXPECT_EQ(std::search(raw.begin(), raw.end(), secret.begin(), secret.end()), raw.end());

  // Copied under another key, or changed: it no longer opens.
  ASSERT_TRUE(storage->Commit({{"kv/b", raw}}).has_value());
  auto moved = barrier.Get("kv/b");
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(moved.error().message, "kv/b: stored record does not decrypt");
  Bytes changed = raw;
  changed.back() ^= 1;
  ASSERT_TRUE(storage->Commit({{"kv/a", changed}}).has_value());
  EXPECT_FALSE(barrier.Get("kv/a").has_value());
}

TEST(KeyringTest, OnlyItsRootKeyOpensIt) {
  const auto root = crypto::RandomSecret(32);
  const Keyring keyring = Keyring::Generate();
  const auto sealed = keyring.Seal(root);
  auto opened = Keyring::Open(sealed, root);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->active_term(), 1u);
  EXPECT_EQ(S(*opened->Key(1)), S(*keyring.Key(1)));
  auto wrong = Keyring::Open(sealed, crypto::RandomSecret(32));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().message, "the root key does not open the keyring");
}

// Rotation adds a term and keeps the others; the times travel with the
// keyring, and a keyring sealed before times were kept (version 1) opens.
TEST(KeyringTest, RotationAddsATermAndKeepsTheOthers) {
  const auto root = crypto::RandomSecret(32);
  const Keyring first = Keyring::Generate(1000);
  const Keyring second = first.Rotated(2000);
  EXPECT_EQ(second.active_term(), 2u);
  EXPECT_EQ(S(*second.Key(1)), S(*first.Key(1)));
  ASSERT_NE(second.Key(2), nullptr);
  EXPECT_NE(S(*second.Key(2)), S(*first.Key(1)));
  auto opened = Keyring::Open(second.Seal(root), root);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->active_term(), 2u);
  EXPECT_EQ((std::pair{opened->install_time(1), opened->install_time(2)}),
            (std::pair{int64_t{1000}, int64_t{2000}}));
  EXPECT_EQ(S(*opened->Key(2)), S(*second.Key(2)));
  // The same derived keys (token and audit HMACs) after a rotation.
  EXPECT_EQ(S(second.DeriveKey("x")), S(first.DeriveKey("x")));

  std::string v1 = "tresor keyring 1\n";
  v1 += std::string("\0\0\0\1\0\0\0\1\0\0\0\1", 12) + S(*first.Key(1));
  const auto sealed_v1 =
      crypto::SealValue(root.Reveal(), crypto::AsBytes(kKeyringPath), crypto::AsBytes(v1));
  auto old = Keyring::Open(sealed_v1, root);
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_EQ(old->active_term(), 1u);
  EXPECT_EQ(old->install_time(1), 0);
  EXPECT_EQ(S(*old->Key(1)), S(*first.Key(1)));
}

// A barrier rotates the stored keyring; another barrier on the store (a
// node) adopts it from the stored bytes, and opens both terms' records.
TEST(BarrierTest, ARotationIsAdoptedByAnotherBarrier) {
  auto storage = std::make_shared<MemoryStorage>();
  const auto root = crypto::RandomSecret(32);
  const Keyring keyring = Keyring::Generate(1);
  ASSERT_TRUE(storage->Commit({{kKeyringPath, keyring.Seal(root)}}).has_value());
  Barrier a(storage, Keyring::Open(keyring.Seal(root), root).value(),
            crypto::SecretBytes::CopyOf(root.Reveal()), 8);
  Barrier b(storage, Keyring::Open(keyring.Seal(root), root).value(),
            crypto::SecretBytes::CopyOf(root.Reveal()));
  ASSERT_TRUE(a.Put("old", crypto::AsBytes(std::string_view("1"))).has_value());
  EXPECT_EQ(a.Rotate(2).value(), 2u);
  EXPECT_EQ(a.Rotate(3).value(), 3u);
  ASSERT_TRUE(a.Put("new", crypto::AsBytes(std::string_view("2"))).has_value());
  const Bytes raw = storage->Read("new").value()->value;
  EXPECT_EQ(crypto::ReadU32(std::span<const uint8_t>(raw).subspan(1)), 3u);

  auto unknown = b.Get("new");  // a local store: b learns only from the watch
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "new: stored record does not decrypt");
  ASSERT_TRUE(b.Adopt(storage->Read(kKeyringPath).value()->value).has_value());
  EXPECT_EQ(b.keyring()->active_term(), 3u);
  EXPECT_EQ(S(**b.Get("new")), "2");
  EXPECT_EQ(S(**b.Get("old")), "1");
  // An older keyring is never adopted over a newer one.
  ASSERT_TRUE(b.Adopt(keyring.Seal(root)).has_value());
  EXPECT_EQ(b.keyring()->active_term(), 3u);

  // The keyring is bounded (here to 8 keys): past it, a rotation is refused.
  for (uint32_t n = 4; n <= 8; ++n) EXPECT_EQ(a.Rotate(4).value(), n);
  auto full = a.Rotate(5);
  ASSERT_FALSE(full.has_value());
  EXPECT_EQ(full.error().message, "the keyring already holds 8 keys, the most it keeps");
  EXPECT_EQ(a.keyring()->active_term(), 8u);

  Barrier no_root(storage, Keyring::Generate());
  auto refused = no_root.Rotate(4);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "no root key to seal the keyring");
}

}  // namespace
}  // namespace tresor::store
