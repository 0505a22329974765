#include "storage/event_log.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace collections::storage {

absl::StatusOr<AppendResult> EventLog::Append(
    absl::string_view stream_id, ExpectedVersion expected,
    absl::Span<const collections::v1::Event> events) {
  absl::StatusOr<AppendResult> result;
  absl::Notification done;
  AppendAsync(stream_id, expected, events,
              [&](absl::StatusOr<AppendResult> outcome) {
                result = std::move(outcome);
                done.Notify();
              });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<std::vector<AppendResult>> EventLog::AppendTransaction(
    absl::Span<const StreamAppend> parts) {
  absl::StatusOr<std::vector<AppendResult>> result;
  absl::Notification done;
  AppendTransactionAsync(
      parts, [&](absl::StatusOr<std::vector<AppendResult>> outcome) {
        result = std::move(outcome);
        done.Notify();
      });
  done.WaitForNotification();
  return result;
}

absl::Status ValidateStreamId(absl::string_view stream_id, size_t max_bytes) {
  if (stream_id.empty())
    return absl::InvalidArgumentError("stream id is empty");
  if (stream_id.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stream id is ", stream_id.size(), " bytes; the limit is ", max_bytes));
  }
  for (size_t i = 0; i < stream_id.size(); ++i) {
    const auto c = static_cast<unsigned char>(stream_id[i]);
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stream id has a non-printable or non-ASCII byte 0x", absl::Hex(c),
          " at offset ", i,
          "; allowed are printable ASCII characters without spaces"));
    }
  }
  return absl::OkStatus();
}

}  // namespace collections::storage
