// Snapshot streams: a store written out and read back record for record,
// with the count and digest checked; every cut, a changed byte, a wrong
// count and what a crafted stream may claim refused with the byte where;
// and a SQLite store read beside the process that writes it.
#include "store/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "store/memory_storage.h"
#include "store/sqlite_storage.h"

namespace tresor::store {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string Save(Storage& storage, SnapshotSummary* summary = nullptr) {
  std::string out;
  auto saved = WriteSnapshot(storage, [&](std::span<const uint8_t> data) -> Result<void> {
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  });
  EXPECT_TRUE(saved) << saved.error().message;
  if (summary != nullptr && saved) *summary = *saved;
  return out;
}

// Reads `stream` in pieces of `piece` bytes; the records, or the error.
Result<std::map<std::string, Bytes>> Load(std::string_view stream, size_t piece = 7) {
  std::map<std::string, Bytes> records;
  SnapshotReader reader([&](std::string key, Bytes value) -> Result<void> {
    records.emplace(std::move(key), std::move(value));
    return {};
  });
  for (size_t at = 0; at < stream.size(); at += piece) {
    const std::string_view part = stream.substr(at, piece);
    TRESOR_RETURN_IF_ERROR(
        reader.Feed({reinterpret_cast<const uint8_t*>(part.data()), part.size()}));
  }
  TRESOR_RETURN_IF_ERROR(reader.Finish());
  return records;
}

std::string Refusal(std::string_view stream) {
  auto loaded = Load(stream);
  EXPECT_FALSE(loaded);
  if (loaded) return "";
  EXPECT_EQ(loaded.error().code, ErrorCode::kIntegrity);
  return loaded.error().message;
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage_.Commit({Write{"core/keyring", B("sealed keyring")},
                                 Write{"kv/secret/k/app/db", B(std::string(300, 'x'))},
                                 Write{"cluster/nodes/a", B("a node")},
                                 Write{"kv/secret/k/empty", Bytes{}}}));
  }
  MemoryStorage storage_;
};

TEST_F(SnapshotTest, EveryRecordButTheNodesComesBackInAnyPieces) {
  SnapshotSummary summary;
  const std::string stream = Save(storage_, &summary);
  EXPECT_TRUE(stream.starts_with("tresor-snapshot v1\nr"));
  EXPECT_EQ(summary.records, 3u);
  EXPECT_EQ(summary.bytes, 314u);
  EXPECT_EQ(summary.sha256.size(), 64u);
  const std::map<std::string, Bytes> want{{"core/keyring", B("sealed keyring")},
                                          {"kv/secret/k/app/db", B(std::string(300, 'x'))},
                                          {"kv/secret/k/empty", Bytes{}}};
  for (const size_t piece : {size_t{1}, size_t{7}, size_t{4096}}) {
    auto loaded = Load(stream, piece);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(*loaded, want) << piece;
  }
}

TEST_F(SnapshotTest, EveryCutIsRefused) {
  const std::string stream = Save(storage_);
  for (size_t size = 0; size < stream.size(); ++size) {
    auto loaded = Load(stream.substr(0, size));
    ASSERT_FALSE(loaded) << size;
    EXPECT_EQ(loaded.error().code, ErrorCode::kIntegrity) << size;
  }
  EXPECT_EQ(
      Refusal(stream.substr(0, stream.size() - 41)),
      "byte " + std::to_string(stream.size() - 41) + " of the snapshot: cut short after 3 records");
}

TEST_F(SnapshotTest, AChangedRecordOrCountOrTrailingBytesAreRefused) {
  const std::string stream = Save(storage_);
  std::string changed = stream;
  changed[60] ^= 1;  // inside the second record's key
  EXPECT_EQ(Refusal(changed), "byte " + std::to_string(stream.size() - 41) +
                                  " of the snapshot: the records do not match the digest at the "
                                  "end");
  std::string count = stream;
  count[stream.size() - 33] = 4;
  EXPECT_EQ(Refusal(count), "byte " + std::to_string(stream.size() - 41) +
                                " of the snapshot: the end says 4 records, there were 3");
  EXPECT_EQ(Refusal(stream + "r"),
            "byte " + std::to_string(stream.size()) + " of the snapshot: more after the end");
  EXPECT_EQ(Refusal("tresor-snapshot v2\n"), "byte 0 of the snapshot: not a tresor snapshot");
  EXPECT_EQ(Refusal("age-encryption.org/v1\n"), "byte 0 of the snapshot: not a tresor snapshot");
  EXPECT_EQ(Refusal("tresor-snapshot v1\nx"),
            "byte 19 of the snapshot: neither a record nor the end");
}

TEST_F(SnapshotTest, WhatAStreamClaimsIsBoundedBeforeItIsHeld) {
  // A value of 4 GiB - 1 claimed: refused on its length, nothing buffered.
  EXPECT_EQ(Refusal(std::string("tresor-snapshot v1\nr\0\0\0\1k\xff\xff\xff\xff", 29)),
            "byte 19 of the snapshot: a value of 4294967295 bytes");
  EXPECT_EQ(Refusal(std::string("tresor-snapshot v1\nr\0\0\0\0", 24)),
            "byte 19 of the snapshot: a key of 0 bytes");
  EXPECT_EQ(Refusal(std::string("tresor-snapshot v1\nr\x7f\0\0\0", 24)),
            "byte 19 of the snapshot: a key of 2130706432 bytes");
}

TEST_F(SnapshotTest, ARecordTheCallerRefusesEndsTheRead) {
  const std::string stream = Save(storage_);
  SnapshotReader reader([](std::string key, Bytes) -> Result<void> {
    if (key == "kv/secret/k/app/db") return MakeError(ErrorCode::kIo, "disk full");
    return {};
  });
  auto fed = reader.Feed({reinterpret_cast<const uint8_t*>(stream.data()), stream.size()});
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().message, "disk full");
}

TEST(SqliteSnapshotTest, ReadsBesideTheWriterWithoutItsLock) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tresor-snapshot-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tresor.db").string();
  {
    auto writer = SqliteStorage::Open(path);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->Commit({Write{"a", B("1")}, Write{"b", B("2")}}));
    auto reading = SqliteStorage::OpenForReading(path);
    ASSERT_TRUE(reading) << reading.error().message;
    SnapshotSummary summary;
    const std::string stream = Save(**reading, &summary);
    EXPECT_EQ(summary.records, 2u);
    ASSERT_TRUE((*writer)->Commit({Write{"c", B("3")}}));
    EXPECT_EQ(Load(stream).value().size(), 2u);
    EXPECT_EQ(Load(Save(**reading)).value().size(), 3u);  // each save a new view
    auto refused = (*reading)->Commit({Write{"d", B("4")}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, path + ": opened for reading only");
    // The writer's lock is not taken: a second writer is still refused
    // by the first, not by the reader.
    EXPECT_EQ(SqliteStorage::Open(path).error().message,
              path + ": in use by another tresor server");
  }
  EXPECT_EQ(SqliteStorage::OpenForReading((dir / "none.db").string()).error().code,
            ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tresor::store
