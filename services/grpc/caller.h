// Who is calling: the actor recorded on every event a call appends and
// checked by the access rules (services/app/agency_access.h). Until callers
// are authenticated, it is the identity the server is given in the call's
// metadata: "x-actor-id" and "x-actor-role" (collector, agency:<id>,
// auditor, admin, service). Without them: "anonymous", role "service".
#ifndef COLLECTIONS_SERVICES_GRPC_CALLER_H_
#define COLLECTIONS_SERVICES_GRPC_CALLER_H_

#include "collections/v1/events.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/app/agency_access.h"

namespace collections::grpc_api {

collections::v1::Actor CallerOf(const grpc::ServerContextBase& context);

// PERMISSION_DENIED when the caller is an agency: for the methods agencies
// never call (app::AgencyAccess::DenyAgency); OK otherwise.
grpc::Status DenyAgencies(const app::AgencyAccess& access,
                          const grpc::ServerContextBase& context,
                          const char* method);

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_CALLER_H_
