// Errors a program can act on (issue 29 point 1), through the real server:
// every refusal's `grpc-status-details-bin` trailer decodes to a
// google.rpc.Status whose details say why in fields, not prose — ErrorInfo
// (reason = the rule, domain = the service, metadata), BadRequest naming the
// field, PreconditionFailure for rules, RetryInfo when waiting helps.
#include <memory>
#include <string>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "common/time_conversion.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/server/collections_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using Stub = v1::CaseCommands::Stub;
using ::collections::testing::Money;
using ::collections::testing::NewYork;

// The details as any gRPC client decodes them: the trailer's bytes parsed
// as google.rpc.Status, each Any unpacked by its type URL.
google::rpc::Status Decoded(const grpc::Status& status) {
  google::rpc::Status rich;
  EXPECT_FALSE(status.error_details().empty()) << "no grpc-status-details-bin";
  EXPECT_TRUE(rich.ParseFromString(status.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(rich.message(), status.error_message());
  return rich;
}

template <typename T>
std::optional<T> DetailIn(const grpc::Status& status) {
  const google::rpc::Status rich = Decoded(status);
  for (const google::protobuf::Any& any : rich.details()) {
    T detail;
    if (any.type_url() == absl::StrCat("type.googleapis.com/",
                                       T::descriptor()->full_name()) &&
        any.UnpackTo(&detail)) {
      return detail;
    }
  }
  return std::nullopt;
}

class RichErrorsTest : public ::testing::Test {
 protected:
  void Start(double rate_limit_per_second = 0) {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    options.rate_limit_per_second = rate_limit_per_second;
    options.rate_limit_burst = 1;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    if constexpr (!std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.set_case_id("c1");
    }
    return request;
  }

  template <typename Request>
  grpc::Status Run(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&,
                                                v1::CommandResult*),
                   const Request& request) {
    grpc::ClientContext context;
    v1::CommandResult result;
    return ((*commands_).*method)(&context, request, &result);
  }

  // A US consumer case under Regulation F, due 2026-01-31.
  grpc::Status OpenRegF() {
    auto open = Command<v1::OpenCaseRequest>(NewYork(2, 2, 9));
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_case_id("c1");
    opened->set_debtor_id("d1");
    opened->set_creditor_id("acme-us");
    opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("USD");
    opened->set_rule_pack("us-regf");
    opened->set_jurisdiction("US");
    opened->set_time_zone("America/New_York");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() =
        domain::ToLocalDate(absl::CivilDay(2026, 1, 31));
    *line->mutable_gross() = Money(50000, "USD");
    return Run(&Stub::OpenCase, open);
  }

  // An unanswered outbound call placed at `at`.
  v1::LogCallsRequest CallRequest(absl::Time at) {
    auto request = Command<v1::LogCallsRequest>(at);
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_contact_point_id("phone-1");
    call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
    call->set_time_zone("America/New_York");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    *call->mutable_placed_at() = ToTimestamp(at);
    return request;
  }
  grpc::Status Call(absl::Time at) {
    return Run(&Stub::LogCalls, CallRequest(at));
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone())};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  int step_ = 0;
};

TEST_F(RichErrorsTest,
       RegF_1006_6_b_1_ARuleRefusalNamesTheRuleCaseAndNextTime) {
  Start();
  ASSERT_TRUE(OpenRegF().ok());
  // 07:00 in New York: before 08:00, the inconvenient time of 12 CFR
  // 1006.6(b)(1)(i).
  const grpc::Status early = Call(NewYork(3, 9, 7));
  ASSERT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  auto info = DetailIn<google::rpc::ErrorInfo>(early);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "REG_F_1006_6_B1");
  EXPECT_EQ(info->domain(), "collections.v1.CaseCommands");
  EXPECT_EQ(info->metadata().at("case_id"), "c1");
  // 08:00 EDT on 9 March 2026 is 12:00 UTC.
  EXPECT_EQ(info->metadata().at("next_allowed_at"), "2026-03-09T12:00:00Z");

  auto failure = DetailIn<google::rpc::PreconditionFailure>(early);
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 1);
  EXPECT_EQ(failure->violations(0).type(), "REG_F_1006_6_B1");
  EXPECT_EQ(failure->violations(0).subject(), "cases/c1");
  EXPECT_FALSE(failure->violations(0).description().empty());
  // Waiting a second does not lift a rule: no RetryInfo.
  EXPECT_FALSE(DetailIn<google::rpc::RetryInfo>(early).has_value());
}

TEST_F(RichErrorsTest, ABadAmountIsABadRequestNamingPaymentAmount) {
  Start();
  ASSERT_TRUE(OpenRegF().ok());
  auto pay = Command<v1::RecordPaymentRequest>(NewYork(3, 9, 10));
  v1::PaymentReceived* payment = pay.mutable_payment();
  payment->set_payment_id("p1");
  *payment->mutable_amount() = Money(-500, "USD");
  *payment->mutable_value_date() =
      domain::ToLocalDate(absl::CivilDay(2026, 3, 9));
  payment->set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  const grpc::Status refused = Run(&Stub::RecordPayment, pay);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = DetailIn<google::rpc::BadRequest>(refused);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "payment.amount");
  EXPECT_FALSE(bad->field_violations(0).description().empty());
  auto info = DetailIn<google::rpc::ErrorInfo>(refused);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->domain(), "collections.v1.CaseCommands");

  // A payment in another currency than the case's: the same field.
  *pay.mutable_payment()->mutable_amount() = Money(500, "EUR");
  pay.mutable_context()->set_request_id("r-eur");
  auto currency =
      DetailIn<google::rpc::BadRequest>(Run(&Stub::RecordPayment, pay));
  ASSERT_TRUE(currency.has_value());
  EXPECT_EQ(currency->field_violations(0).field(), "payment.amount");
}

TEST_F(RichErrorsTest, AMissingContextFieldIsNamed) {
  Start();
  auto call = CallRequest(NewYork(2, 2, 9));
  call.mutable_context()->clear_request_id();
  const grpc::Status refused = Run(&Stub::LogCalls, call);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad = DetailIn<google::rpc::BadRequest>(refused);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "context.request_id");
}

TEST_F(RichErrorsTest, AStaleVersionAndAMissingCaseHaveTheirReasons) {
  Start();
  ASSERT_TRUE(OpenRegF().ok());
  auto note = Call(NewYork(3, 9, 10));  // version 2
  ASSERT_TRUE(note.ok()) << note.error_message();
  auto stale = CallRequest(NewYork(3, 10, 10));
  stale.mutable_context()->set_expected_version(1);
  const grpc::Status aborted = Run(&Stub::LogCalls, stale);
  ASSERT_EQ(aborted.error_code(), grpc::StatusCode::ABORTED);
  auto info = DetailIn<google::rpc::ErrorInfo>(aborted);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "STALE_VERSION");
  EXPECT_EQ(info->metadata().at("expected_version"), "1");
  EXPECT_EQ(info->metadata().at("case_id"), "c1");

  auto other = CallRequest(NewYork(3, 10, 10));
  other.set_case_id("no-such-case");
  const grpc::Status missing = Run(&Stub::LogCalls, other);
  ASSERT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  auto missing_info = DetailIn<google::rpc::ErrorInfo>(missing);
  ASSERT_TRUE(missing_info.has_value());
  EXPECT_EQ(missing_info->reason(), "CASE_NOT_FOUND");
  EXPECT_EQ(missing_info->metadata().at("case_id"), "no-such-case");
}

TEST_F(RichErrorsTest, OverTheRateLimitSaysWhenToRetry) {
  Start(/*rate_limit_per_second=*/0.5);  // one call, then one per 2 s
  grpc::Status limited;
  for (int i = 0; i < 3 && limited.ok(); ++i) {
    grpc::ClientContext context;
    v1::GetCaseRequest request;
    request.set_case_id("c1");
    v1::GetCaseResponse view;
    limited = queries_->GetCase(&context, request, &view);
    if (limited.error_code() == grpc::StatusCode::NOT_FOUND)
      limited = grpc::Status::OK;  // admitted; the case does not exist
  }
  ASSERT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << limited.error_message();
  auto retry = DetailIn<google::rpc::RetryInfo>(limited);
  ASSERT_TRUE(retry.has_value());
  const int64_t ms = retry->retry_delay().seconds() * 1000 +
                     retry->retry_delay().nanos() / 1000000;
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, 2000);
  auto info = DetailIn<google::rpc::ErrorInfo>(limited);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "RATE_LIMITED");
  EXPECT_EQ(info->domain(), "collections.v1.CaseQueries");
}

}  // namespace
}  // namespace collections
