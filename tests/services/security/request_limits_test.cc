// Each input limit refuses with INVALID_ARGUMENT naming the field by its
// path; requests within the limits pass.
#include "services/security/request_limits.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collections/v1/agency.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
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

// Adds a field this server's schema does not have, as a newer client's
// message would carry it.
void AddUnknown(google::protobuf::Message& message, int number,
                uint64_t value) {
  message.GetReflection()->MutableUnknownFields(&message)->AddVarint(number,
                                                                     value);
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

// Fields this server does not know are named by where they sit, from the
// request down, wherever they are.
TEST(RequestLimitsTest, UnknownFieldsAreNamedByTheirPath) {
  v1::LogCallsRequest request = Calls();
  EXPECT_EQ(UnknownFieldsIn(request), "");

  AddUnknown(request, 99, 1);
  EXPECT_EQ(UnknownFieldsIn(request),
            "request (collections.v1.LogCallsRequest): field number(s) 99");

  request = Calls();
  *request.add_calls() = request.calls(0);
  AddUnknown(*request.mutable_calls(1), 98, 1);
  AddUnknown(*request.mutable_calls(1), 99, 2);
  EXPECT_EQ(UnknownFieldsIn(request),
            "request.calls[1] (collections.v1.CallLogged): field number(s) "
            "98, 99");

  request = Calls();
  AddUnknown(*request.mutable_context()->mutable_occurred_at(), 7, 1);
  EXPECT_EQ(UnknownFieldsIn(request),
            "request.context.occurred_at (google.protobuf.Timestamp): field "
            "number(s) 7");
}

// The walks' per-type plans are built on first use by whichever thread
// comes first: checks from many threads at once agree with one thread's.
TEST(RequestLimitsTest, ChecksFromManyThreadsAtOnceAgree) {
  v1::LogCallsRequest good = Calls();
  v1::LogCallsRequest bad = Calls();
  bad.mutable_calls(0)->set_notes(std::string(9000, 'n'));
  v1::RecordPaymentRequest payment;
  payment.mutable_payment()->mutable_amount()->set_amount_minor(100);
  payment.mutable_payment()->mutable_amount()->set_currency("eur");
  v1::LogCallsRequest unknown = Calls();
  AddUnknown(*unknown.mutable_calls(0), 99, 1);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!CheckRequestLimits(good).ok()) ++wrong;
        if (CheckRequestLimits(bad).message() !=
            "calls[0].notes is 9000 bytes; at most 8192")
          ++wrong;
        if (CheckRequestLimits(payment).ok()) ++wrong;
        if (UnknownFieldsIn(unknown).empty()) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The check passes ASCII eight bytes at a time: a bad byte is found
// wherever it sits against those eight-byte steps, a character may span
// one, and one cut short at the very end is refused.
TEST(RequestLimitsTest, Utf8IsCheckedAtEveryOffsetOfALongText) {
  const std::string ascii(40, 'a');
  const std::string euro = "\xe2\x82\xac";       // U+20AC, three bytes
  const std::string emoji = "\xf0\x9f\x93\x9e";  // U+1F4DE, four bytes
  for (size_t at = 0; at <= ascii.size(); ++at) {
    SCOPED_TRACE(at);
    v1::LogCallsRequest request = Calls();
    const std::string head = ascii.substr(0, at), tail = ascii.substr(at);
    request.mutable_calls(0)->set_notes(head + euro + tail + emoji);
    EXPECT_TRUE(CheckRequestLimits(request).ok());
    request.mutable_calls(0)->set_notes(head + "\xff" + tail);
    ExpectRefused(request, "calls[0].notes is not valid UTF-8");
    request.mutable_calls(0)->set_notes(head + "\xc0\xaf" + tail);  // overlong
    ExpectRefused(request, "calls[0].notes is not valid UTF-8");
    request.mutable_calls(0)->set_notes(head + emoji.substr(0, 3));
    ExpectRefused(request, "calls[0].notes is not valid UTF-8");
  }
}

// Enum values are checked against what the enum defines on both sides of
// its range, and a request of a dynamic type (no generated code) is
// walked as its generated twin is.
TEST(RequestLimitsTest, EnumRangesAndDynamicMessagesAreChecked) {
  for (int number : {-1, 0, 99, 1 << 20}) {
    v1::LogCallsRequest request = Calls();
    request.mutable_calls(0)->set_outcome(static_cast<v1::CallOutcome>(number));
    const bool defined = v1::CallOutcome_IsValid(number);
    EXPECT_EQ(CheckRequestLimits(request).ok(), defined) << number;
  }
  google::protobuf::DynamicMessageFactory factory;
  const google::protobuf::Message* prototype =
      factory.GetPrototype(v1::LogCallsRequest::descriptor());
  std::unique_ptr<google::protobuf::Message> dynamic(prototype->New());
  v1::LogCallsRequest bad = Calls();
  bad.mutable_calls(0)->set_notes(std::string(9000, 'n'));
  ASSERT_TRUE(dynamic->ParseFromString(bad.SerializeAsString()));
  ASSERT_NE(dynamic->GetReflection(), bad.GetReflection());
  EXPECT_EQ(CheckRequestLimits(*dynamic).message(),
            "calls[0].notes is 9000 bytes; at most 8192");
  ASSERT_TRUE(dynamic->ParseFromString(Calls().SerializeAsString()));
  EXPECT_TRUE(CheckRequestLimits(*dynamic).ok());
  AddUnknown(*dynamic, 99, 1);
  EXPECT_EQ(UnknownFieldsIn(*dynamic),
            "request (collections.v1.LogCallsRequest): field number(s) 99");
}

}  // namespace
}  // namespace collections::security
