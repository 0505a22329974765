// Structural checks of case commands: what a command must carry before any
// business rule is asked (ids, money, dates). Each failure is
// INVALID_ARGUMENT naming the field, so a caller can fix the request.
//
// Pure functions; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_COMMAND_CHECKS_H_
#define COLLECTIONS_SERVICES_DOMAIN_COMMAND_CHECKS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/events.pb.h"
#include "services/domain/command_inputs.h"

namespace collections::domain {

// Case, debtor, creditor and agency ids: 1..64 of [A-Za-z0-9._-].
absl::Status CheckId(absl::string_view field, absl::string_view id);
// Request ids: 1..100 printable ASCII characters (0x21..0x7e).
absl::Status CheckRequestId(absl::string_view request_id);
// What every command carries (case and debtor commands): a request id,
// occurred_at within 1970-01-01..9999-12-31, well-formed overrides.
absl::Status CheckCommandContext(
    const collections::v1::CommandContext& context);
// ISO 4217 alphabetic code: three upper-case letters.
absl::Status CheckCurrency(absl::string_view field, absl::string_view code);
// Present, currency well-formed, amount >= 0 (> 0 when `positive`).
absl::Status CheckMoney(absl::string_view field, bool has_money,
                        const collections::v1::Money& money, bool positive);
// Present and a real calendar date between 1900 and 9999.
absl::Status CheckDate(absl::string_view field, bool has_date,
                       const collections::v1::LocalDate& date);
// An optional 32-byte SHA-256: empty or exactly 32 bytes.
absl::Status CheckOptionalSha256(absl::string_view field,
                                 absl::string_view bytes);

// Per act: every required field of its detail message.
absl::Status CheckCaseOpened(const collections::v1::CaseOpened& opened);
// One claim line (`field` names it in errors): invoice number, due date, a
// positive gross in `currency`, VAT between 0 and the gross.
absl::Status CheckClaimLine(absl::string_view field,
                            const collections::v1::ClaimLine& line,
                            absl::string_view currency);
absl::Status CheckCallLogged(const collections::v1::CallLogged& call);
absl::Status CheckPromiseMade(const collections::v1::PromiseMade& promise);
absl::Status CheckPaymentReceived(
    const collections::v1::PaymentReceived& payment);
absl::Status CheckPaymentPlanTerms(const PaymentPlanTerms& terms);
absl::Status CheckLetterIssued(const collections::v1::LetterIssued& letter);
absl::Status CheckDisputeRaised(const collections::v1::DisputeRaised& dispute);
absl::Status CheckDisputeResolved(
    const collections::v1::DisputeResolved& resolution);
absl::Status CheckHandedToAgency(
    const collections::v1::HandedToAgency& placement);
// A placement as a caller asks for it: the package fields the server sets
// (manifest hash, tree size) must be unset; a package id is optional.
absl::Status CheckPlacementRequest(
    const collections::v1::HandedToAgency& placement);
absl::Status CheckRecallRequested(
    const collections::v1::RecallRequested& recall);
absl::Status CheckWriteOffApproved(
    const collections::v1::WriteOffApproved& write_off);
absl::Status CheckCaseClosed(const collections::v1::CaseClosed& closure);
absl::Status CheckRuleOverrides(
    const google::protobuf::RepeatedPtrField<collections::v1::RuleOverride>&
        overrides);
absl::Status CheckReversePayment(const PaymentReversal& reversal);
absl::Status CheckCreditNote(const collections::v1::CreditNoteApplied& note);
absl::Status CheckHold(absl::string_view field, collections::v1::CaseHold hold,
                       absl::string_view reason);
absl::Status CheckLetterOutcome(const LetterOutcome& outcome);
absl::Status CheckVerificationSent(
    const collections::v1::VerificationSent& verification);
absl::Status CheckAgencyReport(const AgencyReport& report);
absl::Status CheckVatReliefClaimed(
    const collections::v1::VatReliefClaimed& claim);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_COMMAND_CHECKS_H_
