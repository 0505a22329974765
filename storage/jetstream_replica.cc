#include "storage/jetstream_replica.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "collections/v1/cluster.pb.h"
#include "storage/status_macros.h"
#include "storage/timestamps.h"

namespace collections::storage {

JetStreamReplica::JetStreamReplica(JetStreamLog* source, EventLog* local,
                                   FakeClock* clock,
                                   std::string checkpoint_file)
    : source_(source),
      local_(local),
      clock_(clock),
      checkpoint_file_(std::move(checkpoint_file)) {
  std::ifstream in(checkpoint_file_);
  std::stringstream text;
  text << in.rdbuf();
  uint64_t applied = 0;
  if (absl::SimpleAtoi(absl::StripAsciiWhitespace(text.str()), &applied))
    applied_ = applied;
}

absl::StatusOr<uint64_t> JetStreamReplica::CatchUp() {
  COLLECTIONS_ASSIGN_OR_RETURN(const uint64_t last, source_->LastSequence());
  const uint64_t start = applied_;
  while (applied_ < last) {
    COLLECTIONS_ASSIGN_OR_RETURN(JetStreamMessage message,
                                 source_->Read(applied_ + 1));
    COLLECTIONS_RETURN_IF_ERROR(Apply(message));
    applied_ = message.sequence;
    // A checkpoint now and then bounds the re-applying after a crash.
    if (applied_ % 1000 == 0) COLLECTIONS_RETURN_IF_ERROR(SaveCheckpoint());
  }
  if (applied_ != start) COLLECTIONS_RETURN_IF_ERROR(SaveCheckpoint());
  return applied_;
}

namespace {

std::vector<collections::v1::Event> TakeEvents(
    google::protobuf::RepeatedPtrField<collections::v1::Event>* events) {
  return std::vector<collections::v1::Event>(
      std::make_move_iterator(events->begin()),
      std::make_move_iterator(events->end()));
}

// Refusals every node reaches alike from the same log: the message is
// applied as nothing. (I/O errors are not among them: those are retried.)
bool DeterministicRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kInvalidArgument;
}

}  // namespace

absl::Status JetStreamReplica::Apply(const JetStreamMessage& message) {
  collections::v1::ReplicatedAppend append;
  if (!append.ParseFromString(message.payload) ||
      append.stream_id() != message.stream_id ||
      (append.events().empty() && append.parts().empty())) {
    return absl::DataLossError(
        absl::StrCat("JetStream message ", message.sequence,
                     " is not an append of stream ", message.stream_id));
  }
  clock_->Set(FromTimestamp(append.recorded_at()));
  absl::Status status;
  if (!append.parts().empty()) {
    // A transaction: its expected versions are checked here, by every node
    // against the same log, so all refuse or all apply it.
    std::vector<StreamAppend> parts;
    for (auto& part : *append.mutable_parts()) {
      parts.push_back(StreamAppend{
          part.stream_id(),
          ExpectedVersion{
              static_cast<ExpectedVersion::Kind>(part.expected_kind()),
              part.expected_version()},
          TakeEvents(part.mutable_events())});
    }
    status = local_->AppendTransaction(parts).status();
  } else {
    // JetStream already decided the order and the expected version. A
    // message applied before a crash is recognised by its event ids and
    // changes nothing.
    status = local_
                 ->Append(append.stream_id(), ExpectedVersion::Any(),
                          TakeEvents(append.mutable_events()))
                 .status();
  }
  if (status.ok() || DeterministicRefusal(status)) return absl::OkStatus();
  return status;
}

absl::Status JetStreamReplica::SaveCheckpoint() {
  const std::string temp = checkpoint_file_ + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << applied_ << "\n";
    out.flush();
    if (!out) {
      return absl::UnavailableError(
          absl::StrCat("cannot write the replica checkpoint ", temp));
    }
  }
  if (std::rename(temp.c_str(), checkpoint_file_.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the replica checkpoint ", checkpoint_file_));
  }
  return absl::OkStatus();
}

}  // namespace collections::storage
