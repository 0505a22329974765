// Storage under faults, on real RocksDB databases in fresh temp dirs:
//   - a nearly full disk: appends answer UNAVAILABLE and resume by
//     themselves once there is room;
//   - a disk that refuses writes (WriteFaults, as ENOSPC): appends and
//     projection commits answer UNAVAILABLE, nothing partial is visible,
//     reads go on, and after a restart writing goes on;
//   - a damaged SST file or write-ahead log: found at open or read and
//     reported as DATA_LOSS naming the damage, never served silently.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/log_integrity.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "storage/write_faults.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::unique_ptr<DurableEventLog> OpenLog(const std::string& dir,
                                         WriteFaults* faults = nullptr) {
  EventLogOptions options;
  options.write_faults = faults;
  auto log = OpenRocksDbEventLog(options, dir);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

std::vector<uint64_t> Versions(EventLog& log, const std::string& stream) {
  std::vector<uint64_t> versions;
  auto events = log.ReadStream(stream, 1, ReadDirection::kForward, 1000);
  EXPECT_TRUE(events.ok()) << events.status();
  if (events.ok())
    for (const auto& e : *events) versions.push_back(e.event.stream_version());
  return versions;
}

TEST(DiskFullTest, ANearlyFullDiskRefusesAppendsUntilSpaceReturns) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  auto log = OpenLog(dir.path(), &faults);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(), MakeCalls("a", 2)).ok());

  faults.SimulateFreeBytes(10 << 20);  // below the 256 MiB reserve
  EXPECT_THAT(
      log->Append("s", ExpectedVersion::Any(), MakeCalls("b", 3)),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("nearly full: 10 MiB free, appends need 256")));
  EXPECT_EQ(log->HeadPosition(), 2u);  // reads go on
  EXPECT_EQ(Versions(*log, "s"), (std::vector<uint64_t>{1, 2}));

  faults.SimulateFreeBytes(-1);  // space freed: the very next append lands
  ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(), MakeCalls("b", 3)).ok());
  EXPECT_EQ(Versions(*log, "s"), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST(DiskFullTest, FailingWritesAnswerUnavailableAndLeaveNothingPartial) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  auto log = OpenLog(dir.path(), &faults);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(), MakeCalls("a", 2)).ok());

  faults.FailWrites(true);
  EXPECT_THAT(log->Append("s", ExpectedVersion::Any(), MakeCalls("b", 3)),
              StatusIs(absl::StatusCode::kUnavailable));
  // Later appends are refused too, saying what to do.
  EXPECT_THAT(log->Append("t", ExpectedVersion::Any(), MakeCalls("c", 1)),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("the same event ids")));
  EXPECT_GT(faults.refused(), 0u);
  // Reads go on, and nothing of the refused appends is visible (the
  // stream's head included, which the log otherwise answers from memory).
  EXPECT_EQ(log->HeadPosition(), 2u);
  EXPECT_EQ(Versions(*log, "s"), (std::vector<uint64_t>{1, 2}));
  auto head = log->GetStreamHead("s");
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->version, 2u);
  faults.FailWrites(false);

  // Reopened (a restart), the retry with the same event ids lands once.
  log.reset();
  log = OpenLog(dir.path());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(), MakeCalls("b", 3)).ok());
  EXPECT_EQ(Versions(*log, "s"), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  ASSERT_TRUE(log->Append("t", ExpectedVersion::Any(), MakeCalls("c", 1)).ok());
  EXPECT_EQ(log->HeadPosition(), 6u);

  // The log verifies: no gap, no half-written group, tree intact.
  log.reset();
  auto integrity = CheckLogIntegrity(dir.path());
  ASSERT_TRUE(integrity.ok()) << integrity.status();
  EXPECT_EQ(integrity->events, 6u);
  EXPECT_THAT(integrity->problems, IsEmpty());
}

TEST(DiskFullTest, ProjectionCommitsAnswerUnavailableUntilRestart) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  ProjectionStoreOptions options;
  options.write_faults = &faults;
  options.write_ahead_log = true;  // the commit itself writes a file
  auto store = OpenRocksDbProjectionStore(options, dir.path());
  ASSERT_TRUE(store.ok()) << store.status();

  faults.FailWrites(true);
  auto write = (*store)->BeginWrite("p@1.1");
  ASSERT_TRUE(write.ok());
  (*write)->Put("k", "v1");
  EXPECT_THAT((*store)->Commit(**write, 1),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(uint64_t before, (*store)->Checkpoint("p@1.1"));
  EXPECT_EQ(before, 0u);

  faults.FailWrites(false);
  // Reopened (a restart), the store commits again; the runner would have
  // retried from its checkpoint.
  store->reset();
  store = OpenRocksDbProjectionStore(options, dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  write = (*store)->BeginWrite("p@1.1");
  ASSERT_TRUE(write.ok());
  (*write)->Put("k", "v1");
  ASSERT_TRUE((*store)->Commit(**write, 1).ok());
  ASSERT_OK_AND_ASSIGN(uint64_t after, (*store)->Checkpoint("p@1.1"));
  EXPECT_EQ(after, 1u);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> value,
                       (*store)->Get("p@1.1", "k"));
  EXPECT_EQ(value, "v1");
}

// Overwrites `count` bytes in the middle of `path` with their complement.
void Damage(const std::filesystem::path& path, size_t count) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(file) << path;
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 2 * count) << path;
  std::string bytes(count, '\0');
  file.seekg(static_cast<std::streamoff>(size / 2));
  file.read(bytes.data(), static_cast<std::streamsize>(count));
  for (char& c : bytes) c = static_cast<char>(~c);
  file.seekp(static_cast<std::streamoff>(size / 2));
  file.write(bytes.data(), static_cast<std::streamsize>(count));
}

std::vector<std::filesystem::path> FilesEndingIn(const std::string& dir,
                                                 const std::string& suffix) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        entry.file_size() > 0)
      files.push_back(entry.path());
  }
  return files;
}

// Opens the damaged log and reads all of it; returns the first error.
absl::Status OpenAndReadAll(const std::string& dir) {
  auto log = OpenRocksDbEventLog(EventLogOptions{}, dir);
  if (!log.ok()) return log.status();
  LogRead read;
  read.max_events = 100000;
  auto all = (*log)->ReadAll(read);
  if (!all.ok()) return all.status();
  auto stream = (*log)->ReadStream("s", 1, ReadDirection::kForward, 100000);
  return stream.status();
}

TEST(CorruptionTest, ADamagedSstFileIsDataLossNamingTheFile) {
  collections::testing::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(),
                              MakeCalls(absl::StrCat("e", i), 50, 400))
                      .ok());
    }
    ASSERT_TRUE(log->Settle(absl::Seconds(30)).ok());  // into SST files
  }
  const auto tables = FilesEndingIn(dir.path(), ".sst");
  ASSERT_FALSE(tables.empty());
  for (const auto& table : tables) Damage(table, 64);

  EXPECT_THAT(OpenAndReadAll(dir.path()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(".sst")));
}

TEST(CorruptionTest, ADamagedWriteAheadLogRecordIsDataLossAtOpen) {
  collections::testing::TempDir dir;
  {
    auto log = OpenLog(dir.path());
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(log->Append("s", ExpectedVersion::Any(),
                              MakeCalls(absl::StrCat("e", i), 5, 400))
                      .ok());
    }
  }  // closed without a flush: the events live in the write-ahead log only
  const auto logs = FilesEndingIn(dir.path(), ".log");
  ASSERT_FALSE(logs.empty());
  for (const auto& wal : logs) Damage(wal, 8);

  // Not a silent replay up to the damage: every later acknowledged append
  // would be dropped with it.
  auto reopened = OpenRocksDbEventLog(EventLogOptions{}, dir.path());
  EXPECT_THAT(reopened.status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AnyOf(HasSubstr(".log"), HasSubstr("write-ahead"))));
}

// Without a write-ahead log (the default) a commit writes no file: a full
// disk shows at the next flush, and from then on commits answer
// UNAVAILABLE until a restart. What a reopened store holds is some prefix
// of the commits, each value with its checkpoint, never one without the
// other.
TEST(DiskFullTest, ProjectionFlushFailureStopsCommitsAndKeepsAPrefix) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  ProjectionStoreOptions options;
  options.write_faults = &faults;
  auto store = OpenRocksDbProjectionStore(options, dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  auto commit = [&](const std::string& value, uint64_t checkpoint) {
    auto write = (*store)->BeginWrite("p@1.1");
    if (!write.ok()) return write.status();
    (*write)->Put("k", value);
    return (*store)->Commit(**write, checkpoint);
  };
  ASSERT_OK(commit("v1", 1));
  ASSERT_OK((*store)->Settle(absl::Seconds(30)));  // v1 is in a table file

  faults.FailWrites(true);
  ASSERT_OK(commit("v2", 2));  // in the memtable only
  EXPECT_FALSE((*store)->Settle(absl::Seconds(30)).ok());
  EXPECT_THAT(commit("v3", 3), StatusIs(absl::StatusCode::kUnavailable));

  faults.FailWrites(false);
  store->reset();
  store = OpenRocksDbProjectionStore(options, dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_OK_AND_ASSIGN(uint64_t checkpoint, (*store)->Checkpoint("p@1.1"));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> value,
                       (*store)->Get("p@1.1", "k"));
  ASSERT_TRUE(checkpoint == 1 || checkpoint == 2) << checkpoint;
  EXPECT_EQ(value, checkpoint == 1 ? "v1" : "v2");
  ASSERT_OK(commit("v3", 3));
  ASSERT_OK_AND_ASSIGN(value, (*store)->Get("p@1.1", "k"));
  EXPECT_EQ(value, "v3");
}

}  // namespace
}  // namespace collections::storage
