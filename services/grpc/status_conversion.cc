#include "services/grpc/status_conversion.h"

#include <algorithm>
#include <string>

#include "absl/time/clock.h"

namespace collections::grpc_api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::Time DeadlineOf(const grpc::ServerContext& context, absl::Duration cap) {
  const absl::Time capped = absl::Now() + cap;
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return capped;
  return std::min(capped, absl::FromChrono(deadline));
}

std::string StatusCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace collections::grpc_api
