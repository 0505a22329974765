// The one place absl::Status becomes grpc::Status. The codes map one to one
// (the fixed mapping of conventions.md: INVALID_ARGUMENT, NOT_FOUND,
// FAILED_PRECONDITION, ABORTED, UNAVAILABLE, DATA_LOSS, PERMISSION_DENIED…);
// the message is kept so the caller can act on it.
#ifndef COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_
#define COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace collections::grpc_api {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The code's canonical name, "OK", "INVALID_ARGUMENT"… (as metrics and
// logs label calls).
std::string StatusCodeName(grpc::StatusCode code);

// The call's deadline as absl::Time (InfiniteFuture when none), capped at
// `cap` from now so a query never waits unboundedly.
absl::Time DeadlineOf(const grpc::ServerContext& context, absl::Duration cap);

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_STATUS_CONVERSION_H_
