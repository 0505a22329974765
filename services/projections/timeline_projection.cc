#include "services/projections/timeline_projection.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/domain/case_state.h"
#include "storage/status_macros.h"

namespace collections::projections {
namespace {

std::string TimelinePrefix(const std::string& debtor_id) {
  return absl::StrCat("t/", debtor_id, "/");
}

int64_t Nanos(absl::Time t) {
  if (t == absl::InfinitePast()) return INT64_MIN;
  if (t == absl::InfiniteFuture()) return INT64_MAX;
  return absl::ToUnixNanos(t);
}

}  // namespace

storage::LogFilter TimelineProjection::filter() const {
  storage::LogFilter filter;
  filter.stream_prefix = domain::kCaseStreamPrefix;
  return filter;
}

absl::Status TimelineProjection::Apply(const storage::RecordedEvent& recorded,
                                       storage::ProjectionWrite& write) {
  const collections::v1::Event& event = recorded.event;
  const std::string case_id = domain::CaseIdOfStream(event.stream_id());
  std::string debtor_id;
  if (event.payload().has_case_opened()) {
    debtor_id = event.payload().case_opened().debtor_id();
    write.Put(absl::StrCat("cd/", case_id), debtor_id);
    debtors_[case_id] = debtor_id;
  } else if (auto it = debtors_.find(case_id); it != debtors_.end()) {
    debtor_id = it->second;
  } else {
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                                 write.Get(absl::StrCat("cd/", case_id)));
    if (!stored.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "case ", case_id, " has an event before its CaseOpened"));
    }
    debtor_id = *stored;
    debtors_[case_id] = debtor_id;
  }
  write.Put(
      absl::StrCat(TimelinePrefix(debtor_id), TimelineKey::Of(event).Encode()),
      RenderTimelineEntry(event, case_id).SerializeAsString());
  return absl::OkStatus();
}

absl::StatusOr<TimelinePage> ReadTimeline(storage::ProjectionStore& store,
                                          const std::string& keyspace,
                                          const TimelineQuery& query,
                                          storage::EventLog* log) {
  const std::string prefix = TimelinePrefix(query.debtor_id);
  TimelinePage page;
  // Start after the token, or at the period's first instant.
  std::string start_after;
  if (query.after.has_value()) {
    start_after = absl::StrCat(prefix, query.after->Encode());
  } else if (query.from != absl::InfinitePast()) {
    TimelineKey before{Nanos(query.from) - 1, UINT64_MAX};
    start_after = absl::StrCat(prefix, before.Encode());
  }
  const int64_t to = Nanos(query.to);
  size_t scanned = 0;
  constexpr size_t kChunk = 256;
  std::optional<TimelineKey> last_seen;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        auto chunk, store.Scan(keyspace, prefix, start_after, kChunk));
    if (!chunk.empty()) page.debtor_known = true;
    for (auto& [key, entry_bytes] : chunk) {
      std::optional<TimelineKey> timeline_key =
          TimelineKey::Decode(absl::string_view(key).substr(prefix.size()));
      if (!timeline_key.has_value()) {
        return absl::DataLossError(absl::StrCat("bad timeline key ", key));
      }
      if (timeline_key->occurred_nanos >= to) return page;  // period ends
      if (page.items.size() == query.limit || scanned == query.max_scanned) {
        page.next = last_seen;  // more may follow: continue after the last
        return page;
      }
      ++scanned;
      last_seen = timeline_key;
      if (timeline_key->position > query.as_of) continue;
      if (!query.case_id.empty() || !query.event_types.empty()) {
        collections::v1::TimelineEntry entry;
        if (!entry.ParseFromString(entry_bytes)) {
          return absl::DataLossError(absl::StrCat("bad timeline entry ", key));
        }
        if (!query.case_id.empty() && entry.case_id() != query.case_id)
          continue;
        if (!query.event_types.empty() &&
            !query.event_types.contains(entry.type()))
          continue;
      }
      TimelineItem item;
      item.entry_bytes = std::move(entry_bytes);
      if (query.include_events) {
        // The event itself from the log: its stored record is its encoding.
        storage::LogRead read;
        read.from_position = timeline_key->position;
        read.max_events = 1;
        read.max_scanned = 1;
        COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult event,
                                     log->ReadAll(read));
        if (event.events.empty()) {
          return absl::DataLossError(absl::StrCat(
              "the log has no event at position ", timeline_key->position));
        }
        item.event_bytes = std::move(event.events[0].record);
      }
      page.items.push_back(std::move(item));
    }
    if (chunk.size() < kChunk) return page;
    start_after = chunk.back().first;
  }
}

}  // namespace collections::projections
