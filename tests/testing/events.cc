#include "tests/testing/events.h"

#include "absl/strings/str_cat.h"

namespace collections::testing {

collections::v1::Event MakeCallLogged(const std::string& event_id,
                                      size_t approx_bytes) {
  collections::v1::Event event;
  event.set_event_id(event_id);
  event.set_type("CallLogged");
  event.mutable_occurred_at()->set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  event.mutable_actor()->set_id("dialer");
  event.mutable_actor()->set_role("service");
  event.set_correlation_id(absl::StrCat("corr-", event_id));
  event.set_schema_version(1);
  auto* call = event.mutable_payload()->mutable_call_logged();
  call->set_direction(collections::v1::CALL_DIRECTION_OUTBOUND);
  call->set_outcome(collections::v1::CALL_OUTCOME_CONVERSATION);
  call->set_time_zone("Europe/Amsterdam");
  call->set_zone_source(collections::v1::ZONE_SOURCE_DEBTOR_RECORD);
  call->set_duration_seconds(95);
  const size_t used = event.ByteSizeLong();
  if (approx_bytes > used + 3)
    call->set_notes(std::string(approx_bytes - used - 3, 'n'));
  return event;
}

collections::v1::Event MakePayment(const std::string& event_id,
                                   int64_t amount_minor) {
  collections::v1::Event event;
  event.set_event_id(event_id);
  event.set_type("PaymentReceived");
  event.mutable_occurred_at()->set_seconds(1767225600);
  event.mutable_actor()->set_id("payments");
  event.set_schema_version(1);
  auto* payment = event.mutable_payload()->mutable_payment_received();
  payment->set_payment_id(event_id);
  payment->mutable_amount()->set_amount_minor(amount_minor);
  payment->mutable_amount()->set_currency("EUR");
  payment->set_method(collections::v1::PAYMENT_METHOD_BANK_TRANSFER);
  return event;
}

collections::v1::Event MakeCaseOpened(const std::string& event_id,
                                      const std::string& case_id,
                                      const std::string& debtor_id) {
  collections::v1::Event event;
  event.set_event_id(event_id);
  event.set_type("CaseOpened");
  event.mutable_occurred_at()->set_seconds(1767225600);
  event.mutable_actor()->set_id("billing");
  event.mutable_actor()->set_role("service");
  event.set_schema_version(1);
  auto* opened = event.mutable_payload()->mutable_case_opened();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor_id);
  opened->set_creditor_id("creditor-1");
  opened->set_debtor_kind(collections::v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_time_zone("Europe/Amsterdam");
  auto* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  line->mutable_due_date()->set_year(2026);
  line->mutable_due_date()->set_month(1);
  line->mutable_due_date()->set_day(31);
  line->mutable_gross()->set_amount_minor(10000);
  line->mutable_gross()->set_currency("EUR");
  line->mutable_vat()->set_amount_minor(1735);
  line->mutable_vat()->set_currency("EUR");
  return event;
}

std::vector<collections::v1::Event> MakeCalls(const std::string& prefix,
                                              size_t count,
                                              size_t approx_bytes) {
  std::vector<collections::v1::Event> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    events.push_back(
        MakeCallLogged(absl::StrCat(prefix, "-", i), approx_bytes));
  }
  return events;
}

}  // namespace collections::testing
