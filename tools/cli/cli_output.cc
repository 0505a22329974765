#include "tools/cli/cli_output.h"

#include <algorithm>
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/money_format.h"
#include "common/time_conversion.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/agency/file_formats.h"
#include "services/observability/json_text.h"

ABSL_FLAG(bool, json, false,
          "print one JSON document on stdout instead of tables (errors as "
          "JSON on stderr)");

namespace collections::cli {

ExitCode ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitUnavailable;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitDenied;
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::INTERNAL:
      return kExitDamaged;
    default:
      return kExitRefused;
  }
}

namespace {

// The code's canonical name, "NOT_FOUND" (gRPC's codes are Abseil's).
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status rich;
  if (status.error_details().empty() ||
      !rich.ParseFromString(status.error_details()))
    return "";
  for (const google::protobuf::Any& any : rich.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

int Fail(const grpc::Status& status) {
  const std::string code = CodeName(status.error_code());
  const std::string reason = ErrorReason(status);
  google::rpc::Status rich;
  const bool detailed = !status.error_details().empty() &&
                        rich.ParseFromString(status.error_details());
  if (JsonOutput()) {
    // The details as the server sent them (google.rpc.Status in its proto
    // JSON form: each detail with its "@type").
    const nlohmann::ordered_json error = {
        {"error",
         {{"code", code},
          {"message", status.error_message()},
          {"reason", reason},
          {"details", detailed ? JsonOf(rich) : nlohmann::ordered_json()}}}};
    std::fprintf(stderr, "%s\n", observability::JsonText(error).c_str());
  } else if (!reason.empty() && reason != code) {
    std::fprintf(stderr, "error: %s (%s): %s\n", code.c_str(), reason.c_str(),
                 status.error_message().c_str());
  } else {
    std::fprintf(stderr, "error: %s: %s\n", code.c_str(),
                 status.error_message().c_str());
  }
  // A RESOURCE_EXHAUSTED the server says waiting cannot cure (details
  // without a RetryInfo: a message over the size limit) is not retryable.
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && detailed &&
      std::none_of(rich.details().begin(), rich.details().end(),
                   [](const google::protobuf::Any& any) {
                     return any.Is<google::rpc::RetryInfo>();
                   })) {
    return kExitRefused;
  }
  return ExitCodeFor(status.error_code());
}

int UsageError(absl::string_view message) {
  if (JsonOutput()) {
    const nlohmann::ordered_json error = {
        {"error", {{"code", "USAGE"}, {"message", std::string(message)}}}};
    std::fprintf(stderr, "%s\n", observability::JsonText(error).c_str());
  } else {
    std::fprintf(stderr, "error: %.*s\n", static_cast<int>(message.size()),
                 message.data());
  }
  return kExitUsage;
}

bool JsonOutput() { return absl::GetFlag(FLAGS_json); }

std::string ToJson(const google::protobuf::Message& message) {
  // The agency files' JSON: proto field names, zeros and empty lists kept.
  return agency::MessageJsonLine(message);
}

nlohmann::ordered_json JsonOf(const google::protobuf::Message& message) {
  return nlohmann::ordered_json::parse(ToJson(message));
}

void PrintJson(const nlohmann::ordered_json& document) {
  std::printf("%s\n", observability::JsonText(document).c_str());
}

void PrintJson(const google::protobuf::Message& message) {
  std::printf("%s\n", ToJson(message).c_str());
}

bool PrintedAsJson(const google::protobuf::Message& message) {
  if (!JsonOutput()) return false;
  PrintJson(message);
  return true;
}

std::string FormatMoney(const collections::v1::Money& money) {
  return collections::FormatMoney(money.amount_minor(), money.currency());
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", ToTime(time),
                          absl::UTCTimeZone());
}

bool ParseInstant(absl::string_view text, google::protobuf::Timestamp* out) {
  absl::Time instant;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &instant, &error) &&
      !absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &instant,
                       &error)) {
    return false;
  }
  *out = ToTimestamp(instant);
  return true;
}

}  // namespace collections::cli
