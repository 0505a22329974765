#include "services/grpc/caller.h"

#include <string>

#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

collections::v1::Actor CallerOf(const grpc::ServerContextBase& context) {
  collections::v1::Actor actor;
  actor.set_id(Metadata(context, "x-actor-id"));
  actor.set_role(Metadata(context, "x-actor-role"));
  if (actor.id().empty()) actor.set_id("anonymous");
  if (actor.role().empty()) actor.set_role("service");
  return actor;
}

grpc::Status DenyAgencies(const app::AgencyAccess& access,
                          const grpc::ServerContextBase& context,
                          const char* method) {
  return ToGrpcStatus(access.DenyAgency(CallerOf(context), method));
}

}  // namespace collections::grpc_api
