// What every collectionsctl command shares: its exit codes, how it reports
// a failed call, and its two output forms: aligned text for people by
// default, and with --json one JSON document per command on stdout (proto
// field names as in the .proto files, zeros and empty lists included) for
// scripts and jq.
//
// Exit codes (also in the usage text and docs/operations.md):
//   0  done (verified, serving)
//   1  refused: the server said no (INVALID_ARGUMENT, FAILED_PRECONDITION,
//      ABORTED, ALREADY_EXISTS, OUT_OF_RANGE…), or a verification failed
//   2  usage: a bad command line, or an input file that cannot be read
//   3  not found
//   4  retry later: no server, UNAVAILABLE, DEADLINE_EXCEEDED, NOT_SERVING,
//      RESOURCE_EXHAUSTED (over a rate limit; its RetryInfo says how long)
//      — a script may retry the same command (same request id) after a wait
//   5  denied: UNAUTHENTICATED, PERMISSION_DENIED
//   6  damaged: DATA_LOSS or INTERNAL (read the message; tell an operator)
#ifndef COLLECTIONS_TOOLS_CLI_CLI_OUTPUT_H_
#define COLLECTIONS_TOOLS_CLI_CLI_OUTPUT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "collections/v1/money.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"

namespace collections::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitRefused = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitUnavailable = 4,  // retry later
  kExitDenied = 5,
  kExitDamaged = 6,
};

// The exit code for a call that ended with `code`.
ExitCode ExitCodeFor(grpc::StatusCode code);

// Reports a failed call on stderr and returns its exit code: "error:
// FAILED_PRECONDITION (NL_BW_6_96_FOURTEEN_DAY_LETTER): …" (the reason from
// the status's google.rpc.ErrorInfo when it differs from the code), or with
// --json {"error":{"code":…,"message":…,"reason":…,"details":{…}}}, details
// being the google.rpc.Status the server sent (null when none).
int Fail(const grpc::Status& status);

// The ErrorInfo reason in `status`'s details; "" when it carries none.
std::string ErrorReason(const grpc::Status& status);

// Reports a usage or input problem on stderr; returns kExitUsage.
int UsageError(absl::string_view message);

// Whether --json was given.
bool JsonOutput();

// `message` as one line of JSON (no trailing newline).
std::string ToJson(const google::protobuf::Message& message);
// `message` as a JSON value (ToJson's form), to place inside a document.
nlohmann::ordered_json JsonOf(const google::protobuf::Message& message);
// Prints ToJson(message) and a newline on stdout.
void PrintJson(const google::protobuf::Message& message);
// Prints `document` (built with nlohmann-json, never by hand) and a newline.
void PrintJson(const nlohmann::ordered_json& document);
// With --json: prints `message` as PrintJson does and returns true (the
// command is done); without, returns false and prints nothing.
bool PrintedAsJson(const google::protobuf::Message& message);

// "EUR 1265.28" / "EUR -3.50".
std::string FormatMoney(const collections::v1::Money& money);
// "2026-11-23 14:05 UTC".
std::string FormatTime(const google::protobuf::Timestamp& time);

// Parses an RFC 3339 instant ("2026-12-01T00:00:00Z", an offset allowed)
// or a date ("2026-12-01", midnight UTC). False when it is neither.
bool ParseInstant(absl::string_view text, google::protobuf::Timestamp* out);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_CLI_OUTPUT_H_
