// crash_check: the crash test's verdict on a data directory, run while the
// server is down (after a SIGKILL, before the restart).
//
//   crash_check --data_dir=DIR --acked_log=FILE
//
// Opens the log as the server would (recovering an interrupted group
// commit), checks every acknowledged append in FILE (loadgen --acked_log)
// and the log's positions and versions, catches the stored projections up
// and compares each with a rebuild from zero, then closes the log and
// re-verifies it offline: every record's hash, every stream's chain and the
// whole Merkle tree (storage::CheckLogIntegrity). See crash_invariants.h.
//
// Prints one summary line (and the problems, if any).
// Exit status: 0 every invariant held, 1 one failed, 2 the check could not
// run.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "services/projections/actor_index_projection.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/timeline_projection.h"
#include "storage/log_integrity.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tools/crash_check/crash_invariants.h"

ABSL_FLAG(std::string, data_dir, "", "the server's data directory");
ABSL_FLAG(std::string, acked_log, "", "loadgen --acked_log output");

namespace {

using collections::crash_check::CrashCheckReport;
namespace projections = collections::projections;
namespace storage = collections::storage;

constexpr int kHeld = 0;
constexpr int kFailed = 1;
constexpr int kCannotRun = 2;

int CannotRun(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "crash_check: %s: %s\n", what.c_str(),
               status.ToString().c_str());
  return kCannotRun;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  std::ifstream acked_file(absl::GetFlag(FLAGS_acked_log));
  if (data_dir.empty() || !acked_file) {
    std::fprintf(stderr,
                 "usage: crash_check --data_dir=DIR --acked_log=FILE\n");
    return kCannotRun;
  }
  std::stringstream acked_text;
  acked_text << acked_file.rdbuf();
  auto acked = collections::crash_check::ParseAckedLog(acked_text.str());
  if (!acked.ok()) return CannotRun("acknowledgements", acked.status());

  CrashCheckReport report;
  const std::string scratch_dir =
      absl::StrCat(data_dir, ".crash-check-rebuild");
  std::filesystem::remove_all(scratch_dir);
  {
    auto log =
        storage::OpenRocksDbEventLog(storage::EventLogOptions{}, data_dir);
    if (!log.ok()) return CannotRun("opening the log", log.status());
    absl::Status checked =
        collections::crash_check::CheckLogAgainstAcks(**log, *acked, &report);
    if (!checked.ok()) return CannotRun("reading the log", checked);
    auto store = storage::OpenRocksDbProjectionStore(
        storage::ProjectionStoreOptions{},
        absl::StrCat(data_dir, "/projections"));
    if (!store.ok()) return CannotRun("opening projections", store.status());
    checked = collections::crash_check::CheckProjectionsEqualRebuild(
        **log, **store,
        {{projections::CaseStandingProjection::kName,
          [] {
            return std::make_unique<projections::CaseStandingProjection>();
          }},
         {projections::TimelineProjection::kName,
          [] { return std::make_unique<projections::TimelineProjection>(); }},
         {projections::ActorIndexProjection::kName,
          [] {
            return std::make_unique<projections::ActorIndexProjection>();
          }}},
        scratch_dir, &report);
    if (!checked.ok()) return CannotRun("comparing projections", checked);
  }
  std::filesystem::remove_all(scratch_dir);

  auto integrity = storage::CheckLogIntegrity(data_dir);
  if (!integrity.ok())
    return CannotRun("verifying the log", integrity.status());
  for (const std::string& problem : integrity->problems)
    report.Problem(problem);

  std::printf(
      "crash_check: events=%llu streams=%llu acked_appends=%llu "
      "acked_events=%llu lost=%llu projection_entries=%llu merkle=%s %s\n",
      static_cast<unsigned long long>(report.events),
      static_cast<unsigned long long>(report.streams),
      static_cast<unsigned long long>(report.acked_appends),
      static_cast<unsigned long long>(report.acked_events),
      static_cast<unsigned long long>(report.lost_events),
      static_cast<unsigned long long>(report.projection_entries),
      integrity->problems.empty() ? "verified" : "FAILED",
      report.ok() ? "HELD" : "FAILED");
  for (const std::string& problem : report.problems)
    std::printf("  %s\n", problem.c_str());
  return report.ok() ? kHeld : kFailed;
}
