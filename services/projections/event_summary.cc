#include "services/projections/event_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collections::projections {

using ::collections::v1::Event;
using ::collections::v1::EventPayload;

std::string FormatMoney(const collections::v1::Money& money) {
  const int64_t minor = money.amount_minor();
  const int64_t abs_minor = minor < 0 ? -minor : minor;
  return absl::StrFormat("%s %s%d.%02d", money.currency(), minor < 0 ? "-" : "",
                         abs_minor / 100, abs_minor % 100);
}

std::string SummarizeEvent(const Event& event) {
  const EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case EventPayload::kCaseOpened:
      return absl::StrCat("Case ", p.case_opened().case_id(), " opened for ",
                          p.case_opened().claim_lines_size(),
                          " invoice(s) of creditor ",
                          p.case_opened().creditor_id());
    case EventPayload::kClaimLineAdded:
      return absl::StrCat(
          "Invoice ", p.claim_line_added().line().invoice_number(), " of ",
          FormatMoney(p.claim_line_added().line().gross()), " added");
    case EventPayload::kCallLogged:
      return absl::StrCat(
          p.call_logged().direction() == collections::v1::CALL_DIRECTION_INBOUND
              ? "Inbound"
              : "Outbound",
          " call: ",
          collections::v1::CallOutcome_Name(p.call_logged().outcome())
              .substr(13));
    case EventPayload::kPromiseMade:
      return absl::StrFormat("Promise to pay %s by %04d-%02d-%02d",
                             FormatMoney(p.promise_made().amount()),
                             p.promise_made().promised_date().year(),
                             p.promise_made().promised_date().month(),
                             p.promise_made().promised_date().day());
    case EventPayload::kPaymentReceived:
      return absl::StrCat(
          "Payment of ", FormatMoney(p.payment_received().amount()), " (",
          collections::v1::PaymentMethod_Name(p.payment_received().method())
              .substr(15),
          ")");
    case EventPayload::kHandedToAgency:
      return absl::StrCat("Handed to agency ",
                          p.handed_to_agency().agency_id());
    case EventPayload::kPaymentPlanAgreed:
      return absl::StrCat(
          "Payment plan of ", p.payment_plan_agreed().installments_size(),
          " installments, total ", FormatMoney(p.payment_plan_agreed().total()),
          " agreed");
    case EventPayload::kLetterIssued:
      return absl::StrCat(
          "Letter sent: ",
          collections::v1::LetterLevel_Name(p.letter_issued().level())
              .substr(13),
          " stating ", FormatMoney(p.letter_issued().amount_stated()));
    case EventPayload::kDisputeRaised:
      return absl::StrCat("Dispute raised: ", p.dispute_raised().reason());
    case EventPayload::kDisputeResolved:
      return absl::StrCat(
          "Dispute resolved: ",
          collections::v1::DisputeOutcome_Name(p.dispute_resolved().outcome())
              .substr(16));
    case EventPayload::kRecallRequested:
      return absl::StrCat("Recalled from agency ",
                          p.recall_requested().agency_id());
    case EventPayload::kWriteOffApproved:
      return absl::StrCat(
          "Write-off approved: ",
          collections::v1::WriteOffReason_Name(p.write_off_approved().reason())
              .substr(17));
    case EventPayload::kCaseClosed:
      return absl::StrCat("Case closed: ", collections::v1::ClosureReason_Name(
                                               p.case_closed().reason())
                                               .substr(15));
    case EventPayload::KIND_NOT_SET:
      break;
  }
  return event.type();
}

}  // namespace collections::projections
