#include "services/grpc/caller.h"

#include <string>

#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"

namespace collections::grpc_api {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

security::Credentials CredentialsOf(const grpc::ServerContextBase& context) {
  security::Credentials credentials;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const char* property :
         {GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
      for (const grpc::string_ref& name : auth->FindPropertyValues(property)) {
        credentials.certificate_names.emplace_back(name.data(), name.size());
      }
    }
  }
  std::string authorization = Metadata(context, "authorization");
  absl::string_view token = authorization;
  if (absl::ConsumePrefix(&token, "Bearer ")) {
    credentials.bearer_token = std::string(token);
  }
  credentials.claimed_id = Metadata(context, "x-actor-id");
  credentials.claimed_role = Metadata(context, "x-actor-role");
  return credentials;
}

}  // namespace

absl::StatusOr<collections::v1::Actor> Guard::Admit(
    const grpc::ServerContextBase& context, const char* method,
    const google::protobuf::Message* request) const {
  return gatekeeper_->Admit(CredentialsOf(context), method, request);
}

}  // namespace collections::grpc_api
