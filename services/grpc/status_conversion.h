// The one place absl::Status becomes grpc::Status. The codes map one to one
// (the fixed mapping of conventions.md: INVALID_ARGUMENT, NOT_FOUND,
// FAILED_PRECONDITION, ABORTED, UNAVAILABLE, DATA_LOSS, PERMISSION_DENIED…);
// the message is kept so a person can read it, and the status's structured
// detail (common/status_details.h) travels as google.rpc.Status in the
// `grpc-status-details-bin` trailer (the gRPC rich error model) so a program
// can act on it without parsing English:
//
//   ErrorInfo            every refusal: reason = the rule's or error's stable
//                        name (a default of the code's name, "NOT_FOUND",
//                        when none was given), domain = the gRPC service,
//                        metadata = case_id, next_allowed_at, versions…
//   BadRequest           INVALID_ARGUMENT: the request field's path
//                        ("payment.amount") and why
//   PreconditionFailure  FAILED_PRECONDITION: type = the rule, subject =
//                        "cases/<id>" when the case is known, why
//   RetryInfo            RESOURCE_EXHAUSTED and UNAVAILABLE: when to retry
//                        (the rate limiter's exact wait; else 1 s), unless
//                        retrying cannot help (MarkNotRetryable)
#ifndef COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_
#define COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"

namespace collections::grpc_api {

// The gRPC status for `status`, with its details (domain still empty:
// CompleteErrorDetails fills it where the call is known).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The google.rpc.Status ToGrpcStatus sends for `status` (not OK).
google::rpc::Status RichStatusOf(const absl::Status& status);

// Completes a status about to be sent for the call to `method` (gRPC's path,
// "/collections.v1.CaseCommands/RecordPayment"), whoever made it: a status
// that carries no details (made by the gRPC layer itself, not through
// ToGrpcStatus) gets the defaults above; ErrorInfo.domain becomes the
// service; an INVALID_ARGUMENT without BadRequest names the field its
// message begins with when that path exists in the method's request message
// (our messages begin with the field's path: "context.request_id is
// required"). OK passes through.
grpc::Status CompleteErrorDetails(const grpc::Status& status,
                                  absl::string_view method);

// The google.rpc.Status in a received status's details; nullopt when it
// carries none or they do not parse.
std::optional<google::rpc::Status> RichStatusIn(const grpc::Status& status);

// The code's canonical name, "OK", "INVALID_ARGUMENT"… (as metrics and
// logs label calls).
std::string StatusCodeName(grpc::StatusCode code);

// The call's deadline as absl::Time (InfiniteFuture when none), capped at
// `cap` from now so a query never waits unboundedly.
absl::Time DeadlineOf(const grpc::ServerContext& context, absl::Duration cap);

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_
