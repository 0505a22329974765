#include "storage/in_memory_event_log.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "storage/record_trailer.h"

namespace collections::storage {

using collections::v1::Event;

InMemoryEventLog::InMemoryEventLog()
    : InMemoryEventLog(InMemoryEventLogOptions()) {}

InMemoryEventLog::InMemoryEventLog(const InMemoryEventLogOptions& options)
    : options_(options) {}

absl::StatusOr<InMemoryEventLog::Part> InMemoryEventLog::Serialize(
    absl::string_view stream_id, ExpectedVersion expected,
    absl::Span<const Event> events) {
  Part part{stream_id, expected, events, {}};
  part.bodies.reserve(events.size());
  for (const Event& event : events) {
    // Serialized as given, as the RocksDB log does: the record's first half.
    std::string& body = part.bodies.emplace_back();
    if (!event.AppendToString(&body)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", part.bodies.size() - 1, " cannot be serialized"));
    }
  }
  return part;
}

uint64_t InMemoryEventLog::VersionOf(absl::string_view stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? 0 : it->second.positions.size();
}

absl::StatusOr<std::optional<AppendResult>> InMemoryEventLog::OriginalOf(
    const Part& part) const {
  std::vector<std::optional<EventIdEntry>> found(part.events.size());
  if (auto stream = streams_.find(part.stream_id); stream != streams_.end()) {
    for (size_t i = 0; i < part.events.size(); ++i) {
      auto id = stream->second.event_ids.find(part.events[i].event_id());
      if (id != stream->second.event_ids.end()) found[i] = id->second;
    }
  }
  return ClassifyRetry(part.stream_id, found, [&part](size_t i) {
    return absl::string_view(part.events[i].event_id());
  });
}

AppendResult InMemoryEventLog::Write(
    Part& part, const google::protobuf::Timestamp& recorded_at) {
  Stream& stream = streams_[part.stream_id];
  RecordTrailer trailer(part.stream_id);
  trailer.set_recorded_at(recorded_at);
  AppendResult result;
  result.first_position = events_.size() + 1;
  for (size_t i = 0; i < part.events.size(); ++i) {
    const uint64_t position = events_.size() + 1;
    const uint64_t version = stream.positions.size() + 1;
    RecordedEvent& recorded = events_.emplace_back();
    recorded.record = std::move(part.bodies[i]);
    const absl::string_view tail = trailer.Serialize(version, position);
    recorded.record.append(tail.data(), tail.size());
    recorded.leaf_hash = LeafHash(recorded.record);
    recorded.chain_hash = ChainHash(stream.chain_hash, recorded.leaf_hash);
    // The envelope as parsing the record yields it: the caller's event with
    // the trailer's fields merged in (they were unset in it).
    recorded.event = part.events[i];
    recorded.event.set_stream_id(std::string(part.stream_id));
    recorded.event.set_stream_version(version);
    recorded.event.set_global_position(position);
    *recorded.event.mutable_recorded_at() = recorded_at;
    stream.chain_hash = recorded.chain_hash;
    stream.positions.push_back(position);
    stream.event_ids[part.events[i].event_id()] =
        EventIdEntry{position, version};
  }
  result.last_position = events_.size();
  result.stream_version = stream.positions.size();
  return result;
}

absl::StatusOr<AppendResult> InMemoryEventLog::AppendNow(
    absl::string_view stream_id, ExpectedVersion expected,
    absl::Span<const Event> events) {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateAppend(options_, stream_id, expected, events));
  COLLECTIONS_ASSIGN_OR_RETURN(Part part,
                               Serialize(stream_id, expected, events));
  const google::protobuf::Timestamp recorded_at =
      ToTimestamp(options_.clock->Now());
  absl::MutexLock lock(&mu_);
  // A retry is answered with its original whatever it expected then.
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<AppendResult> original,
                               OriginalOf(part));
  if (original.has_value()) return *original;
  COLLECTIONS_RETURN_IF_ERROR(
      CheckExpectation(stream_id, expected, VersionOf(stream_id)));
  return Write(part, recorded_at);
}

absl::StatusOr<std::vector<AppendResult>>
InMemoryEventLog::AppendTransactionNow(absl::Span<const StreamAppend> parts) {
  COLLECTIONS_RETURN_IF_ERROR(ValidateTransaction(options_, parts));
  std::vector<Part> prepared;
  prepared.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::StatusOr<Part> part =
        Serialize(parts[i].stream_id, parts[i].expected, parts[i].events);
    if (!part.ok()) {
      return TransactionPartError(i, parts[i].stream_id, part.status());
    }
    prepared.push_back(*std::move(part));
  }
  const google::protobuf::Timestamp recorded_at =
      ToTimestamp(options_.clock->Now());
  absl::MutexLock lock(&mu_);
  std::vector<AppendResult> originals;
  for (size_t i = 0; i < prepared.size(); ++i) {
    absl::StatusOr<std::optional<AppendResult>> original =
        OriginalOf(prepared[i]);
    if (!original.ok()) {
      return TransactionPartError(i, prepared[i].stream_id, original.status());
    }
    if (original->has_value()) originals.push_back(**original);
  }
  if (originals.size() == prepared.size()) return originals;  // a retry
  if (!originals.empty()) return PartialTransactionRetryError();
  for (size_t i = 0; i < prepared.size(); ++i) {
    absl::Status holds =
        CheckExpectation(prepared[i].stream_id, prepared[i].expected,
                         VersionOf(prepared[i].stream_id));
    if (!holds.ok()) {
      return TransactionPartError(i, prepared[i].stream_id, holds);
    }
  }
  std::vector<AppendResult> results;
  results.reserve(prepared.size());
  for (Part& part : prepared) results.push_back(Write(part, recorded_at));
  return results;
}

void InMemoryEventLog::AppendAsync(absl::string_view stream_id,
                                   ExpectedVersion expected,
                                   absl::Span<const Event> events,
                                   AppendCallback done) {
  // Decided and visible at once; `done` runs after the lock is released.
  std::move(done)(AppendNow(stream_id, expected, events));
}

void InMemoryEventLog::AppendTransactionAsync(
    absl::Span<const StreamAppend> parts, TransactionCallback done) {
  std::move(done)(AppendTransactionNow(parts));
}

absl::StatusOr<std::vector<RecordedEvent>> InMemoryEventLog::ReadStream(
    absl::string_view stream_id, uint64_t from_version, ReadDirection direction,
    size_t limit) {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  if (limit == 0) return absl::InvalidArgumentError("limit must be at least 1");
  std::vector<RecordedEvent> events;
  absl::ReaderMutexLock lock(&mu_);
  auto stream = streams_.find(stream_id);
  if (stream == streams_.end()) return events;
  const std::vector<uint64_t>& positions = stream->second.positions;
  const uint64_t last = positions.size();
  if (direction == ReadDirection::kForward) {
    for (uint64_t v = std::max<uint64_t>(from_version, 1);
         v <= last && events.size() < limit; ++v) {
      events.push_back(events_[positions[v - 1] - 1]);
    }
  } else {
    for (uint64_t v = std::min(from_version, last);
         v >= 1 && events.size() < limit; --v) {
      events.push_back(events_[positions[v - 1] - 1]);
    }
  }
  return events;
}

absl::StatusOr<LogReadResult> InMemoryEventLog::ReadAll(const LogRead& read) {
  if (read.from_position == 0) {
    return absl::InvalidArgumentError(
        "from_position starts at 1 (the first event)");
  }
  if (read.max_events == 0 || read.max_scanned == 0) {
    return absl::InvalidArgumentError(
        "max_events and max_scanned must be at least 1");
  }
  const absl::flat_hash_set<absl::string_view> types(
      read.filter.event_types.begin(), read.filter.event_types.end());
  LogReadResult result;
  absl::ReaderMutexLock lock(&mu_);
  result.head_position = events_.size();
  result.next_position = read.from_position;
  for (size_t scanned = 0;
       result.next_position <= result.head_position &&
       scanned < read.max_scanned && result.events.size() < read.max_events;
       ++scanned) {
    const RecordedEvent& recorded = events_[result.next_position - 1];
    ++result.next_position;
    if (!types.empty() && !types.contains(recorded.event.type())) continue;
    if (!absl::StartsWith(recorded.event.stream_id(),
                          read.filter.stream_prefix)) {
      continue;
    }
    result.events.push_back(recorded);
  }
  return result;
}

absl::StatusOr<std::optional<StreamHead>> InMemoryEventLog::GetStreamHead(
    absl::string_view stream_id) {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  absl::ReaderMutexLock lock(&mu_);
  auto stream = streams_.find(stream_id);
  if (stream == streams_.end()) return std::nullopt;
  return StreamHead{stream->second.positions.size(),
                    stream->second.positions.back(), stream->second.chain_hash};
}

absl::StatusOr<std::optional<EventLocation>> InMemoryEventLog::FindEvent(
    absl::string_view stream_id, absl::string_view event_id) {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, options_.max_stream_id_bytes));
  absl::ReaderMutexLock lock(&mu_);
  auto stream = streams_.find(stream_id);
  if (stream == streams_.end()) return std::nullopt;
  auto id = stream->second.event_ids.find(event_id);
  if (id == stream->second.event_ids.end()) return std::nullopt;
  return EventLocation{id->second.version, id->second.position};
}

uint64_t InMemoryEventLog::HeadPosition() const {
  absl::ReaderMutexLock lock(&mu_);
  return events_.size();
}

uint64_t InMemoryEventLog::WaitForPosition(uint64_t position,
                                           absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return events_.size() >= position;
  };
  mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return events_.size();
}

}  // namespace collections::storage
