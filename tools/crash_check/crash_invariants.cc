#include "tools/crash_check/crash_invariants.h"

#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "storage/rocksdb_projection_store.h"

namespace collections::crash_check {
namespace {

constexpr char kCaseStreamPrefix[] = "case-";  // domain/case_state.h

// Where one event landed.
struct Landing {
  uint64_t version = 0;
  uint64_t position = 0;
  int copies = 0;
};

// A keyspace's entries folded into a digest, with their count.
struct KeyspaceDigest {
  Sha256Digest digest{};
  uint64_t entries = 0;
};

absl::StatusOr<KeyspaceDigest> DigestKeyspace(storage::ProjectionStore& store,
                                              const std::string& keyspace) {
  Sha256 hash;
  KeyspaceDigest result;
  std::string after;
  while (true) {
    COLLECTIONS_ASSIGN_OR_RETURN(auto page,
                                 store.Scan(keyspace, "", after, 1000));
    for (const auto& [key, value] : page) {
      // Length-prefixed, so ("ab","c") and ("a","bc") differ.
      hash.Update(absl::StrCat(key.size(), ":", key, value.size(), ":", value));
      ++result.entries;
    }
    if (page.size() < 1000) break;
    after = page.back().first;
  }
  result.digest = hash.Finish();
  return result;
}

// Starts the projection on `store` (catching it up to the log head, from
// its checkpoint or from zero), stops it, and digests its keyspace.
absl::StatusOr<KeyspaceDigest> CatchUpAndDigest(
    storage::EventLog& log, storage::ProjectionStore& store,
    const ProjectionUnderCheck& projection) {
  projections::ManagedProjection managed(&log, &store, projection.factory,
                                         Clock::Real());
  COLLECTIONS_RETURN_IF_ERROR(managed.Start());
  const uint64_t reached = managed.checkpoint();
  const std::string keyspace = managed.keyspace();
  managed.Stop();
  if (reached < log.HeadPosition()) {
    return absl::InternalError(absl::StrCat(
        projection.name, " stopped at ", reached, " of ", log.HeadPosition(),
        ": ", managed.status().failure.ToString()));
  }
  return DigestKeyspace(store, keyspace);
}

}  // namespace

void CrashCheckReport::Problem(std::string text) {
  if (problems.size() < kMaxProblems) problems.push_back(std::move(text));
}

absl::StatusOr<std::vector<AckedAppend>> ParseAckedLog(absl::string_view text) {
  std::vector<AckedAppend> acked;
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == absl::string_view::npos) break;  // cut mid-line: not checked
    const absl::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    ++line_number;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    AckedAppend append;
    if (fields.size() != 5 || !absl::SimpleAtoi(fields[2], &append.events) ||
        append.events < 1 ||
        !absl::SimpleAtoi(fields[3], &append.case_version) ||
        !absl::SimpleAtoi(fields[4], &append.last_position)) {
      return absl::InvalidArgumentError(
          absl::StrCat("acknowledgement line ", line_number,
                       " is not "
                       "'<case> <request> <events> <version> <position>': '",
                       line, "'"));
    }
    append.case_id = std::string(fields[0]);
    append.request_id = std::string(fields[1]);
    acked.push_back(std::move(append));
  }
  return acked;
}

absl::Status CheckLogAgainstAcks(storage::EventLog& log,
                                 const std::vector<AckedAppend>& acked,
                                 CrashCheckReport* report) {
  // stream → event id → where it landed; stream → its last version.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, Landing>>
      landings;
  absl::flat_hash_map<std::string, uint64_t> stream_versions;
  storage::LogRead read;
  read.max_events = 10000;
  uint64_t expected_position = 1;
  while (true) {
    COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult page,
                                 log.ReadAll(read));
    for (const storage::RecordedEvent& recorded : page.events) {
      const v1::Event& event = recorded.event;
      if (event.global_position() != expected_position) {
        report->Problem(absl::StrCat("position ", expected_position,
                                     " is missing: the next event is at ",
                                     event.global_position()));
      }
      expected_position = event.global_position() + 1;
      uint64_t& version = stream_versions[event.stream_id()];
      if (event.stream_version() != version + 1) {
        report->Problem(absl::StrCat(event.stream_id(), " goes from version ",
                                     version, " to ", event.stream_version(),
                                     " at position ", event.global_position()));
      }
      version = event.stream_version();
      Landing& landing = landings[event.stream_id()][event.event_id()];
      if (++landing.copies == 2) {
        report->Problem(absl::StrCat(event.stream_id(), " holds event ",
                                     event.event_id(), " twice (versions ",
                                     landing.version, " and ",
                                     event.stream_version(), ")"));
      }
      landing.version = event.stream_version();
      landing.position = event.global_position();
      ++report->events;
    }
    if (page.next_position > page.head_position) break;
    read.from_position = page.next_position;
  }
  if (report->events != log.HeadPosition()) {
    report->Problem(absl::StrCat("read ", report->events,
                                 " events but the head is at ",
                                 log.HeadPosition()));
  }
  report->streams = stream_versions.size();

  for (const AckedAppend& append : acked) {
    ++report->acked_appends;
    const std::string stream = absl::StrCat(kCaseStreamPrefix, append.case_id);
    const auto stream_landings = landings.find(stream);
    for (int n = 0; n < append.events; ++n) {
      ++report->acked_events;
      const std::string event_id = absl::StrCat(append.request_id, "/", n);
      const Landing* landing = nullptr;
      if (stream_landings != landings.end()) {
        const auto found = stream_landings->second.find(event_id);
        if (found != stream_landings->second.end()) landing = &found->second;
      }
      if (landing == nullptr) {
        ++report->lost_events;
        report->Problem(absl::StrCat("acknowledged event ", stream, " ",
                                     event_id, " is lost"));
        continue;
      }
      // The acknowledgement named the append's last event.
      const uint64_t back = static_cast<uint64_t>(append.events - 1 - n);
      if (landing->version + back != append.case_version ||
          landing->position + back != append.last_position) {
        report->Problem(absl::StrCat(
            stream, " ", event_id, " is at version ", landing->version,
            " position ", landing->position,
            "; the acknowledgement said its "
            "append ended at version ",
            append.case_version, " position ", append.last_position));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProjectionsEqualRebuild(
    storage::EventLog& log, storage::ProjectionStore& live,
    const std::vector<ProjectionUnderCheck>& projections,
    const std::string& scratch_dir, CrashCheckReport* report) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ProjectionStore> scratch,
      storage::OpenRocksDbProjectionStore(storage::ProjectionStoreOptions{},
                                          scratch_dir));
  for (const ProjectionUnderCheck& projection : projections) {
    COLLECTIONS_ASSIGN_OR_RETURN(KeyspaceDigest caught_up,
                                 CatchUpAndDigest(log, live, projection));
    COLLECTIONS_ASSIGN_OR_RETURN(KeyspaceDigest rebuilt,
                                 CatchUpAndDigest(log, *scratch, projection));
    report->projection_entries += caught_up.entries;
    if (caught_up.entries != rebuilt.entries ||
        caught_up.digest != rebuilt.digest) {
      report->Problem(absl::StrCat(projection.name, " caught up (",
                                   caught_up.entries,
                                   " entries) differs from its rebuild (",
                                   rebuilt.entries, " entries)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace collections::crash_check
