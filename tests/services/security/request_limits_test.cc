// Each input limit refuses with INVALID_ARGUMENT naming the field by its
// path; requests within the limits pass.
#include "services/security/request_limits.h"

#include <string>

#include "collections/v1/agency.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::security {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

v1::LogCallsRequest Calls() {
  v1::LogCallsRequest request;
  request.set_case_id("c-1");
  request.mutable_context()->set_request_id("r-1");
  request.mutable_context()->mutable_occurred_at()->set_seconds(1767225600);
  v1::CallLogged* call = request.add_calls();
  call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
  call->set_notes("Zoë said: call back after 17:00");
  return request;
}

void ExpectRefused(const google::protobuf::Message& request,
                   const std::string& message) {
  const absl::Status status = CheckRequestLimits(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << message;
  EXPECT_THAT(status.message(), HasSubstr(message));
}

TEST(RequestLimitsTest, AWellFormedRequestPasses) {
  EXPECT_TRUE(CheckRequestLimits(Calls()).ok());
  v1::RecordPaymentRequest payment;
  *payment.mutable_payment()->mutable_amount() = v1::Money();  // unset money
  payment.mutable_payment()->mutable_amount()->set_amount_minor(-500);
  payment.mutable_payment()->mutable_amount()->set_currency("EUR");
  EXPECT_TRUE(CheckRequestLimits(payment).ok());
}

TEST(RequestLimitsTest, EachLimitNamesTheField) {
  v1::LogCallsRequest request = Calls();
  request.set_case_id(std::string(300, 'c'));
  ExpectRefused(request, "case_id is 300 bytes; at most 256");

  request = Calls();
  request.mutable_calls(0)->set_notes(std::string(9000, 'n'));
  ExpectRefused(request, "calls[0].notes is 9000 bytes; at most 8192");

  request = Calls();
  request.mutable_calls(0)->set_party_reached(std::string("a\xff\xfe", 3));
  ExpectRefused(request, "calls[0].party_reached is not valid UTF-8");
  request.mutable_calls(0)->set_party_reached(std::string("\xe2\x82", 2));
  ExpectRefused(request, "calls[0].party_reached is not valid UTF-8");
  request.mutable_calls(0)->set_party_reached(std::string("\xed\xa0\x80", 3));
  ExpectRefused(request, "calls[0].party_reached is not valid UTF-8");

  request = Calls();
  request.mutable_calls(0)->set_outcome(static_cast<v1::CallOutcome>(99));
  ExpectRefused(request,
                "calls[0].outcome holds 99, not a value of CallOutcome");

  request = Calls();
  for (int i = 0; i < 1000; ++i) *request.add_calls() = request.calls(0);
  ExpectRefused(request, "calls has 1001 entries; at most 1000");

  request = Calls();
  request.mutable_context()->mutable_occurred_at()->set_seconds(-1);
  ExpectRefused(request,
                "context.occurred_at is outside 1970-01-01..9999-12-31");

  v1::RecordPaymentRequest payment;
  v1::Money* amount = payment.mutable_payment()->mutable_amount();
  amount->set_amount_minor(100);
  amount->set_currency("eur");
  ExpectRefused(payment, "payment.amount currency 'eur' is not an ISO 4217");
  amount->set_currency("EUR");
  amount->set_amount_minor(int64_t{2'000'000'000'000'000'000});
  ExpectRefused(payment,
                "payment.amount amount_minor 2000000000000000000 is "
                "beyond");
  amount->set_amount_minor(100);
  v1::LocalDate* date = payment.mutable_payment()->mutable_value_date();
  date->set_year(2026);
  date->set_month(2);
  date->set_day(30);
  ExpectRefused(payment, "payment.value_date 2026-2-30 is not a date");
  date->set_day(28);
  EXPECT_TRUE(CheckRequestLimits(payment).ok());

  v1::ImportReturnFileRequest file;
  file.set_content(std::string(kMaxContentBytes + 1, 'x'));
  ExpectRefused(file, "content is");
}

}  // namespace
}  // namespace collections::security
