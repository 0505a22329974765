// How a refusal becomes the gRPC rich error model
// (services/grpc/status_conversion.h): google.rpc.Status in the status's
// details with ErrorInfo, BadRequest, PreconditionFailure and RetryInfo.
#include "services/grpc/status_conversion.h"

#include "collections/v1/case_commands.pb.h"
#include "common/status_details.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace collections::grpc_api {
namespace {

template <typename T>
std::optional<T> DetailIn(const grpc::Status& status) {
  std::optional<google::rpc::Status> rich = RichStatusIn(status);
  if (!rich.has_value()) return std::nullopt;
  for (const google::protobuf::Any& any : rich->details()) {
    T detail;
    if (any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

TEST(StatusConversionTest, ARuleRefusalCarriesErrorInfoAndPreconditionFailure) {
  absl::Status refused =
      RuleRefusedError("NL_BW_6_96_FOURTEEN_DAY_LETTER",
                       "the 14-day term runs until 2026-03-16");
  AddErrorMetadata(refused, "case_id", "c1");
  const grpc::Status status = ToGrpcStatus(refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), refused.message());

  auto info = DetailIn<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "NL_BW_6_96_FOURTEEN_DAY_LETTER");
  EXPECT_EQ(info->metadata().at("case_id"), "c1");
  auto failure = DetailIn<google::rpc::PreconditionFailure>(status);
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 1);
  EXPECT_EQ(failure->violations(0).type(), "NL_BW_6_96_FOURTEEN_DAY_LETTER");
  EXPECT_EQ(failure->violations(0).subject(), "cases/c1");
  EXPECT_EQ(failure->violations(0).description(),
            "the 14-day term runs until 2026-03-16");
  EXPECT_FALSE(DetailIn<google::rpc::RetryInfo>(status).has_value());
  EXPECT_FALSE(DetailIn<google::rpc::BadRequest>(status).has_value());
}

TEST(StatusConversionTest, AnInvalidFieldCarriesBadRequest) {
  const grpc::Status status = ToGrpcStatus(InvalidFieldError(
      "payment.amount",
      "payment.amount.amount_minor must be positive, got -5"));
  auto bad = DetailIn<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "payment.amount");
  auto info = DetailIn<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_ARGUMENT");  // the code's name: no rule
}

TEST(StatusConversionTest, RetryInfoForExhaustedAndUnavailableUnlessPointless) {
  absl::Status limited = absl::ResourceExhaustedError("over the limit");
  SetRetryDelay(limited, absl::Milliseconds(1500));
  auto retry = DetailIn<google::rpc::RetryInfo>(ToGrpcStatus(limited));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
  EXPECT_EQ(retry->retry_delay().nanos(), 500000000);

  auto fallback = DetailIn<google::rpc::RetryInfo>(
      ToGrpcStatus(absl::UnavailableError("disk nearly full")));
  ASSERT_TRUE(fallback.has_value());
  EXPECT_EQ(fallback->retry_delay().seconds(), 1);

  absl::Status too_large = absl::ResourceExhaustedError("too large");
  MarkNotRetryable(too_large);
  EXPECT_FALSE(
      DetailIn<google::rpc::RetryInfo>(ToGrpcStatus(too_large)).has_value());
}

TEST(StatusConversionTest, CompletingNamesTheServiceAsDomain) {
  const grpc::Status completed = CompleteErrorDetails(
      ToGrpcStatus(RuleRefusedError("CASE_CLOSED", "closed")),
      "/collections.v1.CaseCommands/RecordPayment");
  auto info = DetailIn<google::rpc::ErrorInfo>(completed);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->domain(), "collections.v1.CaseCommands");
  EXPECT_EQ(info->reason(), "CASE_CLOSED");
}

TEST(StatusConversionTest, AStatusMadeWithoutDetailsGetsTheDefaults) {
  const grpc::Status completed =
      CompleteErrorDetails(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "the answer could not be sent"),
                           "/collections.v1.CaseQueries/GetDebtorTimeline");
  auto info = DetailIn<google::rpc::ErrorInfo>(completed);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNAVAILABLE");
  EXPECT_EQ(info->domain(), "collections.v1.CaseQueries");
  EXPECT_TRUE(DetailIn<google::rpc::RetryInfo>(completed).has_value());
  EXPECT_EQ(completed.error_message(), "the answer could not be sent");
}

TEST(StatusConversionTest, AnUnnamedInvalidFieldIsFoundInTheRequestMessage) {
  // The message begins with a path of RecordPaymentRequest: the longest
  // prefix that exists is named (`amount_minor` of Money, inside payment).
  // (The descriptor is looked up in the generated pool: link it in.)
  ASSERT_NE(collections::v1::RecordPaymentRequest::descriptor(), nullptr);
  const grpc::Status completed = CompleteErrorDetails(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                   "payment.amount.amount_minor is too large"),
      "/collections.v1.CaseCommands/RecordPayment");
  auto bad = DetailIn<google::rpc::BadRequest>(completed);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "payment.amount.amount_minor");

  // A message that begins with no field: no BadRequest is invented.
  const grpc::Status prose =
      CompleteErrorDetails(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "the request carries no event"),
                           "/collections.v1.CaseCommands/RecordPayment");
  EXPECT_FALSE(DetailIn<google::rpc::BadRequest>(prose).has_value());
  // An unknown method: nothing to look fields up in, still ErrorInfo.
  const grpc::Status unknown = CompleteErrorDetails(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "case_id is required"),
      "/nowhere.Service/Method");
  EXPECT_FALSE(DetailIn<google::rpc::BadRequest>(unknown).has_value());
  EXPECT_TRUE(DetailIn<google::rpc::ErrorInfo>(unknown).has_value());
}

TEST(StatusConversionTest, ARuleNamedOnlyInTheMessageIsTheReason) {
  // "RULE: why" is how every rule refusal reads; one made without
  // RuleRefusedError still carries its rule.
  const grpc::Status status = ToGrpcStatus(absl::FailedPreconditionError(
      "US_STATE_LIMITATION_TABLE: the table is known until 2027-12-31"));
  auto info = DetailIn<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "US_STATE_LIMITATION_TABLE");
  auto failure = DetailIn<google::rpc::PreconditionFailure>(status);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->violations(0).description(),
            "the table is known until 2027-12-31");
  // Prose is not a rule name.
  auto prose = DetailIn<google::rpc::ErrorInfo>(ToGrpcStatus(
      absl::FailedPreconditionError("the command changes nothing")));
  ASSERT_TRUE(prose.has_value());
  EXPECT_EQ(prose->reason(), "FAILED_PRECONDITION");
}

TEST(StatusConversionTest, OkStaysBare) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).error_details().empty());
  EXPECT_TRUE(
      CompleteErrorDetails(grpc::Status::OK, "/collections.v1.CaseCommands/X")
          .error_details()
          .empty());
}

}  // namespace
}  // namespace collections::grpc_api
