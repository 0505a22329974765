// Guard: the entry check every RPC makes before anything else. It reads
// what the transport saw (the verified client certificate's names, the
// bearer token, and in plaintext development mode the claimed
// x-actor-id/x-actor-role) and lets the gatekeeper (services/security/
// gatekeeper.h) authenticate, rate-limit, authorize and check the request.
// The actor it returns is the one every appended event records.
//
// Agencies are further kept to their own cases and files with access()
// (services/app/agency_access.h), by the methods that name them.
//
// Thread safety: as the gatekeeper; both given must outlive the guard.
#ifndef COLLECTIONS_SERVICES_GRPC_CALLER_H_
#define COLLECTIONS_SERVICES_GRPC_CALLER_H_

#include "absl/status/statusor.h"
#include "collections/v1/events.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "services/app/agency_access.h"
#include "services/observability/trace_context.h"
#include "services/security/gatekeeper.h"

namespace collections::grpc_api {

class Guard {
 public:
  Guard(security::Gatekeeper* gatekeeper, const app::AgencyAccess* access)
      : gatekeeper_(gatekeeper), access_(access) {}

  // `method` is the full name, "collections.v1.CaseQueries/GetCase".
  // A command's request and correlation ids (its CommandContext) go into
  // the call's trailing metadata as x-request-id and x-correlation-id: the
  // caller gets them back, and the RPC log line (rpc_observer.h) reads them
  // from there. An admitted request that carries fields unknown to this
  // server (at any depth) is INVALID_ARGUMENT naming where: unknown fields
  // would otherwise reach the log unchecked and unsealed.
  //
  // Trace context: the call's span starts here (W3C traceparent and
  // tracestate from the client's metadata, else a new trace; see
  // services/observability/trace_context.h). It goes back to the caller as
  // the `traceresponse` trailer ("00-<trace-id>-<span-id>-<flags>", W3C
  // Trace Context Level 2), where the RPC log line reads it, and into
  // `*trace` when given (for the handler to make current).
  absl::StatusOr<collections::v1::Actor> Admit(
      grpc::ServerContextBase& context, const char* method,
      const google::protobuf::Message* request,
      observability::TraceContext* trace = nullptr) const;

  const app::AgencyAccess& access() const { return *access_; }

 private:
  security::Gatekeeper* const gatekeeper_;
  const app::AgencyAccess* const access_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_CALLER_H_
