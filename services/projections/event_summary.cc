#include "services/projections/event_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/money_format.h"

namespace collections::projections {

using ::collections::v1::Event;
using ::collections::v1::EventPayload;

std::string FormatMoney(const collections::v1::Money& money) {
  return collections::FormatMoney(money.amount_minor(), money.currency());
}

namespace {

// " on INV-1 €10.00, INV-2 €5.00": what an amount did per invoice.
std::string PerInvoice(const google::protobuf::RepeatedPtrField<
                       collections::v1::InvoiceAllocation>& allocations) {
  std::string out;
  for (const auto& part : allocations) {
    if (part.invoice_number().empty()) continue;
    const auto& a = part.allocation();
    collections::v1::Money total = a.principal();
    total.set_amount_minor(a.principal().amount_minor() +
                           a.interest().amount_minor() +
                           a.costs().amount_minor() + a.fees().amount_minor());
    if (total.currency().empty()) total.set_currency(a.interest().currency());
    absl::StrAppend(&out, out.empty() ? " on " : ", ", part.invoice_number(),
                    " ", FormatMoney(total));
  }
  return out;
}

std::string Date(const collections::v1::LocalDate& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

// Enum value names without their prefix: "LETTER_LEVEL_DUNNING" → "DUNNING".
// A value this build does not know (proto3 keeps it; _Name gives "") reads
// "UNKNOWN": a stored event from a newer writer, or a damaged one, must
// still summarise (a fuzzed event once threw std::out_of_range here).
std::string Name(const std::string& full, const char* prefix) {
  if (full.empty()) return "UNKNOWN";
  const std::string p(prefix);
  return full.compare(0, p.size(), p) == 0 ? full.substr(p.size()) : full;
}

// What an agency reported back.
// The debtor stream's facts (debtor.proto), without personal values.
std::string SummarizeDebtorFact(const Event& event) {
  const EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case EventPayload::kDebtorRegistered:
      return absl::StrCat("Debtor registered (",
                          p.debtor_registered().jurisdiction(), ", ",
                          p.debtor_registered().time_zone(), ")");
    case EventPayload::kContactPointAdded:
      return absl::StrCat("Contact point ",
                          p.contact_point_added().contact_point_id(), " (",
                          p.contact_point_added().kind(), ") added");
    case EventPayload::kContactPointInvalidated:
      return absl::StrCat("Contact point ",
                          p.contact_point_invalidated().contact_point_id(),
                          " invalidated");
    case EventPayload::kCommunicationRestricted:
      return absl::StrCat(
          "Communication restricted (", p.communication_restricted().scope(),
          p.communication_restricted().in_writing() ? ", in writing" : "", ")");
    case EventPayload::kCommunicationRestrictionLifted:
      return absl::StrCat("Communication restriction lifted (",
                          p.communication_restriction_lifted().scope(), ")");
    case EventPayload::kRepresentationNoticed:
      return absl::StrCat("Represented (", p.representation_noticed().kind(),
                          ")");
    case EventPayload::kInsolvencyNoticed:
      return absl::StrCat("Insolvency (", p.insolvency_noticed().kind(), ")");
    case EventPayload::kDeceasedNoticed:
      return "Debtor deceased";
    case EventPayload::kSegmentAssigned:
      return absl::StrCat("Segment ", p.segment_assigned().segment(),
                          " assigned by ",
                          p.segment_assigned().model_version());
    case EventPayload::kContactConsentRecorded:
      return "Consent to more calls recorded (at most 7 days)";
    case EventPayload::kPersonalDataDisclosed: {
      const auto& disclosed = p.personal_data_disclosed();
      std::string categories;
      for (const std::string& category : disclosed.categories())
        absl::StrAppend(&categories, categories.empty() ? "" : ", ", category);
      return absl::StrCat("Personal data (", categories, ") disclosed to ",
                          disclosed.recipient(), " in package ",
                          disclosed.package_id(), ", sealed to its key");
    }
    case EventPayload::kAgencyKeyRegistered:
      return absl::StrCat("Key ", p.agency_key_registered().fingerprint(),
                          " registered for agency ",
                          p.agency_key_registered().agency_id());
    default:
      return event.type();  // the type name reads well enough
  }
}

std::string SummarizeAgencyReport(const Event& event) {
  const EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case EventPayload::kPlacementAcknowledged: {
      const auto& ack = p.placement_acknowledged();
      return absl::StrCat(
          "Agency ", ack.agency_id(), " acknowledged a balance of ",
          FormatMoney(ack.balance_acknowledged()),
          ack.reconciliation_required()
              ? absl::StrCat(" (case holds ",
                             FormatMoney(ack.balance_expected()),
                             ": to reconcile)")
              : "");
    }
    case EventPayload::kAgencyPaymentReversed:
      return absl::StrCat("Agency ", p.agency_payment_reversed().agency_id(),
                          " reversed payment ",
                          p.agency_payment_reversed().payment_id(), " of ",
                          FormatMoney(p.agency_payment_reversed().amount()));
    case EventPayload::kAgencyUpdateReceived:
      return absl::StrCat(
          "Agency ", p.agency_update_received().agency_id(), " status ",
          p.agency_update_received().status(),
          p.agency_update_received().contact_kind().empty()
              ? ""
              : absl::StrCat(", new ",
                             p.agency_update_received().contact_kind(),
                             " reported"));
    case EventPayload::kRecallObjected:
      return absl::StrCat("Agency ", p.recall_objected().agency_id(),
                          " objected to the recall");
    case EventPayload::kRecallCompleted:
      return absl::StrCat("Recall from agency ",
                          p.recall_completed().agency_id(),
                          " completed: back in-house");
    case EventPayload::kReturnedByAgency:
      return absl::StrCat("Returned by agency ",
                          p.returned_by_agency().agency_id());
    default:
      return SummarizeDebtorFact(event);
  }
}

// The events that follow up on the acts: derived events, money, holds,
// tax.
std::string SummarizeFollowUp(const Event& event) {
  namespace v1 = ::collections::v1;
  const EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case EventPayload::kCaseStageChanged:
      return absl::StrCat(
          "Stage ",
          Name(v1::CaseStage_Name(p.case_stage_changed().to()), "CASE_STAGE_"));
    case EventPayload::kCollectionCostsAssessed: {
      std::string per_invoice;
      for (const auto& part : p.collection_costs_assessed().invoices())
        absl::StrAppend(&per_invoice, per_invoice.empty() ? " on " : ", ",
                        part.invoice_number(), " ", FormatMoney(part.amount()));
      return absl::StrCat("Collection costs of ",
                          FormatMoney(p.collection_costs_assessed().amount()),
                          " assessed (", p.collection_costs_assessed().scale(),
                          ")", per_invoice);
    }
    case EventPayload::kInterestAccrued: {
      std::string per_invoice;
      for (const auto& part : p.interest_accrued().invoices())
        absl::StrAppend(&per_invoice, per_invoice.empty() ? " on " : ", ",
                        part.invoice_number(), " ", FormatMoney(part.amount()),
                        " (", part.basis(), ")");
      return absl::StrCat(
          "Interest of ", FormatMoney(p.interest_accrued().amount()),
          " accrued to ", Date(p.interest_accrued().to_date()), per_invoice);
    }
    case EventPayload::kPaymentReversed:
      return absl::StrCat(
          "Payment ", p.payment_reversed().payment_id(), " reversed",
          PerInvoice(p.payment_reversed().invoice_allocations()));
    case EventPayload::kCreditNoteApplied:
      return absl::StrCat("Credit note ",
                          p.credit_note_applied().credit_note_number(), " of ",
                          FormatMoney(p.credit_note_applied().amount()));
    case EventPayload::kHoldPlaced:
      return absl::StrCat(
          "Hold placed: ",
          Name(v1::CaseHold_Name(p.hold_placed().hold()), "CASE_HOLD_"));
    case EventPayload::kHoldReleased:
      return absl::StrCat(
          "Hold released: ",
          Name(v1::CaseHold_Name(p.hold_released().hold()), "CASE_HOLD_"));
    case EventPayload::kLimitationInterrupted: {
      const auto& interrupted = p.limitation_interrupted();
      std::string ground;
      switch (interrupted.ground()) {
        case collections::v1::LIMITATION_GROUND_WRITTEN_NOTICE:
          ground = absl::StrCat(" by letter ", interrupted.letter_id(),
                                " reaching the debtor on ",
                                Date(interrupted.interrupted_on()));
          break;
        case collections::v1::LIMITATION_GROUND_PAYMENT:
        case collections::v1::LIMITATION_GROUND_PROMISE:
        case collections::v1::LIMITATION_GROUND_PAYMENT_PLAN:
          ground =
              absl::StrCat(" by acknowledgement (", interrupted.source_id(),
                           ") on ", Date(interrupted.interrupted_on()));
          break;
        default:
          break;
      }
      std::string invoices;
      for (const auto& number : interrupted.invoice_numbers())
        absl::StrAppend(&invoices, invoices.empty() ? " for " : ", ", number);
      return absl::StrCat("Limitation interrupted until ",
                          Date(interrupted.new_deadline()), ground, invoices);
    }
    case EventPayload::kLimitationWarning:
      return absl::StrCat("Limitation of invoice ",
                          p.limitation_warning().invoice_number(), " ends ",
                          Date(p.limitation_warning().deadline()));
    case EventPayload::kLetterDeadlineLapsed:
      return absl::StrCat("Term of letter ",
                          p.letter_deadline_lapsed().letter_id(), " lapsed on ",
                          Date(p.letter_deadline_lapsed().lapsed_on()));
    case EventPayload::kContactSuppressedByRule:
      return absl::StrCat(
          "Contact by ", p.contact_suppressed_by_rule().channel(),
          " suppressed: ", p.contact_suppressed_by_rule().rule());
    case EventPayload::kPromiseKept:
      return absl::StrCat("Promise ", p.promise_kept().promise_id(), " kept");
    case EventPayload::kPromiseBroken:
      return absl::StrCat("Promise ", p.promise_broken().promise_id(),
                          " broken, short ",
                          FormatMoney(p.promise_broken().shortfall()));
    case EventPayload::kInstallmentPaid:
      return absl::StrCat("Installment ", p.installment_paid().number(),
                          " paid");
    case EventPayload::kInstallmentMissed:
      return absl::StrCat("Installment ", p.installment_missed().number(),
                          " due ", Date(p.installment_missed().due_date()),
                          " missed");
    case EventPayload::kPaymentPlanDefaulted:
      return absl::StrCat("Payment plan ", p.payment_plan_defaulted().plan_id(),
                          " defaulted");
    case EventPayload::kPaymentPlanCompleted:
      return absl::StrCat("Payment plan ", p.payment_plan_completed().plan_id(),
                          " completed");
    case EventPayload::kAgencyPaymentReported:
      return absl::StrCat("Agency ", p.agency_payment_reported().agency_id(),
                          " collected ",
                          FormatMoney(p.agency_payment_reported().amount()));
    case EventPayload::kVatReliefBecameDue:
      return absl::StrCat(
          "VAT relief of ", FormatMoney(p.vat_relief_became_due().vat()),
          " due for invoice ", p.vat_relief_became_due().invoice_number());
    case EventPayload::kVatReliefClaimed:
      return absl::StrCat(
          "VAT relief of ", FormatMoney(p.vat_relief_claimed().vat()),
          " claimed for invoice ", p.vat_relief_claimed().invoice_number(),
          " in ", p.vat_relief_claimed().return_period(),
          p.vat_relief_claimed().late()
              ? absl::StrCat(" (late: due in ",
                             p.vat_relief_claimed().due_period(), ")")
              : "");
    case EventPayload::kVatReliefReversed:
      return absl::StrCat(
          "VAT relief of ", FormatMoney(p.vat_relief_reversed().vat()),
          " on invoice ", p.vat_relief_reversed().invoice_number(),
          " owed again: ", p.vat_relief_reversed().reason());
    case EventPayload::kVatReliefRestored:
      return absl::StrCat(
          "VAT relief of ", FormatMoney(p.vat_relief_restored().vat()),
          " on invoice ", p.vat_relief_restored().invoice_number(),
          " restored: payment ", p.vat_relief_restored().payment_id(),
          " reversed");
    default:
      return SummarizeAgencyReport(event);
  }
}

}  // namespace

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
          Name(collections::v1::CallOutcome_Name(p.call_logged().outcome()),
               "CALL_OUTCOME_"));
    case EventPayload::kPromiseMade:
      return absl::StrFormat("Promise to pay %s by %04d-%02d-%02d",
                             FormatMoney(p.promise_made().amount()),
                             p.promise_made().promised_date().year(),
                             p.promise_made().promised_date().month(),
                             p.promise_made().promised_date().day());
    case EventPayload::kPaymentReceived:
      return absl::StrCat(
          "Payment of ", FormatMoney(p.payment_received().amount()), " (",
          Name(collections::v1::PaymentMethod_Name(
                   p.payment_received().method()),
               "PAYMENT_METHOD_"),
          ")", PerInvoice(p.payment_received().invoice_allocations()));
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
          Name(collections::v1::LetterLevel_Name(p.letter_issued().level()),
               "LETTER_LEVEL_"),
          " stating ", FormatMoney(p.letter_issued().amount_stated()));
    case EventPayload::kDisputeRaised:
      // Not the reason: it is personal data (sealed in the log).
      return absl::StrCat(
          "Dispute raised",
          p.dispute_raised().has_disputed_amount()
              ? absl::StrCat(" over ",
                             FormatMoney(p.dispute_raised().disputed_amount()))
              : "",
          p.dispute_raised().in_writing() ? ", in writing" : "");
    case EventPayload::kDisputeResolved:
      return absl::StrCat("Dispute resolved: ",
                          Name(collections::v1::DisputeOutcome_Name(
                                   p.dispute_resolved().outcome()),
                               "DISPUTE_OUTCOME_"));
    case EventPayload::kRecallRequested:
      return absl::StrCat(
          p.recall_requested().final() ? "Final recall" : "Recall requested",
          " from agency ", p.recall_requested().agency_id());
    case EventPayload::kWriteOffApproved:
      return absl::StrCat("Write-off approved: ",
                          Name(collections::v1::WriteOffReason_Name(
                                   p.write_off_approved().reason()),
                               "WRITE_OFF_REASON_"));
    case EventPayload::kCaseClosed:
      return absl::StrCat(
          "Case closed: ",
          Name(collections::v1::ClosureReason_Name(p.case_closed().reason()),
               "CLOSURE_REASON_"));
    default:
      return SummarizeFollowUp(event);
  }
}

}  // namespace collections::projections
