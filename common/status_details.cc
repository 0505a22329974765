#include "common/status_details.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace collections {
namespace {

// Payload type URLs (absl::Status keys payloads by URL). Ours: nothing
// outside this process reads them; the gRPC layer re-encodes them.
constexpr char kReasonUrl[] = "type.collections/error.reason";
constexpr char kFieldUrl[] = "type.collections/error.field";
constexpr char kRetryUrl[] = "type.collections/error.retry_delay_ns";
constexpr char kNoRetryUrl[] = "type.collections/error.not_retryable";
constexpr char kMetadataUrlPrefix[] = "type.collections/error.metadata/";

std::optional<std::string> Payload(const absl::Status& status,
                                   absl::string_view url) {
  absl::optional<absl::Cord> payload = status.GetPayload(url);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace

absl::Status RuleRefusedError(absl::string_view rule,
                              absl::string_view reason) {
  absl::Status status =
      absl::FailedPreconditionError(absl::StrCat(rule, ": ", reason));
  SetErrorReason(status, rule);
  return status;
}

absl::Status InvalidFieldError(absl::string_view field, std::string message) {
  absl::Status status = absl::InvalidArgumentError(std::move(message));
  status.SetPayload(kFieldUrl, absl::Cord(field));
  return status;
}

void SetErrorReason(absl::Status& status, absl::string_view reason) {
  if (!status.ok()) status.SetPayload(kReasonUrl, absl::Cord(reason));
}

std::optional<std::string> ErrorReasonOf(const absl::Status& status) {
  return Payload(status, kReasonUrl);
}

void AddErrorMetadata(absl::Status& status, absl::string_view key,
                      absl::string_view value) {
  if (!status.ok()) {
    status.SetPayload(absl::StrCat(kMetadataUrlPrefix, key), absl::Cord(value));
  }
}

std::vector<std::pair<std::string, std::string>> ErrorMetadataOf(
    const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> metadata;
  status.ForEachPayload(
      [&metadata](absl::string_view url, const absl::Cord& value) {
        if (absl::ConsumePrefix(&url, kMetadataUrlPrefix))
          metadata.emplace_back(std::string(url), std::string(value));
      });
  std::sort(metadata.begin(), metadata.end());
  return metadata;
}

std::optional<std::string> InvalidFieldOf(const absl::Status& status) {
  return Payload(status, kFieldUrl);
}

void SetRetryDelay(absl::Status& status, absl::Duration delay) {
  if (!status.ok()) {
    status.SetPayload(
        kRetryUrl, absl::Cord(absl::StrCat(absl::ToInt64Nanoseconds(delay))));
  }
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  std::optional<std::string> text = Payload(status, kRetryUrl);
  int64_t nanos = 0;
  if (!text.has_value() || !absl::SimpleAtoi(*text, &nanos))
    return std::nullopt;
  return absl::Nanoseconds(nanos);
}

void MarkNotRetryable(absl::Status& status) {
  if (!status.ok()) status.SetPayload(kNoRetryUrl, absl::Cord("1"));
}

bool IsMarkedNotRetryable(const absl::Status& status) {
  return status.GetPayload(kNoRetryUrl).has_value();
}

absl::Status CopyDetails(const absl::Status& from, absl::Status to) {
  if (to.ok()) return to;
  from.ForEachPayload([&to](absl::string_view url, const absl::Cord& value) {
    if (absl::StartsWith(url, "type.collections/error."))
      to.SetPayload(url, value);
  });
  return to;
}

}  // namespace collections
