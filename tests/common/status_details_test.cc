// The structured detail a status carries up the stack
// (common/status_details.h).
#include "common/status_details.h"

#include "gtest/gtest.h"

namespace collections {
namespace {

TEST(StatusDetailsTest, ARuleRefusalNamesItsRuleAsReason) {
  absl::Status refused = RuleRefusedError("CASE_CLOSED", "case c1 is closed");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "CASE_CLOSED: case c1 is closed");
  EXPECT_EQ(ErrorReasonOf(refused), "CASE_CLOSED");
  EXPECT_EQ(InvalidFieldOf(refused), std::nullopt);
}

TEST(StatusDetailsTest, AnInvalidFieldIsNamed) {
  absl::Status invalid = InvalidFieldError(
      "payment.amount", "payment.amount.amount_minor must be positive, got -5");
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InvalidFieldOf(invalid), "payment.amount");
  EXPECT_EQ(ErrorReasonOf(invalid), std::nullopt);
}

TEST(StatusDetailsTest, MetadataIsKeptInKeyOrderAndReplaced) {
  absl::Status status = absl::AbortedError("stale");
  AddErrorMetadata(status, "expected_version", "3");
  AddErrorMetadata(status, "case_id", "c1");
  AddErrorMetadata(status, "expected_version", "4");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ErrorMetadataOf(status),
            (Pairs{{"case_id", "c1"}, {"expected_version", "4"}}));
}

TEST(StatusDetailsTest, RetryDelayAndNotRetryableRoundTrip) {
  absl::Status limited = absl::ResourceExhaustedError("slow down");
  EXPECT_EQ(RetryDelayOf(limited), std::nullopt);
  SetRetryDelay(limited, absl::Milliseconds(250));
  EXPECT_EQ(RetryDelayOf(limited), absl::Milliseconds(250));
  EXPECT_FALSE(IsMarkedNotRetryable(limited));
  MarkNotRetryable(limited);
  EXPECT_TRUE(IsMarkedNotRetryable(limited));
}

TEST(StatusDetailsTest, NothingAttachesToOk) {
  absl::Status ok;
  SetErrorReason(ok, "X");
  AddErrorMetadata(ok, "k", "v");
  SetRetryDelay(ok, absl::Seconds(1));
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ErrorReasonOf(ok), std::nullopt);
  EXPECT_TRUE(ErrorMetadataOf(ok).empty());
}

TEST(StatusDetailsTest, ARebuiltStatusKeepsTheDetailsWhenCopied) {
  absl::Status refused = RuleRefusedError("PLAN_ACTIVE", "a plan runs");
  AddErrorMetadata(refused, "case_id", "c1");
  absl::Status rebuilt = CopyDetails(
      refused, absl::FailedPreconditionError("while closing: PLAN_ACTIVE"));
  EXPECT_EQ(ErrorReasonOf(rebuilt), "PLAN_ACTIVE");
  EXPECT_EQ(ErrorMetadataOf(rebuilt).size(), 1u);
}

}  // namespace
}  // namespace collections
