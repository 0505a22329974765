// The invariants the crash test (tests/tools/crash_test.sh) checks after
// every SIGKILL of the server, on its data directory:
//
//   - every acknowledged append is in the log exactly once: each of its
//     events under its event id (<request_id>/<n>), at the stream version
//     and global position the acknowledgement named;
//   - global positions run 1..head without a gap, each stream's versions
//     run 1, 2, 3 … and no event id appears twice in a stream;
//   - each stored projection, caught up from its checkpoint as a restart
//     does, equals the same projection rebuilt from position zero.
// (The Merkle tree is re-verified by storage::CheckLogIntegrity, which
// crash_check runs after these.)
//
// Problems are collected, not returned as errors: an error status means the
// check itself could not run (unreadable log, bad acknowledgement file).
#ifndef COLLECTIONS_TOOLS_CRASH_CHECK_CRASH_INVARIANTS_H_
#define COLLECTIONS_TOOLS_CRASH_CHECK_CRASH_INVARIANTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/projections/managed_projection.h"
#include "storage/event_log.h"
#include "storage/projection_store.h"

namespace collections::crash_check {

// One line of loadgen's --acked_log: an append the server acknowledged.
struct AckedAppend {
  std::string case_id;
  std::string request_id;
  int events = 0;
  uint64_t case_version = 0;   // the case's version after the append
  uint64_t last_position = 0;  // global position of its last event
};

// Parses the acknowledgement log, one "<case> <request> <events> <version>
// <position>" line each. A last line without its newline is ignored (the
// writer was stopped mid-line; its append is then simply not checked).
// INVALID_ARGUMENT naming the line for anything else malformed.
absl::StatusOr<std::vector<AckedAppend>> ParseAckedLog(absl::string_view text);

struct CrashCheckReport {
  uint64_t events = 0;  // in the log
  uint64_t streams = 0;
  uint64_t acked_appends = 0;
  uint64_t acked_events = 0;
  uint64_t lost_events = 0;           // acknowledged but not in the log
  uint64_t projection_entries = 0;    // summed over the projections compared
  std::vector<std::string> problems;  // the first kMaxProblems
  bool ok() const { return problems.empty(); }
  void Problem(std::string text);
};

inline constexpr size_t kMaxProblems = 50;

// Reads the whole log and checks positions, versions, event-id uniqueness
// and every acknowledged append.
absl::Status CheckLogAgainstAcks(storage::EventLog& log,
                                 const std::vector<AckedAppend>& acked,
                                 CrashCheckReport* report);

// A projection to compare: its name for the report and how to make it.
struct ProjectionUnderCheck {
  std::string name;
  projections::ManagedProjection::Factory factory;
};

// Catches each projection up in `live` (as a restarted server would), then
// rebuilds it from zero in a fresh store in `scratch_dir`, and compares the
// two keyspaces entry by entry (a digest and a count).
absl::Status CheckProjectionsEqualRebuild(
    storage::EventLog& log, storage::ProjectionStore& live,
    const std::vector<ProjectionUnderCheck>& projections,
    const std::string& scratch_dir, CrashCheckReport* report);

}  // namespace collections::crash_check

#endif  // COLLECTIONS_TOOLS_CRASH_CHECK_CRASH_INVARIANTS_H_
