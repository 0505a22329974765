#include "storage/append_checks.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace collections::storage {

absl::Status ValidateAppend(const AppendLimits& limits,
                            absl::string_view stream_id,
                            ExpectedVersion expected,
                            absl::Span<const collections::v1::Event> events) {
  COLLECTIONS_RETURN_IF_ERROR(
      ValidateStreamId(stream_id, limits.max_stream_id_bytes));
  const int kind = static_cast<int>(expected.kind);
  if (kind < static_cast<int>(ExpectedVersion::Kind::kAny) ||
      kind > static_cast<int>(ExpectedVersion::Kind::kExact)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown expected-version kind ", kind,
        "; use any, no stream, stream exists or an exact version"));
  }
  if (events.empty()) {
    return absl::InvalidArgumentError("append of an empty batch");
  }
  if (events.size() > limits.max_events_per_append) {
    return absl::InvalidArgumentError(
        absl::StrCat("append of ", events.size(), " events; the limit is ",
                     limits.max_events_per_append));
  }
  absl::flat_hash_set<absl::string_view> ids;
  for (size_t i = 0; i < events.size(); ++i) {
    const collections::v1::Event& event = events[i];
    if (event.event_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, " has no event id"));
    }
    if (event.event_id().size() > limits.max_event_id_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, ": event id is ", event.event_id().size(),
                       " bytes; the limit is ", limits.max_event_id_bytes));
    }
    if (!ids.insert(event.event_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event id ", event.event_id(), " appears twice in one append"));
    }
    if (event.type().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, " has no type"));
    }
    if (!event.stream_id().empty() || event.stream_version() != 0 ||
        event.global_position() != 0 || event.has_recorded_at()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", i,
          ": stream_id, stream_version, global_position and recorded_at are "
          "assigned by the log and must be left unset"));
    }
    const size_t body_size = event.ByteSizeLong();
    if (body_size > limits.max_event_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", i, " is ", body_size, " bytes; the limit is ",
                       limits.max_event_bytes));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTransaction(const AppendLimits& limits,
                                 absl::Span<const StreamAppend> parts) {
  if (parts.empty()) {
    return absl::InvalidArgumentError("a transaction needs at least one part");
  }
  absl::flat_hash_set<absl::string_view> streams;
  for (size_t i = 0; i < parts.size(); ++i) {
    const StreamAppend& part = parts[i];
    if (!streams.insert(part.stream_id).second) {
      return TransactionPartError(
          i, part.stream_id,
          absl::InvalidArgumentError(
              "the stream is named by an earlier part too"));
    }
    absl::Status valid =
        ValidateAppend(limits, part.stream_id, part.expected, part.events);
    if (!valid.ok()) return TransactionPartError(i, part.stream_id, valid);
  }
  return absl::OkStatus();
}

absl::Status TransactionPartError(size_t index, absl::string_view stream_id,
                                  const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat("transaction part ", index, " (stream ",
                                   stream_id, "): ", status.message()));
}

absl::Status PartialTransactionRetryError() {
  return absl::FailedPreconditionError(
      "some parts of the transaction are in the log already and others "
      "not: it is not a retry of one transaction");
}

namespace {

std::string DescribeVersion(uint64_t version) {
  return version == 0 ? std::string("no stream (version 0)")
                      : absl::StrCat("version ", version);
}

}  // namespace

absl::Status CheckExpectation(absl::string_view stream_id,
                              ExpectedVersion expected, uint64_t actual) {
  bool holds = true;
  std::string wanted;
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny:
      return absl::OkStatus();
    case ExpectedVersion::Kind::kNoStream:
      holds = actual == 0;
      wanted = "no stream";
      break;
    case ExpectedVersion::Kind::kStreamExists:
      holds = actual > 0;
      wanted = "an existing stream";
      break;
    case ExpectedVersion::Kind::kExact:
      holds = actual == expected.version;
      wanted = DescribeVersion(expected.version);
      break;
  }
  if (holds) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("stream ", stream_id, ": expected ",
                                         wanted, " but the actual version is ",
                                         actual));
}

absl::StatusOr<std::optional<AppendResult>> ClassifyRetry(
    absl::string_view stream_id,
    absl::Span<const std::optional<EventIdEntry>> found,
    absl::FunctionRef<absl::string_view(size_t)> event_id) {
  const size_t n = found.size();
  const size_t present =
      std::count_if(found.begin(), found.end(),
                    [](const auto& entry) { return entry.has_value(); });
  if (present == 0) return std::nullopt;
  if (present < n) {
    std::vector<absl::string_view> known;
    for (size_t i = 0; i < n; ++i) {
      if (found[i].has_value()) known.push_back(event_id(i));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "stream ", stream_id, ": event ids ", absl::StrJoin(known, ", "),
        " were appended before but the others were not; a retry must resend "
        "exactly the "
        "original batch, and new events need new ids"));
  }
  for (size_t i = 1; i < n; ++i) {
    if (found[i]->position != found[0]->position + i ||
        found[i]->version != found[0]->version + i) {
      return absl::FailedPreconditionError(
          absl::StrCat("stream ", stream_id,
                       ": these event ids were appended before, but not as one "
                       "batch in this order; a "
                       "retry must resend exactly the original batch"));
    }
  }
  AppendResult result;
  result.first_position = found.front()->position;
  result.last_position = found.back()->position;
  result.stream_version = found.back()->version;
  result.already_appended = true;
  return result;
}

}  // namespace collections::storage
