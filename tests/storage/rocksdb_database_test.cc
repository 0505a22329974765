// Recovery of a partly written group commit: what a crash or a failed write
// between a group's sub-batches leaves behind is cut back to the group's
// contiguous prefix, with indexes and stream heads restored, when the
// database is opened.
#include "storage/rocksdb_database.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::testing::SizeIs;

// Writes three appends: case-a (positions 1-2), then one "group" of case-b
// (3-4) and `third_stream` (5-6). Returns case-a's head after its first
// append.
StreamHead WriteLog(const std::string& dir,
                    const std::string& third_stream = "case-c") {
  auto log = OpenRocksDbEventLog({}, dir);
  EXPECT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(
      (*log)->Append("case-a", ExpectedVersion::Any(), MakeCalls("a", 2)).ok());
  EXPECT_TRUE(
      (*log)->Append("case-b", ExpectedVersion::Any(), MakeCalls("b", 2)).ok());
  const StreamHead a_head = *(*log)->GetStreamHead("case-a").value();
  EXPECT_TRUE((*log)
                  ->Append(third_stream, ExpectedVersion::Any(),
                           MakeCalls(third_stream + "-late", 2))
                  .ok());
  return a_head;
}

// Opens the database raw and makes it look as if positions 3..6 were one
// group of which the sub-batch of `lost_stream` (events `first`, `first`+1,
// ids "<id_prefix>-0/1") never reached the disk: a sub-batch is atomic, so
// its events, index entries and stream head are all missing.
void SimulateLostSubBatch(const std::string& dir,
                          const std::string& lost_stream, uint64_t first,
                          const std::string& id_prefix) {
  absl::StatusOr<EventLogDatabase> database = OpenEventLogDatabase({}, dir);
  ASSERT_OK(database);
  std::string marker;
  PutU64(&marker, 3);
  PutU64(&marker, 6);
  rocksdb::WriteBatch batch;
  batch.Put(database->cf(ColumnFamily::kMeta), ToSlice(kLastGroupKey), marker);
  for (uint64_t i = 0; i < 2; ++i) {
    batch.Delete(database->cf(ColumnFamily::kEvents),
                 EncodePositionKey(first + i));
    batch.Delete(database->cf(ColumnFamily::kStreamIndex),
                 EncodeStreamVersionKey(lost_stream, i + 1));
    batch.Delete(
        database->cf(ColumnFamily::kEventIds),
        EncodeEventIdKey(lost_stream, id_prefix + "-" + std::to_string(i)));
  }
  batch.Delete(database->cf(ColumnFamily::kStreams), lost_stream);
  ASSERT_TRUE(database->db->Write(rocksdb::WriteOptions(), &batch).ok());
  database->Close();
}

TEST(RepairPartialGroupTest,
     EverythingAfterTheFirstGapOfTheLastGroupIsRemovedOnOpen) {
  collections::testing::TempDir dir;
  WriteLog(dir.path());
  SimulateLostSubBatch(dir.path(), "case-b", 3,
                       "b");  // the group's first sub-batch

  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  EXPECT_EQ(log->HeadPosition(), 2u);
  // case-c's events were after the gap: gone, with its head and event ids,
  // and case-b's head is gone with them (its events never landed).
  ASSERT_OK_AND_ASSIGN(auto b_head, log->GetStreamHead("case-b"));
  EXPECT_FALSE(b_head.has_value());
  ASSERT_OK_AND_ASSIGN(auto c_head, log->GetStreamHead("case-c"));
  EXPECT_FALSE(c_head.has_value());
  ASSERT_OK_AND_ASSIGN(
      auto c_events, log->ReadStream("case-c", 1, ReadDirection::kForward, 10));
  EXPECT_THAT(c_events, SizeIs(0));
  // The log continues gap-free, and case-c's ids are free to append again.
  ASSERT_OK_AND_ASSIGN(
      AppendResult again,
      log->Append("case-c", ExpectedVersion::NoStream(), MakeCalls("c", 2)));
  EXPECT_FALSE(again.already_appended);
  EXPECT_EQ(again.first_position, 3u);
  // The tree nodes the removed events had completed went with them: the
  // tree of positions 1-4 is that of the events now there, not the old ones.
  merkle::Frontier frontier;
  ASSERT_OK_AND_ASSIGN(LogReadResult all, log->ReadAll(LogRead{}));
  ASSERT_THAT(all.events, SizeIs(4));
  for (const RecordedEvent& e : all.events) {
    frontier.Append(LeafHash(e.record),
                    [](merkle::NodeId, const Sha256Digest&) {});
  }
  ASSERT_OK_AND_ASSIGN(Sha256Digest root, log->TreeRoot(4));
  EXPECT_EQ(root, frontier.Root());
}

TEST(RepairPartialGroupTest,
     AContiguousPrefixOfTheLastGroupIsKeptWithItsHeads) {
  collections::testing::TempDir dir;
  const StreamHead a_head = WriteLog(dir.path());
  SimulateLostSubBatch(dir.path(), "case-c", 5,
                       "c");  // the group's last sub-batch

  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  EXPECT_EQ(log->HeadPosition(), 4u);
  ASSERT_OK_AND_ASSIGN(auto b_head, log->GetStreamHead("case-b"));
  ASSERT_TRUE(b_head.has_value());
  EXPECT_EQ(b_head->version, 2u);
  ASSERT_OK_AND_ASSIGN(
      auto b_events, log->ReadStream("case-b", 1, ReadDirection::kForward, 10));
  ASSERT_THAT(b_events, SizeIs(2));
  EXPECT_EQ(b_head->chain_hash, b_events[1].chain_hash);
  // The log continues right after the kept prefix.
  ASSERT_OK_AND_ASSIGN(
      AppendResult next,
      log->Append("case-c", ExpectedVersion::NoStream(), MakeCalls("c", 2)));
  EXPECT_EQ(next.first_position, 5u);
  ASSERT_OK_AND_ASSIGN(auto a_after, log->GetStreamHead("case-a"));
  EXPECT_EQ(a_after->chain_hash, a_head.chain_hash);  // untouched
}

TEST(RepairPartialGroupTest,
     AStreamWhoseNewestAppendWasBeyondTheGapGoesBackToItsEarlierHead) {
  collections::testing::TempDir dir;
  const StreamHead a_head = WriteLog(dir.path(), "case-a");
  SimulateLostSubBatch(dir.path(), "case-b", 3, "b");

  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  EXPECT_EQ(log->HeadPosition(), 2u);
  ASSERT_OK_AND_ASSIGN(auto a_after, log->GetStreamHead("case-a"));
  ASSERT_TRUE(a_after.has_value());
  EXPECT_EQ(a_after->version, 2u);
  EXPECT_EQ(a_after->last_position, 2u);
  EXPECT_EQ(a_after->chain_hash, a_head.chain_hash);
  ASSERT_OK_AND_ASSIGN(
      auto a_events,
      log->ReadStream("case-a", UINT64_MAX, ReadDirection::kBackward, 10));
  ASSERT_THAT(a_events, SizeIs(2));
  EXPECT_EQ(a_events[0].event.stream_version(), 2u);
  // The removed append can be made again, at the version it had.
  ASSERT_OK_AND_ASSIGN(AppendResult again,
                       log->Append("case-a", ExpectedVersion::Exact(2),
                                   MakeCalls("case-a-late", 2)));
  EXPECT_FALSE(again.already_appended);
  EXPECT_EQ(again.first_position, 3u);
  EXPECT_EQ(again.stream_version, 4u);
}

TEST(RepairPartialGroupTest, ACompleteLastGroupIsLeftAlone) {
  collections::testing::TempDir dir;
  WriteLog(dir.path());
  ASSERT_OK_AND_ASSIGN(EventLogDatabase database,
                       OpenEventLogDatabase({}, dir.path()));
  bool repaired = true;
  EXPECT_OK(RepairPartialGroup(database, &repaired));
  EXPECT_FALSE(repaired);
  EXPECT_EQ(database.head_position, 6u);
  database.Close();
}

// Format 1 wrote one 8-byte stream_index entry per event; format 2 writes one
// run per append and must read both, also mixed in one stream.
TEST(StreamIndexFormatTest, AFormatOneIndexIsReadAndExtendedByThisBuild) {
  collections::testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    ASSERT_OK(log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  }
  {  // rewrite the index the way format 1 stored it
    ASSERT_OK_AND_ASSIGN(EventLogDatabase database,
                         OpenEventLogDatabase({}, dir.path()));
    rocksdb::WriteBatch batch;
    batch.Delete(database.cf(ColumnFamily::kStreamIndex),
                 EncodeStreamVersionKey("case-1", 1));
    for (uint64_t version = 1; version <= 3; ++version) {
      batch.Put(database.cf(ColumnFamily::kStreamIndex),
                EncodeStreamVersionKey("case-1", version),
                EncodePositionKey(version));
    }
    std::string format_one;
    PutU32(&format_one, 1);
    batch.Put(database.cf(ColumnFamily::kMeta), ToSlice(kFormatVersionKey),
              format_one);
    ASSERT_TRUE(database.db->Write(rocksdb::WriteOptions(), &batch).ok());
    database.Close();
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  ASSERT_OK(
      log->Append("case-1", ExpectedVersion::Exact(3), MakeCalls("b", 2)));
  ASSERT_OK_AND_ASSIGN(
      auto forward, log->ReadStream("case-1", 2, ReadDirection::kForward, 10));
  std::vector<uint64_t> versions;
  for (const auto& e : forward) {
    EXPECT_EQ(e.event.global_position(), e.event.stream_version());
    versions.push_back(e.event.stream_version());
  }
  EXPECT_EQ(versions, (std::vector<uint64_t>{2, 3, 4, 5}));
  ASSERT_OK_AND_ASSIGN(
      auto backward, log->ReadStream("case-1", 4, ReadDirection::kBackward, 3));
  ASSERT_THAT(backward, SizeIs(3));
  EXPECT_EQ(backward[2].event.stream_version(), 2u);
}

// The event ids and the stream index are compacted universally (size
// tiered) since 2026-12-07, leveled before: a database an older build
// compacted into its levels opens, answers and compacts with this build,
// and an older build (every family leveled, RocksDB's defaults) still
// opens what this build compacted.
rocksdb::Status OpenLeveled(const std::string& dir,
                            std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                            std::unique_ptr<rocksdb::DB>* db) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    families.emplace_back(ColumnFamilyName(static_cast<ColumnFamily>(i)),
                          rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, handles, &raw);
  db->reset(raw);
  return status;
}

// Compacts every column family of `db` to its last level.
void CompactAll(rocksdb::DB* db,
                const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* family : handles) {
    ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), family,
                                 nullptr, nullptr)
                    .ok());
  }
}

// How many files `family` has at `level`.
int FilesAtLevel(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                 int level) {
  std::string count;
  EXPECT_TRUE(db->GetProperty(
      family, absl::StrCat("rocksdb.num-files-at-level", level), &count));
  return std::stoi(count);
}

void CloseLeveled(std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                  std::unique_ptr<rocksdb::DB>* db) {
  for (rocksdb::ColumnFamilyHandle* family : *handles) {
    ASSERT_TRUE((*db)->DestroyColumnFamilyHandle(family).ok());
  }
  handles->clear();
  ASSERT_TRUE((*db)->Close().ok());
  db->reset();
}

TEST(CompactionStyleTest, ALeveledDatabaseOpensCompactsAndStaysReadableBack) {
  collections::testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    for (int i = 0; i < 6; ++i) {
      ASSERT_OK(log->Append(absl::StrCat("case-", i), ExpectedVersion::Any(),
                            MakeCalls(absl::StrCat("old-", i), 3)));
    }
  }
  {  // an older build compacts it into its levels
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::unique_ptr<rocksdb::DB> db;
    ASSERT_TRUE(OpenLeveled(dir.path(), &handles, &db).ok());
    CompactAll(db.get(), handles);
    rocksdb::ColumnFamilyHandle* ids =
        handles[static_cast<int>(ColumnFamily::kEventIds)];
    EXPECT_EQ(FilesAtLevel(db.get(), ids, 0), 0);
    EXPECT_EQ(FilesAtLevel(db.get(), ids, 1), 1);
    CloseLeveled(&handles, &db);
  }
  {  // this build reads it, appends and compacts it universally
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    // A retry of an old append is recognised by its event ids.
    ASSERT_OK_AND_ASSIGN(
        AppendResult retried,
        log->Append("case-2", ExpectedVersion::Any(), MakeCalls("old-2", 3)));
    EXPECT_TRUE(retried.already_appended);
    EXPECT_EQ(retried.last_position, 9u);
    ASSERT_OK(log->Append("case-2", ExpectedVersion::Exact(3),
                          MakeCalls("new-2", 2)));
  }
  {
    ASSERT_OK_AND_ASSIGN(EventLogDatabase database,
                         OpenEventLogDatabase({}, dir.path()));
    CompactAll(database.db.get(), database.handles);
    // Universal compaction's full merge: one sorted run, in the last level.
    EXPECT_EQ(FilesAtLevel(database.db.get(),
                           database.cf(ColumnFamily::kEventIds), 6),
              1);
    database.Close();
  }
  {  // an older build opens what this build compacted
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::unique_ptr<rocksdb::DB> db;
    ASSERT_TRUE(OpenLeveled(dir.path(), &handles, &db).ok());
    std::string value;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(),
                        handles[static_cast<int>(ColumnFamily::kEventIds)],
                        EncodeEventIdKey("case-2", "new-2-1"), &value)
                    .ok());
    CloseLeveled(&handles, &db);
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
  ASSERT_OK_AND_ASSIGN(
      auto events, log->ReadStream("case-2", 1, ReadDirection::kForward, 10));
  ASSERT_THAT(events, SizeIs(5));
  EXPECT_EQ(events[4].event.event_id(), "new-2-1");
}

}  // namespace
}  // namespace collections::storage
