// collectionsctl's shared output rules: exit codes by status code, money
// and instants as operators type and read them, JSON as scripts read it.
#include "tools/cli/cli_output.h"

#include "collections/v1/operations.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace collections::cli {
namespace {

TEST(CliOutputTest, ExitCodesFollowTheStatusCode) {
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::OK), kExitOk);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::INVALID_ARGUMENT), kExitRefused);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::FAILED_PRECONDITION), kExitRefused);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::ABORTED), kExitRefused);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::NOT_FOUND), kExitNotFound);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNAVAILABLE), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::DEADLINE_EXCEEDED), kExitUnavailable);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::PERMISSION_DENIED), kExitDenied);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::UNAUTHENTICATED), kExitDenied);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::RESOURCE_EXHAUSTED),
            kExitUnavailable);  // retry later
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::DATA_LOSS), kExitDamaged);
  EXPECT_EQ(ExitCodeFor(grpc::StatusCode::INTERNAL), kExitDamaged);
}

TEST(CliOutputTest, FailReturnsTheCodesExitCode) {
  EXPECT_EQ(Fail(grpc::Status(grpc::StatusCode::NOT_FOUND, "case c-9")),
            kExitNotFound);
  EXPECT_EQ(UsageError("bad flag"), kExitUsage);
}

TEST(CliOutputTest, TheReasonIsReadFromTheStatusDetails) {
  google::rpc::ErrorInfo info;
  info.set_reason("NL_BW_6_96_FOURTEEN_DAY_LETTER");
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  rich.add_details()->PackFrom(info);
  const grpc::Status status(grpc::StatusCode::FAILED_PRECONDITION,
                            "NL_BW_6_96_FOURTEEN_DAY_LETTER: the term runs",
                            rich.SerializeAsString());
  EXPECT_EQ(ErrorReason(status), "NL_BW_6_96_FOURTEEN_DAY_LETTER");
  EXPECT_EQ(Fail(status), kExitRefused);
  EXPECT_EQ(ErrorReason(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone")), "");
  EXPECT_EQ(ErrorReason(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone",
                                     "not a protobuf \xff")),
            "");
}

TEST(CliOutputTest, ExhaustedIsRetryableOnlyWithARetryDelay) {
  google::rpc::Status limited;
  limited.add_details()->PackFrom(google::rpc::RetryInfo());
  EXPECT_EQ(Fail(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "limit",
                              limited.SerializeAsString())),
            kExitUnavailable);
  google::rpc::Status too_large;
  too_large.add_details()->PackFrom(google::rpc::ErrorInfo());
  EXPECT_EQ(Fail(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "large",
                              too_large.SerializeAsString())),
            kExitRefused);
  EXPECT_EQ(Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE, "stopping")),
            kExitUnavailable);
}

TEST(CliOutputTest, MoneyIsPrintedFromMinorUnits) {
  collections::v1::Money money;
  money.set_currency("EUR");
  money.set_amount_minor(126528);
  EXPECT_EQ(FormatMoney(money), "EUR 1265.28");
  money.set_amount_minor(-350);
  EXPECT_EQ(FormatMoney(money), "EUR -3.50");
  money.set_amount_minor(INT64_MIN);
  EXPECT_EQ(FormatMoney(money), "EUR -92233720368547758.08");
}

TEST(CliOutputTest, InstantsParseAsRfc3339OrDates) {
  google::protobuf::Timestamp time;
  ASSERT_TRUE(ParseInstant("2026-12-01T09:30:00Z", &time));
  EXPECT_EQ(time.seconds(), 1796117400);
  ASSERT_TRUE(ParseInstant("2026-12-01T10:30:00+01:00", &time));
  EXPECT_EQ(time.seconds(), 1796117400);
  ASSERT_TRUE(ParseInstant("2026-12-01", &time));
  EXPECT_EQ(time.seconds(), 1796083200);
  EXPECT_EQ(FormatTime(time), "2026-12-01 00:00 UTC");
  EXPECT_FALSE(ParseInstant("yesterday", &time));
  EXPECT_FALSE(ParseInstant("2026-13-01", &time));
}

TEST(CliOutputTest, JsonKeepsProtoNamesAndZeros) {
  collections::v1::ProjectionStatus status;
  status.set_name("case_standing");
  status.set_lag_positions(0);
  const std::string json = ToJson(status);
  EXPECT_NE(json.find("\"name\":\"case_standing\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"lag_positions\":\"0\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace collections::cli
