#include "tools/cli/cli_output.h"

#include <algorithm>
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/time_conversion.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/agency/file_formats.h"
#include "services/observability/json_log.h"

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

// `text` as a JSON string literal.
std::string Quoted(absl::string_view text) {
  std::string out;
  observability::AppendJsonString(text, &out);
  return out;
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
    std::fprintf(stderr,
                 "{\"error\":{\"code\":%s,\"message\":%s,\"reason\":%s,"
                 "\"details\":%s}}\n",
                 Quoted(code).c_str(), Quoted(status.error_message()).c_str(),
                 Quoted(reason).c_str(),
                 detailed ? ToJson(rich).c_str() : "null");
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
    std::fprintf(stderr, "{\"error\":{\"code\":\"USAGE\",\"message\":%s}}\n",
                 Quoted(message).c_str());
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

void PrintJson(const google::protobuf::Message& message) {
  std::printf("%s\n", ToJson(message).c_str());
}

bool PrintedAsJson(const google::protobuf::Message& message) {
  if (!JsonOutput()) return false;
  PrintJson(message);
  return true;
}

std::string FormatMoney(const collections::v1::Money& money) {
  const int64_t minor = money.amount_minor();
  const uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor)
                                       : static_cast<uint64_t>(minor);
  return absl::StrFormat("%s %s%d.%02d", money.currency(), minor < 0 ? "-" : "",
                         magnitude / 100, magnitude % 100);
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
