// The read side: stored values that do not decode are DATA_LOSS naming the
// position, never served silently or crashing the reader.
#include "storage/rocksdb_log_reader.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DecodeStoredEventTest, MalformedValuesAreDataLossNamingThePosition) {
  Sha256Digest zero{};
  EXPECT_THAT(DecodeStoredEvent(7, "short"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 7")));
  EXPECT_THAT(
      DecodeStoredEvent(8, EncodeEventValue(zero, zero, "\xff\xff\xff")),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not decode")));
  collections::v1::Event event = collections::testing::MakeCallLogged("e");
  event.set_global_position(3);
  EXPECT_THAT(DecodeStoredEvent(
                  9, EncodeEventValue(zero, zero, event.SerializeAsString())),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("says it is at position 3")));
}

TEST(RocksDbLogReaderTest, ACorruptedRecordIsDataLossInStreamAndLogReads) {
  collections::testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    ASSERT_OK(log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 3)));
  }
  ASSERT_OK_AND_ASSIGN(EventLogDatabase database,
                       OpenEventLogDatabase({}, dir.path()));
  Sha256Digest zero{};
  ASSERT_TRUE(
      database.db
          ->Put(rocksdb::WriteOptions(), database.cf(ColumnFamily::kEvents),
                EncodePositionKey(2), EncodeEventValue(zero, zero, "\xff\xff"))
          .ok());
  RocksDbLogReader reader(database, 128);
  EXPECT_THAT(reader.ReadStream("case-1", 1, ReadDirection::kForward, 10, 3),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 2")));
  EXPECT_THAT(reader.ReadAll(LogRead{}, 3),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("position 2")));
  // Reads that stop before the damage still answer.
  ASSERT_OK_AND_ASSIGN(
      auto first,
      reader.ReadStream("case-1", 1, ReadDirection::kForward, 1, 3));
  EXPECT_EQ(first.size(), 1u);
  database.Close();
}

TEST(RocksDbLogReaderTest, EventsAboveTheCommittedHeadAreNotShown) {
  collections::testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenRocksDbEventLog({}, dir.path()));
    ASSERT_OK(log->Append("case-1", ExpectedVersion::Any(), MakeCalls("a", 4)));
  }
  ASSERT_OK_AND_ASSIGN(EventLogDatabase database,
                       OpenEventLogDatabase({}, dir.path()));
  RocksDbLogReader reader(database, 128);
  ASSERT_OK_AND_ASSIGN(
      auto forward,
      reader.ReadStream("case-1", 1, ReadDirection::kForward, 10, 2));
  EXPECT_EQ(forward.size(), 2u);
  ASSERT_OK_AND_ASSIGN(
      auto backward,
      reader.ReadStream("case-1", UINT64_MAX, ReadDirection::kBackward, 10, 2));
  ASSERT_EQ(backward.size(), 2u);
  EXPECT_EQ(backward[0].event.stream_version(), 2u);
  ASSERT_OK_AND_ASSIGN(LogReadResult all, reader.ReadAll(LogRead{}, 2));
  EXPECT_EQ(all.events.size(), 2u);
  EXPECT_EQ(all.next_position, 3u);
  database.Close();
}

}  // namespace
}  // namespace collections::storage
