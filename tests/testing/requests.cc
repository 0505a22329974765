#include "tests/testing/requests.h"

namespace collections::testing {

namespace v1 = ::collections::v1;

v1::OpenCaseRequest OpenBusinessCase(const std::string& case_id,
                                     const std::string& debtor_id) {
  v1::OpenCaseRequest open;
  open.mutable_context()->set_request_id("open-" + case_id);
  open.mutable_context()->mutable_occurred_at()->set_seconds(1767225600);
  v1::CaseOpened* opened = open.mutable_case_();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor_id);
  opened->set_creditor_id("acme");
  opened->set_debtor_kind(v1::DEBTOR_KIND_BUSINESS);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-business");
  opened->set_jurisdiction("NL");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  line->mutable_due_date()->set_year(2026);
  line->mutable_due_date()->set_month(2);
  line->mutable_due_date()->set_day(1);
  for (v1::Money* money : {line->mutable_net(), line->mutable_gross()}) {
    money->set_amount_minor(1000);
    money->set_currency("EUR");
  }
  line->mutable_vat()->set_currency("EUR");
  return open;
}

collections::v1::LogCallsRequest NoAnswerCalls(const std::string& case_id,
                                               const std::string& request_id,
                                               int calls, int64_t at) {
  collections::v1::LogCallsRequest request;
  request.set_case_id(case_id);
  request.mutable_context()->set_request_id(request_id);
  request.mutable_context()->mutable_occurred_at()->set_seconds(at);
  for (int i = 0; i < calls; ++i) {
    collections::v1::CallLogged* call = request.add_calls();
    call->set_direction(collections::v1::CALL_DIRECTION_OUTBOUND);
    call->set_outcome(collections::v1::CALL_OUTCOME_NO_ANSWER);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(collections::v1::ZONE_SOURCE_DEBTOR_RECORD);
    call->set_contact_point_id("phone-1");
  }
  return request;
}

collections::v1::Money Money(int64_t minor, const char* currency) {
  collections::v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency(currency);
  return money;
}

namespace {

absl::Time LocalTime(const char* zone_name, int month, int day, int hour,
                     int minute) {
  absl::TimeZone zone;
  absl::LoadTimeZone(zone_name, &zone);
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, minute, 0),
                         zone);
}

}  // namespace

absl::Time NewYork(int month, int day, int hour, int minute) {
  return LocalTime("America/New_York", month, day, hour, minute);
}

absl::Time Amsterdam(int month, int day, int hour) {
  return LocalTime("Europe/Amsterdam", month, day, hour, 0);
}

}  // namespace collections::testing
