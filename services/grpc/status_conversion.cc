#include "services/grpc/status_conversion.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status_details.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"

namespace collections::grpc_api {
namespace {

// When no layer said how long to wait: long enough not to hammer a server
// that is shedding load or restarting, short enough for an interactive
// caller.
constexpr absl::Duration kDefaultRetryDelay = absl::Seconds(1);

// The domain of a status made outside any known service.
constexpr char kServerDomain[] = "collectionsd";

bool Retryable(absl::StatusCode code) {
  return code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kUnavailable;
}

google::rpc::RetryInfo RetryAfter(absl::Duration delay) {
  google::rpc::RetryInfo retry;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  retry.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  retry.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1000000000));
  return retry;
}

template <typename T>
bool HasDetail(const google::rpc::Status& rich) {
  return std::any_of(
      rich.details().begin(), rich.details().end(),
      [](const google::protobuf::Any& any) { return any.Is<T>(); });
}

// The defaults every refusal carries, for a status with no detail at all.
google::rpc::Status DefaultRichStatus(int code, const std::string& message) {
  absl::Status status(static_cast<absl::StatusCode>(code), message);
  return RichStatusOf(status);
}

// The longest prefix of the path `message` begins with ("payment.amount.
// amount_minor must…") that names a field of `request`, with its list
// indices ("lines[2].gross"); "" when its first segment names none.
std::string FieldPathAtStart(absl::string_view message,
                             const google::protobuf::Descriptor* request) {
  size_t end = 0;
  while (end < message.size() &&
         (absl::ascii_isalnum(static_cast<unsigned char>(message[end])) ||
          message[end] == '_' || message[end] == '.' || message[end] == '[' ||
          message[end] == ']')) {
    ++end;
  }
  const absl::string_view path = absl::StripSuffix(message.substr(0, end), ".");
  std::string resolved;
  const google::protobuf::Descriptor* type = request;
  for (absl::string_view segment : absl::StrSplit(path, '.')) {
    if (type == nullptr) break;
    const absl::string_view name = segment.substr(0, segment.find('['));
    const google::protobuf::FieldDescriptor* field =
        type->FindFieldByName(std::string(name));
    if (field == nullptr) break;
    absl::StrAppend(&resolved, resolved.empty() ? "" : ".", segment);
    type = field->message_type();
  }
  return resolved;
}

// The rule a FAILED_PRECONDITION message begins with ("RULE_NAME: why", the
// convention of every rule refusal), for one made without RuleRefusedError.
std::optional<std::string> RuleAtStart(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon < 2) return std::nullopt;
  const absl::string_view rule = message.substr(0, colon);
  if (!absl::ascii_isupper(static_cast<unsigned char>(rule[0])))
    return std::nullopt;
  for (char c : rule) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_')
      return std::nullopt;
  }
  return std::string(rule);
}

}  // namespace

google::rpc::Status RichStatusOf(const absl::Status& status) {
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(std::string(status.message()));

  google::rpc::ErrorInfo info;
  std::optional<std::string> reason = ErrorReasonOf(status);
  if (!reason.has_value() &&
      status.code() == absl::StatusCode::kFailedPrecondition) {
    reason = RuleAtStart(status.message());
  }
  info.set_reason(reason.has_value() ? *reason
                                     : absl::StatusCodeToString(status.code()));
  std::string case_id;
  for (auto& [key, value] : ErrorMetadataOf(status)) {
    if (key == "case_id") case_id = value;
    (*info.mutable_metadata())[key] = value;
  }
  rich.add_details()->PackFrom(info);

  if (std::optional<std::string> field = InvalidFieldOf(status)) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(*field);
    violation->set_description(std::string(status.message()));
    rich.add_details()->PackFrom(bad);
  }
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    google::rpc::PreconditionFailure failure;
    auto* violation = failure.add_violations();
    violation->set_type(info.reason());
    if (!case_id.empty())
      violation->set_subject(absl::StrCat("cases/", case_id));
    // A rule's message is "<RULE>: <why>"; the why is the description.
    absl::string_view why = status.message();
    absl::ConsumePrefix(&why, absl::StrCat(info.reason(), ": "));
    violation->set_description(std::string(why));
    rich.add_details()->PackFrom(failure);
  }
  std::optional<absl::Duration> delay = RetryDelayOf(status);
  if (!delay.has_value() && Retryable(status.code()) &&
      !IsMarkedNotRetryable(status)) {
    delay = kDefaultRetryDelay;
  }
  if (delay.has_value()) rich.add_details()->PackFrom(RetryAfter(*delay));
  return rich;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      RichStatusOf(status).SerializeAsString());
}

std::optional<google::rpc::Status> RichStatusIn(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return std::nullopt;
  return rich;
}

grpc::Status CompleteErrorDetails(const grpc::Status& status,
                                  absl::string_view method) {
  if (status.ok()) return status;
  google::rpc::Status rich = RichStatusIn(status).value_or(DefaultRichStatus(
      static_cast<int>(status.error_code()), status.error_message()));
  // "/collections.v1.CaseCommands/RecordPayment" → service and method.
  absl::string_view path = absl::StripPrefix(method, "/");
  const size_t slash = path.find('/');
  const std::string service(slash == absl::string_view::npos
                                ? absl::string_view()
                                : path.substr(0, slash));
  for (google::protobuf::Any& any : *rich.mutable_details()) {
    google::rpc::ErrorInfo info;
    if (!any.Is<google::rpc::ErrorInfo>() || !any.UnpackTo(&info)) continue;
    if (info.domain().empty()) {
      info.set_domain(service.empty() ? kServerDomain : service);
      any.PackFrom(info);
    }
  }
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
      !HasDetail<google::rpc::BadRequest>(rich) &&
      slash != absl::string_view::npos) {
    const google::protobuf::MethodDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            absl::StrCat(service, ".", path.substr(slash + 1)));
    const std::string field = descriptor == nullptr
                                  ? ""
                                  : FieldPathAtStart(status.error_message(),
                                                     descriptor->input_type());
    if (!field.empty()) {
      google::rpc::BadRequest bad;
      auto* violation = bad.add_field_violations();
      violation->set_field(field);
      violation->set_description(status.error_message());
      rich.add_details()->PackFrom(bad);
    }
  }
  return grpc::Status(status.error_code(), status.error_message(),
                      rich.SerializeAsString());
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
