// Simulated power loss (issue 27, point 1), on a real RocksDB event log in
// a temp dir. A SIGKILL leaves the page cache to the kernel, so it cannot
// show what a power cut does to writes that were never synced; here the
// file system (storage/write_faults.h) remembers what each file had synced
// and, at a "power cut", drops the rest — in the harsh mode it keeps a
// random prefix of the unsynced tail, as a disk that wrote part of it.
//
// Each round: writer threads append through the real append path (group
// commit, WAL sync, Merkle nodes in the same batch) and record what was
// acknowledged; the power fails after a random number of acknowledgements
// while appends are in flight; the log is closed, the unsynced data
// dropped, and the log reopened in the same process. Then:
//   - every acknowledged event is there once, at the position it was
//     acknowledged at;
//   - positions run 1..head without a gap;
//   - the Merkle tree and every stream's chain recompute from the records
//     (CheckLogIntegrity).
// The read side rides along: the projections the server keeps (case
// standing, timelines, the actor index) follow the log in their own store
// (data_dir/projections, unsynced by design: the log is the record), on the
// same failing file system, so their commits are in flight at the cut too.
// Each round reopens the store and restarts them (they resume from their
// checkpoints); every tenth round and the last, each projection caught up
// from its checkpoint must equal its rebuild from zero, which also fails if
// a projection ever applied an event the log then lost.
//
// Rounds build on one log. POWER_LOSSES (default 50; crash_test.sh
// MODE=power passes KILLS) sets how many; seeds are fixed, so a failure
// names its round and replays. Each round checks its own acknowledgements;
// every tenth round and the last check all of them and the whole log.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/projections/actor_index_projection.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/managed_projection.h"
#include "services/projections/timeline_projection.h"
#include "storage/log_integrity.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "storage/write_faults.h"
#include "tests/testing/events.h"
#include "tests/testing/temp_dir.h"
#include "tools/crash_check/crash_invariants.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::MakeCaseOpened;
using ::testing::IsEmpty;

constexpr int kWriters = 4;

int PowerLosses() {
  const char* text = std::getenv("POWER_LOSSES");
  const int n = text == nullptr ? 0 : std::atoi(text);
  return n > 0 ? n : 50;
}

std::unique_ptr<DurableEventLog> Open(const std::string& dir,
                                      WriteFaults* faults) {
  EventLogOptions options;
  options.write_faults = faults;
  options.sync = true;  // acknowledged means synced: what is being tested
  auto log = OpenRocksDbEventLog(options, dir);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

std::unique_ptr<ProjectionStore> OpenProjections(const std::string& dir,
                                                 WriteFaults* faults) {
  ProjectionStoreOptions options;
  options.write_faults = faults;
  auto store = OpenRocksDbProjectionStore(options, dir + "/projections");
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// The server's stored projections, as the crash check compares them.
std::vector<crash_check::ProjectionUnderCheck> ServerProjections() {
  using namespace ::collections::projections;  // NOLINT: three names
  return {
      {CaseStandingProjection::kName,
       [] { return std::make_unique<CaseStandingProjection>(); }},
      {TimelineProjection::kName,
       [] { return std::make_unique<TimelineProjection>(); }},
      {ActorIndexProjection::kName,
       [] { return std::make_unique<ActorIndexProjection>(); }},
  };
}

struct Acknowledged {
  std::string stream;
  std::string event_id;
  uint64_t position = 0;
};

TEST(PowerLossTest, AcknowledgedEventsSurviveSimulatedPowerLoss) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  faults.TrackSyncs(true);
  std::vector<Acknowledged> acknowledged;  // over all rounds
  uint64_t dropped_bytes = 0, torn_rounds = 0, projection_entries = 0;
  const int rounds = PowerLosses();
  for (int round = 1; round <= rounds; ++round) {
    std::mt19937 random(round);
    std::unique_ptr<DurableEventLog> log = Open(dir.path(), &faults);
    ASSERT_NE(log, nullptr) << "round " << round;
    std::unique_ptr<ProjectionStore> store =
        OpenProjections(dir.path(), &faults);
    ASSERT_NE(store, nullptr) << "round " << round;
    std::vector<std::unique_ptr<projections::ManagedProjection>> followers;
    for (const auto& projection : ServerProjections()) {
      followers.push_back(std::make_unique<projections::ManagedProjection>(
          log.get(), store.get(), projection.factory, Clock::Real()));
      const absl::Status started = followers.back()->Start();
      ASSERT_TRUE(started.ok()) << "round " << round << ": " << started;
    }

    // Writers append until the power fails (their appends then fail).
    absl::Mutex mu;
    std::vector<Acknowledged> this_round;  // under mu
    std::atomic<int> acks{0};
    std::atomic<bool> power_failed{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        for (int n = 0; !power_failed.load(); ++n) {
          const std::string case_id = absl::StrCat("w", w, "-", n % 7);
          const std::string stream = absl::StrCat("case-", case_id);
          const std::string prefix = absl::StrCat("r", round, "w", w, "n", n);
          std::vector<collections::v1::Event> events =
              MakeCalls(prefix, 1 + n % 3);
          // A case stream starts with its opening, in the same append.
          if (n < 7) {
            auto opened = log->FindEvent(stream, "open-" + case_id);
            if (!opened.ok()) return;
            if (!opened->has_value()) {
              events.insert(events.begin(),
                            MakeCaseOpened("open-" + case_id, case_id,
                                           absl::StrCat("debtor-", w)));
            }
          }
          absl::StatusOr<AppendResult> appended =
              log->Append(stream, ExpectedVersion::Any(), events);
          if (!appended.ok()) return;
          // Acknowledged before the power failed: it must survive. An
          // append answered after the cut is not counted (its "sync" did
          // not reach the disk, and a process without power answers no
          // one); the cut is set before any later sync, so an append that
          // sees no cut here was synced for real.
          if (faults.power_cut() || power_failed.load()) return;
          absl::MutexLock lock(&mu);
          for (size_t i = 0; i < events.size(); ++i) {
            this_round.push_back(
                {stream, events[i].event_id(), appended->first_position + i});
          }
          acks.fetch_add(1);
        }
      });
    }
    // The power fails after a random number of acknowledged appends, with
    // appends in flight.
    const int cut_after = std::uniform_int_distribution<int>(5, 120)(random);
    while (acks.load() < cut_after) std::this_thread::yield();
    // The power fails right after one of the next file appends reached its
    // file: mid-way through a group commit, with that write never synced.
    faults.CutPowerAfterAppends(
        std::uniform_int_distribution<uint64_t>(1, 8)(random));
    while (!faults.power_cut()) std::this_thread::yield();
    power_failed.store(true);
    for (std::thread& writer : writers) writer.join();
    followers.clear();  // their commits fail from the cut on
    store.reset();
    log.reset();  // closes "normally": nothing of it reaches the disk
    const bool torn = round % 2 == 0;
    torn_rounds += torn;
    dropped_bytes += faults.DropUnsyncedData([&](uint64_t unsynced) {
      return torn && unsynced > 0
                 ? std::uniform_int_distribution<uint64_t>(0, unsynced)(random)
                 : 0;
    });
    faults.CutPower(false);
    {
      absl::MutexLock lock(&mu);
      acknowledged.insert(acknowledged.end(), this_round.begin(),
                          this_round.end());
    }

    // Power back: what was acknowledged is there, once, where it was —
    // this round's acknowledgements every round; every earlier one (and
    // the whole log's integrity, below) every tenth round and at the end,
    // so a long run stays linear.
    log = Open(dir.path(), &faults);
    ASSERT_NE(log, nullptr) << "round " << round;
    const bool full_check = round % 10 == 0 || round == rounds;
    const size_t check_from =
        full_check ? 0 : acknowledged.size() - this_round.size();
    for (size_t i = check_from; i < acknowledged.size(); ++i) {
      const Acknowledged& ack = acknowledged[i];
      auto found = log->FindEvent(ack.stream, ack.event_id);
      ASSERT_TRUE(found.ok()) << found.status();
      ASSERT_TRUE(found->has_value())
          << "round " << round << ": acknowledged " << ack.event_id
          << " at position " << ack.position << " is lost";
      ASSERT_EQ((*found)->global_position, ack.position)
          << "round " << round << ": " << ack.event_id;
    }
    if (!full_check) continue;
    // Positions 1..head without a gap (each event once).
    uint64_t expected = 1;
    for (uint64_t from = 1;;) {
      LogRead read;
      read.from_position = from;
      read.max_events = 5000;
      auto page = log->ReadAll(read);
      ASSERT_TRUE(page.ok()) << page.status();
      for (const RecordedEvent& event : page->events) {
        ASSERT_EQ(event.event.global_position(), expected) << "round " << round;
        ++expected;
      }
      if (page->events.empty() || page->next_position > log->HeadPosition())
        break;
      from = page->next_position;
    }
    ASSERT_EQ(expected - 1, log->HeadPosition()) << "round " << round;
    ASSERT_GE(log->HeadPosition(), acknowledged.size());
    // Each projection, caught up from the checkpoint the cut left, equals
    // its rebuild from zero (in a scratch store, removed after).
    {
      store = OpenProjections(dir.path(), &faults);
      ASSERT_NE(store, nullptr) << "round " << round;
      crash_check::CrashCheckReport report;
      const std::string scratch = absl::StrCat(dir.path(), "/scratch", round);
      const absl::Status compared = crash_check::CheckProjectionsEqualRebuild(
          *log, *store, ServerProjections(), scratch, &report);
      std::filesystem::remove_all(scratch);
      ASSERT_TRUE(compared.ok()) << "round " << round << ": " << compared;
      ASSERT_THAT(report.problems, IsEmpty()) << "round " << round;
      ASSERT_GT(report.projection_entries, 0u);
      projection_entries = report.projection_entries;
      store.reset();
    }
    log.reset();
    // The tree and the chains recompute from the records.
    auto integrity = CheckLogIntegrity(dir.path());
    ASSERT_TRUE(integrity.ok()) << integrity.status();
    ASSERT_THAT(integrity->problems, IsEmpty()) << "round " << round;
  }
  std::printf(
      "power losses: %d (%llu torn), %zu acknowledged events all kept, "
      "%llu unsynced bytes dropped, projections equal their rebuilds "
      "(%llu entries)\n",
      rounds, static_cast<unsigned long long>(torn_rounds), acknowledged.size(),
      static_cast<unsigned long long>(dropped_bytes),
      static_cast<unsigned long long>(projection_entries));
  // The power cuts really cut: unsynced data was there to lose.
  EXPECT_GT(dropped_bytes, 0u);
  EXPECT_GT(acknowledged.size(), static_cast<size_t>(rounds) * 5);
}

}  // namespace
}  // namespace collections::storage
