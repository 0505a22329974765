// The crash test's checker can fail: a lost or misplaced acknowledged event,
// a malformed acknowledgement file and a projection that drifted from its
// rebuild are each reported. Real RocksDB log and projection stores in
// fresh temp dirs.
#include "tools/crash_check/crash_invariants.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::crash_check {
namespace {

using ::collections::testing::MakeCallLogged;
using ::collections::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ParseAckedLogTest, ReadsLinesAndIgnoresACutLastLine) {
  auto acked = ParseAckedLog("s-1 r1 1 2 7\nb-1 r3 10 31 90\nb-1 r4 10");
  ASSERT_TRUE(acked.ok()) << acked.status();
  ASSERT_EQ(acked->size(), 2u);
  EXPECT_EQ((*acked)[1].case_id, "b-1");
  EXPECT_EQ((*acked)[1].request_id, "r3");
  EXPECT_EQ((*acked)[1].events, 10);
  EXPECT_EQ((*acked)[1].case_version, 31u);
  EXPECT_EQ((*acked)[1].last_position, 90u);
}

TEST(ParseAckedLogTest, RefusesAMalformedLineNamingIt) {
  EXPECT_THAT(
      ParseAckedLog("s-1 r1 1 2 7\ns-1 r2 one 3 8\n").status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")));
  EXPECT_THAT(ParseAckedLog("s-1 r1 0 2 7\n").status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

class CrashInvariantsTest : public ::testing::Test {
 protected:
  CrashInvariantsTest() {
    auto log = storage::OpenRocksDbEventLog(storage::EventLogOptions{},
                                            dir_.path() + "/log");
    EXPECT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    // case-c1: r1 (2 events), then case-c2: r1 (1 event).
    Append("case-c1", {"r1/0", "r1/1"});
    Append("case-c2", {"r1/0"});
  }

  void Append(const std::string& stream, std::vector<std::string> ids) {
    std::vector<v1::Event> events;
    for (const std::string& id : ids) events.push_back(MakeCallLogged(id));
    ASSERT_TRUE(
        log_->Append(stream, storage::ExpectedVersion::Any(), events).ok());
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
};

TEST_F(CrashInvariantsTest, AcknowledgedAppendsInPlaceHold) {
  CrashCheckReport report;
  ASSERT_TRUE(
      CheckLogAgainstAcks(*log_, {{"c1", "r1", 2, 2, 2}, {"c2", "r1", 1, 1, 3}},
                          &report)
          .ok());
  EXPECT_THAT(report.problems, IsEmpty());
  EXPECT_EQ(report.events, 3u);
  EXPECT_EQ(report.streams, 2u);
  EXPECT_EQ(report.acked_events, 3u);
  EXPECT_EQ(report.lost_events, 0u);
}

TEST_F(CrashInvariantsTest, ALostAcknowledgedEventIsReported) {
  CrashCheckReport report;
  ASSERT_TRUE(
      CheckLogAgainstAcks(*log_, {{"c1", "r2", 1, 3, 4}}, &report).ok());
  EXPECT_EQ(report.lost_events, 1u);
  EXPECT_THAT(report.problems, ElementsAre(HasSubstr("case-c1 r2/0 is lost")));
}

TEST_F(CrashInvariantsTest, AnAcknowledgementNamingAnotherPlaceIsReported) {
  CrashCheckReport report;
  // r1 of c1 ended at version 2, position 2, not version 3.
  ASSERT_TRUE(
      CheckLogAgainstAcks(*log_, {{"c1", "r1", 2, 3, 2}}, &report).ok());
  EXPECT_EQ(report.lost_events, 0u);
  EXPECT_THAT(report.problems, ElementsAre(HasSubstr("r1/0 is at version 1"),
                                           HasSubstr("r1/1 is at version 2")));
}

// Counts events per stream.
class CountingProjection final : public projections::StoredProjection {
 public:
  std::string name() const override { return "counting"; }
  int version() const override { return 1; }
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override {
    const std::string key = recorded.event.stream_id();
    auto current = write.Get(key);
    if (!current.ok()) return current.status();
    const int count = current->has_value() ? std::stoi(**current) : 0;
    write.Put(key, std::to_string(count + 1));
    return absl::OkStatus();
  }
};

const std::vector<ProjectionUnderCheck> kCounting = {
    {"counting", [] { return std::make_unique<CountingProjection>(); }}};

TEST_F(CrashInvariantsTest, AProjectionEqualToItsRebuildHolds) {
  auto live = storage::OpenRocksDbProjectionStore({}, dir_.path() + "/live");
  ASSERT_TRUE(live.ok());
  CrashCheckReport report;
  ASSERT_TRUE(CheckProjectionsEqualRebuild(*log_, **live, kCounting,
                                           dir_.path() + "/scratch", &report)
                  .ok());
  EXPECT_THAT(report.problems, IsEmpty());
  EXPECT_EQ(report.projection_entries, 2u);  // one count per stream
}

TEST_F(CrashInvariantsTest, AProjectionThatDriftedFromItsRebuildIsReported) {
  auto live = storage::OpenRocksDbProjectionStore({}, dir_.path() + "/live");
  ASSERT_TRUE(live.ok());
  CrashCheckReport first;
  ASSERT_TRUE(CheckProjectionsEqualRebuild(*log_, **live, kCounting,
                                           dir_.path() + "/scratch-1", &first)
                  .ok());
  ASSERT_THAT(first.problems, IsEmpty());
  // State the checkpoint does not account for, as a commit of changes
  // without their checkpoint (or the reverse) would leave.
  auto keyspaces = (*live)->Projections();
  ASSERT_TRUE(keyspaces.ok());
  std::string keyspace;
  for (const std::string& name : *keyspaces)
    if (name.rfind("counting@", 0) == 0) keyspace = name;
  ASSERT_FALSE(keyspace.empty());
  auto write = (*live)->BeginWrite(keyspace);
  ASSERT_TRUE(write.ok());
  (*write)->Put("case-c1", "7");
  ASSERT_TRUE((*live)->Commit(**write, log_->HeadPosition()).ok());

  CrashCheckReport report;
  ASSERT_TRUE(CheckProjectionsEqualRebuild(*log_, **live, kCounting,
                                           dir_.path() + "/scratch-2", &report)
                  .ok());
  EXPECT_THAT(report.problems,
              ElementsAre(HasSubstr("counting caught up (2 entries) differs "
                                    "from its rebuild (2 entries)")));
}

}  // namespace
}  // namespace collections::crash_check
