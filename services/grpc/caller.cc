#include "services/grpc/caller.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "collections/v1/case_commands.pb.h"
#include "grpc/grpc_security_constants.h"
#include "services/security/request_limits.h"

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
    // Typed, so an identity names which of the certificate's names it
    // means (services/security/identities.h).
    const std::pair<const char*, const char*> typed[] = {
        {GRPC_X509_CN_PROPERTY_NAME, "cn:"},
        {GRPC_PEER_DNS_PROPERTY_NAME, "dns:"},
        {GRPC_PEER_URI_PROPERTY_NAME, "uri:"},
        {GRPC_PEER_EMAIL_PROPERTY_NAME, "email:"}};
    for (const auto& [property, type] : typed) {
      for (const grpc::string_ref& name : auth->FindPropertyValues(property)) {
        credentials.certificate_names.push_back(
            absl::StrCat(type, absl::string_view(name.data(), name.size())));
      }
    }
    for (const grpc::string_ref& pem :
         auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
      credentials.certificate_pem.assign(pem.data(), pem.size());
    }
  }
  std::string authorization = Metadata(context, "authorization");
  absl::string_view token = authorization;
  if (absl::ConsumePrefix(&token, "Bearer ")) {
    credentials.bearer_token = std::string(token);
  }
  credentials.peer = context.peer();
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

// The first value of the client's metadata `key`; "" when absent.
absl::string_view ClientMetadata(const grpc::ServerContextBase& context,
                                 const char* key) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(key);
  if (found == metadata.end()) return "";
  return absl::string_view(found->second.data(), found->second.size());
}

}  // namespace

absl::StatusOr<collections::v1::Actor> Guard::Admit(
    grpc::ServerContextBase& context, const char* method,
    const google::protobuf::Message* request,
    observability::TraceContext* trace) const {
  observability::TraceContext span =
      observability::StartSpan(ClientMetadata(context, "traceparent"),
                               ClientMetadata(context, "tracestate"));
  context.AddTrailingMetadata("traceresponse",
                              observability::TraceparentOf(span));
  if (trace != nullptr) *trace = std::move(span);
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
  absl::StatusOr<collections::v1::Actor> actor =
      gatekeeper_->Admit(CredentialsOf(context), method, request);
  if (!actor.ok() || request == nullptr) return actor;
  // Refused rather than stored: a field this server does not know would be
  // kept in the events as it came, unchecked and unsealed.
  const std::string unknown = security::UnknownFieldsIn(*request);
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request carries fields this server does not know: ", unknown,
        "; remove them, or update the server to the client's proto version"));
  }
  return actor;
}

}  // namespace collections::grpc_api
