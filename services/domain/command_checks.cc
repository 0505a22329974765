#include "services/domain/command_checks.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status_details.h"
#include "common/status_macros.h"

namespace collections::domain {
namespace {

absl::Status Missing(absl::string_view field) {
  return InvalidFieldError(field, absl::StrCat(field, " is required"));
}

absl::Status CheckSubId(absl::string_view field, absl::string_view id) {
  // Ids of things inside a case (promise, payment, letter…) follow the same
  // grammar as case ids.
  return CheckId(field, id);
}

}  // namespace

absl::Status CheckCommandContext(
    const collections::v1::CommandContext& context) {
  COLLECTIONS_RETURN_IF_ERROR(CheckRequestId(context.request_id()));
  if (!context.has_occurred_at()) {
    return InvalidFieldError(
        "context.occurred_at",
        "context.occurred_at (when the act happened) is required");
  }
  const auto& at = context.occurred_at();
  // 1970-01-01 .. 9999-12-31, whole nanoseconds in range.
  if (at.seconds() < 0 || at.seconds() > 253402300799 || at.nanos() < 0 ||
      at.nanos() > 999999999) {
    return InvalidFieldError(
        "context.occurred_at",
        "context.occurred_at is outside 1970-01-01..9999-12-31");
  }
  return CheckRuleOverrides(context.overrides());
}

absl::Status CheckId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Missing(field);
  if (id.size() > 64) {
    return InvalidFieldError(field, absl::StrCat(field, " is ", id.size(),
                                                 " characters; at most 64"));
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return InvalidFieldError(
          field, absl::StrCat(
                     field, " \"", id,
                     "\" may contain only letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.empty()) return Missing("context.request_id");
  if (request_id.size() > 100) {
    return absl::InvalidArgumentError(absl::StrCat("context.request_id is ",
                                                   request_id.size(),
                                                   " characters; at most 100"));
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "context.request_id must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCurrency(absl::string_view field, absl::string_view code) {
  if (code.empty()) return Missing(field);
  if (code.size() != 3 || !absl::ascii_isupper(code[0]) ||
      !absl::ascii_isupper(code[1]) || !absl::ascii_isupper(code[2])) {
    return InvalidFieldError(
        field, absl::StrCat(field, " \"", code,
                            "\" is not an ISO 4217 code such as \"EUR\""));
  }
  return absl::OkStatus();
}

absl::Status CheckMoney(absl::string_view field, bool has_money,
                        const collections::v1::Money& money, bool positive) {
  if (!has_money) return Missing(field);
  COLLECTIONS_RETURN_IF_ERROR(
      CheckCurrency(absl::StrCat(field, ".currency"), money.currency()));
  if (money.amount_minor() < 0 || (positive && money.amount_minor() == 0)) {
    return InvalidFieldError(
        field, absl::StrCat(field, ".amount_minor must be ",
                            positive ? "positive" : "zero or more", ", got ",
                            money.amount_minor()));
  }
  return absl::OkStatus();
}

absl::Status CheckDate(absl::string_view field, bool has_date,
                       const collections::v1::LocalDate& date) {
  if (!has_date) return Missing(field);
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return InvalidFieldError(
        field, absl::StrCat(field, " ", date.year(), "-", date.month(), "-",
                            date.day(), " is not a calendar date"));
  }
  return absl::OkStatus();
}

absl::Status CheckOptionalSha256(absl::string_view field,
                                 absl::string_view bytes) {
  if (!bytes.empty() && bytes.size() != 32) {
    return InvalidFieldError(
        field, absl::StrCat(field, " must be a 32-byte SHA-256, got ",
                            bytes.size(), " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckClaimLine(absl::string_view field,
                            const collections::v1::ClaimLine& line,
                            absl::string_view currency) {
  if (line.invoice_number().empty())
    return Missing(absl::StrCat(field, ".invoice_number"));
  COLLECTIONS_RETURN_IF_ERROR(CheckDate(absl::StrCat(field, ".due_date"),
                                        line.has_due_date(), line.due_date()));
  COLLECTIONS_RETURN_IF_ERROR(CheckMoney(absl::StrCat(field, ".gross"),
                                         line.has_gross(), line.gross(),
                                         /*positive=*/true));
  if (line.gross().currency() != currency) {
    return InvalidFieldError(
        absl::StrCat(field, ".gross"),
        absl::StrCat(field, ".gross is in ", line.gross().currency(),
                     " but the case is in ", currency));
  }
  // The ledger keeps each invoice apart (and art. 29 Wet OB needs its VAT).
  if (line.vat().amount_minor() < 0 ||
      line.vat().amount_minor() > line.gross().amount_minor()) {
    return InvalidFieldError(
        absl::StrCat(field, ".vat"),
        absl::StrCat(field, ".vat ", line.vat().amount_minor(),
                     " must lie between 0 and the gross ",
                     line.gross().amount_minor()));
  }
  return absl::OkStatus();
}

absl::Status CheckCaseOpened(const collections::v1::CaseOpened& opened) {
  COLLECTIONS_RETURN_IF_ERROR(CheckId("case.case_id", opened.case_id()));
  COLLECTIONS_RETURN_IF_ERROR(CheckId("case.debtor_id", opened.debtor_id()));
  COLLECTIONS_RETURN_IF_ERROR(
      CheckId("case.creditor_id", opened.creditor_id()));
  if (opened.debtor_kind() == collections::v1::DEBTOR_KIND_UNSPECIFIED)
    return Missing("case.debtor_kind");
  COLLECTIONS_RETURN_IF_ERROR(
      CheckCurrency("case.currency", opened.currency()));
  if (opened.claim_lines().empty()) return Missing("case.claim_lines");
  for (int i = 0; i < opened.claim_lines_size(); ++i) {
    const auto& line = opened.claim_lines(i);
    const std::string field = absl::StrCat("case.claim_lines[", i, "]");
    COLLECTIONS_RETURN_IF_ERROR(CheckClaimLine(field, line, opened.currency()));
    for (int j = 0; j < i; ++j) {
      if (opened.claim_lines(j).invoice_number() == line.invoice_number()) {
        return InvalidFieldError(
            absl::StrCat(field, ".invoice_number"),
            absl::StrCat(field, ".invoice_number ", line.invoice_number(),
                         " appears twice: each invoice is one claim line"));
      }
    }
  }
  const auto& contract = opened.contract_terms();
  if (contract.interest_rate_bp() < 0 || contract.interest_rate_bp() > 10000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "case.contract_terms.interest_rate_bp ", contract.interest_rate_bp(),
        " must lie between 0 and 10000 (100% a year)"));
  }
  if (contract.interest_rate_bp() > 0 && contract.interest_clause().empty()) {
    return Missing(
        "case.contract_terms.interest_clause (the clause that sets the "
        "contract rate)");
  }
  if (contract.has_collection_costs()) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckMoney("case.contract_terms.collection_costs", true,
                   contract.collection_costs(), /*positive=*/false));
    if (contract.collection_costs().currency() != opened.currency()) {
      return absl::InvalidArgumentError(
          absl::StrCat("case.contract_terms.collection_costs is in ",
                       contract.collection_costs().currency(),
                       " but the case is in ", opened.currency()));
    }
    if (contract.collection_costs().amount_minor() > 0 &&
        contract.costs_clause().empty()) {
      return Missing("case.contract_terms.costs_clause");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCallLogged(const collections::v1::CallLogged& call) {
  if (call.direction() == collections::v1::CALL_DIRECTION_UNSPECIFIED)
    return Missing("call.direction");
  if (call.outcome() == collections::v1::CALL_OUTCOME_UNSPECIFIED)
    return Missing("call.outcome");
  if (call.time_zone().empty()) return Missing("call.time_zone");
  if (call.zone_source() == collections::v1::ZONE_SOURCE_UNSPECIFIED)
    return Missing("call.zone_source");
  return absl::OkStatus();
}

absl::Status CheckPromiseMade(const collections::v1::PromiseMade& promise) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("promise.promise_id", promise.promise_id()));
  COLLECTIONS_RETURN_IF_ERROR(CheckMoney("promise.amount", promise.has_amount(),
                                         promise.amount(), true));
  return CheckDate("promise.promised_date", promise.has_promised_date(),
                   promise.promised_date());
}

absl::Status CheckPaymentReceived(
    const collections::v1::PaymentReceived& payment) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("payment.payment_id", payment.payment_id()));
  COLLECTIONS_RETURN_IF_ERROR(CheckMoney("payment.amount", payment.has_amount(),
                                         payment.amount(), true));
  COLLECTIONS_RETURN_IF_ERROR(CheckDate(
      "payment.value_date", payment.has_value_date(), payment.value_date()));
  if (payment.method() == collections::v1::PAYMENT_METHOD_UNSPECIFIED)
    return Missing("payment.method");
  return absl::OkStatus();
}

absl::Status CheckPaymentPlanTerms(const PaymentPlanTerms& terms) {
  COLLECTIONS_RETURN_IF_ERROR(CheckSubId("terms.plan_id", terms.plan_id));
  if (terms.frequency == collections::v1::PLAN_FREQUENCY_UNSPECIFIED)
    return Missing("terms.frequency");
  if (terms.installment_count < 1 || terms.installment_count > 120) {
    return absl::InvalidArgumentError(
        absl::StrCat("terms.installment_count must be 1..120, got ",
                     terms.installment_count));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      CheckDate("terms.first_due_date", terms.first_due_date.has_value(),
                terms.first_due_date.value_or(collections::v1::LocalDate())));
  if (terms.total.has_value()) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckMoney("terms.total", true, *terms.total, true));
  }
  return CheckOptionalSha256("terms.signed_document_sha256",
                             terms.signed_document_sha256);
}

absl::Status CheckLetterIssued(const collections::v1::LetterIssued& letter) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("letter.letter_id", letter.letter_id()));
  if (letter.level() == collections::v1::LETTER_LEVEL_UNSPECIFIED)
    return Missing("letter.level");
  if (letter.channel() == collections::v1::LETTER_CHANNEL_UNSPECIFIED)
    return Missing("letter.channel");
  COLLECTIONS_RETURN_IF_ERROR(CheckMoney("letter.amount_stated",
                                         letter.has_amount_stated(),
                                         letter.amount_stated(), true));
  if (letter.has_costs_stated()) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckMoney("letter.costs_stated", true, letter.costs_stated(), false));
  }
  if (letter.has_deadline()) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckDate("letter.deadline", true, letter.deadline()));
  }
  return CheckOptionalSha256("letter.document_sha256",
                             letter.document_sha256());
}

absl::Status CheckDisputeRaised(const collections::v1::DisputeRaised& dispute) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("dispute.dispute_id", dispute.dispute_id()));
  if (dispute.reason().empty()) return Missing("dispute.reason");
  if (dispute.has_disputed_amount()) {
    COLLECTIONS_RETURN_IF_ERROR(CheckMoney("dispute.disputed_amount", true,
                                           dispute.disputed_amount(), false));
  }
  return absl::OkStatus();
}

absl::Status CheckDisputeResolved(
    const collections::v1::DisputeResolved& resolution) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("resolution.dispute_id", resolution.dispute_id()));
  if (resolution.outcome() == collections::v1::DISPUTE_OUTCOME_UNSPECIFIED)
    return Missing("resolution.outcome");
  if (resolution.has_amount_dropped()) {
    COLLECTIONS_RETURN_IF_ERROR(CheckMoney("resolution.amount_dropped", true,
                                           resolution.amount_dropped(), false));
  }
  return absl::OkStatus();
}

absl::Status CheckHandedToAgency(
    const collections::v1::HandedToAgency& placement) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckId("placement.agency_id", placement.agency_id()));
  if (placement.placement_type() == collections::v1::PLACEMENT_TYPE_UNSPECIFIED)
    return Missing("placement.placement_type");
  if (placement.commission_basis_points() > 10000) {
    return absl::InvalidArgumentError(
        "placement.commission_basis_points is above 10000 (100%)");
  }
  return CheckOptionalSha256("placement.package_manifest_sha256",
                             placement.package_manifest_sha256());
}

absl::Status CheckPlacementRequest(
    const collections::v1::HandedToAgency& placement) {
  COLLECTIONS_RETURN_IF_ERROR(CheckHandedToAgency(placement));
  if (!placement.package_manifest_sha256().empty() ||
      placement.package_tree_size() != 0) {
    return absl::InvalidArgumentError(
        "placement.package_manifest_sha256 and package_tree_size are set by "
        "the server when it cuts the package; leave them unset");
  }
  if (!placement.package_id().empty()) {
    return CheckSubId("placement.package_id", placement.package_id());
  }
  return absl::OkStatus();
}

absl::Status CheckRecallRequested(
    const collections::v1::RecallRequested& recall) {
  COLLECTIONS_RETURN_IF_ERROR(CheckId("recall.agency_id", recall.agency_id()));
  if (recall.reason().empty()) return Missing("recall.reason");
  return absl::OkStatus();
}

absl::Status CheckWriteOffApproved(
    const collections::v1::WriteOffApproved& write_off) {
  if (write_off.reason() == collections::v1::WRITE_OFF_REASON_UNSPECIFIED)
    return Missing("write_off.reason");
  if (!write_off.has_amount()) return Missing("write_off.amount");
  if (write_off.approved_by().empty()) return Missing("write_off.approved_by");
  const auto& amount = write_off.amount();
  const std::pair<const char*, const collections::v1::Money*> buckets[] = {
      {"write_off.amount.costs", &amount.costs()},
      {"write_off.amount.interest", &amount.interest()},
      {"write_off.amount.principal", &amount.principal()},
      {"write_off.amount.fees", &amount.fees()}};
  for (const auto& [field, money] : buckets) {
    if (money->currency().empty() && money->amount_minor() == 0) continue;
    COLLECTIONS_RETURN_IF_ERROR(CheckMoney(field, true, *money, false));
  }
  return absl::OkStatus();
}

absl::Status CheckCaseClosed(const collections::v1::CaseClosed& closure) {
  if (closure.reason() == collections::v1::CLOSURE_REASON_UNSPECIFIED)
    return Missing("closure.reason");
  return absl::OkStatus();
}

absl::Status CheckRuleOverrides(
    const google::protobuf::RepeatedPtrField<collections::v1::RuleOverride>&
        overrides) {
  for (int i = 0; i < overrides.size(); ++i) {
    if (overrides[i].rule().empty())
      return Missing(absl::StrCat("context.overrides[", i, "].rule"));
    if (overrides[i].reason().empty())
      return Missing(absl::StrCat("context.overrides[", i, "].reason"));
  }
  return absl::OkStatus();
}

absl::Status CheckReversePayment(const PaymentReversal& reversal) {
  COLLECTIONS_RETURN_IF_ERROR(CheckSubId("payment_id", reversal.payment_id));
  if (reversal.reason.empty()) return Missing("reason");
  return absl::OkStatus();
}

absl::Status CheckCreditNote(const collections::v1::CreditNoteApplied& note) {
  if (note.credit_note_number().empty())
    return Missing("credit_note.credit_note_number");
  if (note.invoice_number().empty())
    return Missing("credit_note.invoice_number");
  return CheckMoney("credit_note.amount", note.has_amount(), note.amount(),
                    true);
}

absl::Status CheckHold(absl::string_view field, collections::v1::CaseHold hold,
                       absl::string_view reason) {
  if (hold == collections::v1::CASE_HOLD_UNSPECIFIED)
    return Missing(absl::StrCat(field, ".hold"));
  if (reason.empty()) return Missing(absl::StrCat(field, ".reason"));
  return absl::OkStatus();
}

absl::Status CheckLetterOutcome(const LetterOutcome& outcome) {
  if (const auto* delivered =
          std::get_if<collections::v1::LetterDelivered>(&outcome)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckSubId("delivered.letter_id", delivered->letter_id()));
    return CheckDate("delivered.delivered_on", delivered->has_delivered_on(),
                     delivered->delivered_on());
  }
  return CheckSubId(
      "undeliverable.letter_id",
      std::get<collections::v1::LetterUndeliverable>(outcome).letter_id());
}

absl::Status CheckVerificationSent(
    const collections::v1::VerificationSent& verification) {
  COLLECTIONS_RETURN_IF_ERROR(
      CheckSubId("verification.dispute_id", verification.dispute_id()));
  return CheckOptionalSha256("verification.document_sha256",
                             verification.document_sha256());
}

absl::Status CheckAgencyReport(const AgencyReport& report) {
  namespace v1 = ::collections::v1;
  if (const auto* acknowledged =
          std::get_if<v1::PlacementAcknowledged>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckId("acknowledged.agency_id", acknowledged->agency_id()));
    if (acknowledged->has_balance_expected() ||
        acknowledged->reconciliation_required()) {
      return absl::InvalidArgumentError(
          "acknowledged.balance_expected and reconciliation_required are "
          "set by the server; leave them unset");
    }
    return CheckMoney("acknowledged.balance_acknowledged",
                      acknowledged->has_balance_acknowledged(),
                      acknowledged->balance_acknowledged(), false);
  }
  if (const auto* reversed = std::get_if<v1::AgencyPaymentReversed>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckId("payment_reversed.agency_id", reversed->agency_id()));
    COLLECTIONS_RETURN_IF_ERROR(
        CheckSubId("payment_reversed.payment_id", reversed->payment_id()));
    if (reversed->has_amount() || reversed->has_allocation()) {
      return absl::InvalidArgumentError(
          "payment_reversed.amount and allocation are set by the server "
          "from the reported payment; leave them unset");
    }
    if (reversed->reason().empty()) return Missing("payment_reversed.reason");
    return absl::OkStatus();
  }
  if (const auto* payment = std::get_if<v1::AgencyPaymentReported>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckId("payment.agency_id", payment->agency_id()));
    COLLECTIONS_RETURN_IF_ERROR(
        CheckSubId("payment.payment_id", payment->payment_id()));
    COLLECTIONS_RETURN_IF_ERROR(CheckMoney(
        "payment.amount", payment->has_amount(), payment->amount(), true));
    return CheckDate("payment.value_date", payment->has_value_date(),
                     payment->value_date());
  }
  if (const auto* update = std::get_if<v1::AgencyUpdateReceived>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckId("update.agency_id", update->agency_id()));
    if (update->status().empty()) return Missing("update.status");
    if (!update->contact_kind().empty()) {
      const std::string& kind = update->contact_kind();
      if (kind != "phone" && kind != "email" && kind != "postal") {
        return absl::InvalidArgumentError(
            absl::StrCat("update.contact_kind is '", kind,
                         "'; one of phone, email, postal"));
      }
      if (update->contact_value().empty())
        return Missing("update.contact_value");
    }
    return absl::OkStatus();
  }
  if (const auto* objected = std::get_if<v1::RecallObjected>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckId("recall_objected.agency_id", objected->agency_id()));
    if (objected->reason().empty()) return Missing("recall_objected.reason");
    return absl::OkStatus();
  }
  if (const auto* completed = std::get_if<v1::RecallCompleted>(&report)) {
    return CheckId("recall_completed.agency_id", completed->agency_id());
  }
  return CheckId("returned.agency_id",
                 std::get<v1::ReturnedByAgency>(report).agency_id());
}

absl::Status CheckVatReliefClaimed(
    const collections::v1::VatReliefClaimed& claim) {
  if (claim.invoice_number().empty()) return Missing("claim.invoice_number");
  // Both optional: the VAT share of the invoice's unpaid part, and the
  // return period of the act's day, are the server's defaults.
  if (claim.has_vat()) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckMoney("claim.vat", true, claim.vat(), true));
  }
  if (claim.late() || !claim.due_period().empty()) {
    return absl::InvalidArgumentError(
        "claim.late and claim.due_period are set by the server");
  }
  return absl::OkStatus();
}

}  // namespace collections::domain
