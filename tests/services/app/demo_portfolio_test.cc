// The demo portfolio through the real use cases on a real RocksDB log: every
// path obeys the rules, the command side's incrementally folded states equal
// a fresh fold of each stream, and nothing more is due at the seeding's now.
#include "services/app/demo_portfolio.h"

#include <map>
#include <memory>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/app/case_queries.h"
#include "services/app/case_reader.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/case_write_path.h"
#include "tests/testing/temp_dir.h"

namespace collections::app {
namespace {

TEST(DemoPortfolioTest, SeedsEveryPathAndFoldsAgreeEverywhere) {
  testing::TempDir dir;
  auto log =
      storage::OpenRocksDbEventLog(storage::EventLogOptions{}, dir.Sub("data"));
  ASSERT_TRUE(log.ok()) << log.status();
  DemoPortfolioOptions options;
  options.debtors = 60;
  std::map<collections::v1::CaseStage, int> stages;
  {
    testing::CaseWritePath path(log->get());
    absl::StatusOr<DemoPortfolioStats> stats =
        SeedDemoPortfolio(path.commands, path.reader, options);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_EQ(stats->debtors, 60);
    ASSERT_GE(stats->cases, 60);

    for (int d = 1; d <= 60; ++d) {
      for (int c = 1; c <= 2; ++c) {
        char case_id[32];
        std::snprintf(case_id, sizeof(case_id), "c-%04d-%d", d, c);
        absl::StatusOr<domain::CaseState> incremental =
            path.reader.Load(case_id);
        ASSERT_TRUE(incremental.ok());
        if (!incremental->exists) continue;
        domain::CaseState fresh;
        ASSERT_TRUE(
            CatchUpCase(log->get(), domain::CaseStreamId(case_id), fresh).ok());
        const collections::v1::CaseView a = ToCaseView(*incremental);
        const collections::v1::CaseView b = ToCaseView(fresh);
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b))
            << case_id;
        ++stages[a.stage()];
        // Seeding ran the due-time processor up to `now`: nothing is left.
        absl::StatusOr<CaseCommands::DueOutcome> due =
            path.commands.AppendDueEvents(case_id, options.now);
        ASSERT_TRUE(due.ok()) << due.status();
        EXPECT_EQ(due->events, 0u) << case_id;
      }
    }
  }
  // Paid and written-off cases closed; others dunned again after a broken
  // plan or promise, with an agency, or still in an arrangement.
  EXPECT_GT(stages[collections::v1::CASE_STAGE_CLOSED], 0);
  EXPECT_GT(stages[collections::v1::CASE_STAGE_PLACED], 0);
  EXPECT_GT(stages[collections::v1::CASE_STAGE_DUNNED], 0);
}

}  // namespace
}  // namespace collections::app
