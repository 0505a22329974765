#include "services/grpc/caller.h"

#include <string>

#include "absl/strings/strip.h"
#include "collections/v1/case_commands.pb.h"
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

// The request's CommandContext (field "context"), when it has one.
const collections::v1::CommandContext* CommandContextOf(
    const google::protobuf::Message* request) {
  if (request == nullptr) return nullptr;
  const google::protobuf::FieldDescriptor* field =
      request->GetDescriptor()->FindFieldByName("context");
  if (field == nullptr ||
      field->message_type() != collections::v1::CommandContext::descriptor()) {
    return nullptr;
  }
  return static_cast<const collections::v1::CommandContext*>(
      &request->GetReflection()->GetMessage(*request, field));
}

}  // namespace

absl::StatusOr<collections::v1::Actor> Guard::Admit(
    grpc::ServerContextBase& context, const char* method,
    const google::protobuf::Message* request) const {
  if (const auto* command = CommandContextOf(request)) {
    // Printable ASCII only (gRPC refuses other metadata values); the
    // gatekeeper checks the ids themselves.
    auto printable = [](const std::string& id) {
      if (id.empty() || id.size() > 200) return false;
      for (char c : id)
        if (c < 0x20 || c > 0x7e) return false;
      return true;
    };
    if (printable(command->request_id()))
      context.AddTrailingMetadata("x-request-id", command->request_id());
    if (printable(command->correlation_id()))
      context.AddTrailingMetadata("x-correlation-id",
                                  command->correlation_id());
  }
  return gatekeeper_->Admit(CredentialsOf(context), method, request);
}

}  // namespace collections::grpc_api
