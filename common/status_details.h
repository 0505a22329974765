// Structured detail on an absl::Status, for callers that act on a refusal
// without parsing its English message.
//
// Any layer may attach it (the domain names the rule it applied, a check names
// the field it refused, the rate limiter says when to come back); only the
// gRPC layer knows how it travels: services/grpc/status_conversion.h turns it
// into google.rpc.Status details (ErrorInfo, BadRequest, PreconditionFailure,
// RetryInfo) in the `grpc-status-details-bin` trailer.
//
// The detail rides as absl::Status payloads under the type URLs below, so it
// survives being returned up the stack unchanged. Code that rebuilds a status
// (a new message for the same error) must copy it: `CopyDetails`.
//
// Reasons are UPPER_SNAKE_CASE names that stay stable across releases (the
// domain's rule names, services/domain/rule_packs.h `rules::`); metadata keys
// are lower_snake_case (`case_id`, `invoice_number`, `next_allowed_at`).
// Messages and metadata never carry personal data.
//
// Thread safety: functions of values; a status is not shared while changed.
#ifndef COLLECTIONS_COMMON_STATUS_DETAILS_H_
#define COLLECTIONS_COMMON_STATUS_DETAILS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace collections {

// FAILED_PRECONDITION "<rule>: <reason>", naming `rule` as its reason: the
// refusal of a rule (google.rpc.ErrorInfo.reason and
// PreconditionFailure.Violation.type = rule, description = reason).
absl::Status RuleRefusedError(absl::string_view rule, absl::string_view reason);

// INVALID_ARGUMENT with `message`, naming `field` (the request's field path,
// "payment.amount") as the one refused (google.rpc.BadRequest).
absl::Status InvalidFieldError(absl::string_view field, std::string message);

// The reason: a stable UPPER_SNAKE_CASE name. Not set on an OK status.
void SetErrorReason(absl::Status& status, absl::string_view reason);
std::optional<std::string> ErrorReasonOf(const absl::Status& status);

// Adds (or replaces) metadata `key` = `value` (ErrorInfo.metadata).
void AddErrorMetadata(absl::Status& status, absl::string_view key,
                      absl::string_view value);
// The metadata in key order.
std::vector<std::pair<std::string, std::string>> ErrorMetadataOf(
    const absl::Status& status);

// The request field the status refuses, when one was named.
std::optional<std::string> InvalidFieldOf(const absl::Status& status);

// How long the caller should wait before trying again (RetryInfo). A
// RESOURCE_EXHAUSTED or UNAVAILABLE status without one gets the gRPC layer's
// default; `MarkNotRetryable` says retrying the same call cannot succeed
// (a request too large for any answer) and suppresses it.
void SetRetryDelay(absl::Status& status, absl::Duration delay);
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);
void MarkNotRetryable(absl::Status& status);
bool IsMarkedNotRetryable(const absl::Status& status);

// `to` with every detail of `from` added (a rebuilt status keeps them).
absl::Status CopyDetails(const absl::Status& from, absl::Status to);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_STATUS_DETAILS_H_
