// RpcObserver: a gRPC server interceptor that sees every call end to end
// and feeds the metrics (services/observability/server_metrics.h) and the
// structured log (services/observability/json_log.h).
//
// Per call it records the start, and when the status is sent the code and
// the time taken. It logs a JSON line per call according to the policy
// (every call, failed calls only, or none); a call slower than
// `slow_call` is logged whatever the policy.
//
// Ids: the line carries a request id and a correlation id, first those a
// command states in its CommandContext (the guard puts them in the trailing
// metadata), else the caller's x-request-id / x-correlation-id metadata,
// else a request id made here (the correlation id is then the request id).
// A made id is sent back in the trailing metadata, so a caller can quote it
// to an operator.
//
// Trace: the line carries trace_id and span_id of the call's span (W3C
// Trace Context; the guard starts it and sends it back as `traceresponse`;
// a call that never reached the guard gets one here).
//
// Logged: method, code, milliseconds, ids, and the status message for a
// failed call (our messages name ids and rules, never personal data). Never
// logged: request or response bodies, peers' addresses, credentials.
#ifndef COLLECTIONS_SERVICES_GRPC_RPC_OBSERVER_H_
#define COLLECTIONS_SERVICES_GRPC_RPC_OBSERVER_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "services/observability/json_log.h"
#include "services/observability/server_metrics.h"

namespace collections::grpc_api {

enum class RpcLogPolicy { kAll, kFailures, kNone };

struct RpcObserverOptions {
  observability::ServerMetrics* metrics = nullptr;  // null: no metrics
  observability::JsonLog* log = nullptr;            // null: no log lines
  RpcLogPolicy policy = RpcLogPolicy::kFailures;
  // Calls slower than this are logged under any policy but kNone. Server
  // streams (subscriptions) are exempt: they are meant to last.
  absl::Duration slow_call = absl::Seconds(1);
};

// Register with ServerBuilder::experimental().SetInterceptorCreators. The
// metrics and log must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcObserverFactory(const RpcObserverOptions& options);

// How metrics label `method` (gRPC's path): as it is for our services,
// health and reflection; "/unknown/unknown" for a path no service has.
absl::string_view MethodLabel(absl::string_view method);

// Whether a call that ended with `code` after `elapsed` gets a log line.
bool ShouldLogRpc(const RpcObserverOptions& options, bool ok,
                  absl::Duration elapsed, bool server_stream);

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_RPC_OBSERVER_H_
