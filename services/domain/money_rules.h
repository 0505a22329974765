// The money rules Decide applies per invoice (domain.md §3), on top of the
// ledger (invoice_ledger.h) and the interest engine (statutory_interest.h):
//   - InterestTo: every invoice's interest up to a day (art. 6:119/6:119a
//     BW, or the contract rate with its clause);
//   - CostsFor: collection costs per claim (art. 6:96 BW and the BIK
//     scale; business debtors at least €40 per invoice, or the contract's
//     costs; VAT on the costs when the creditor cannot deduct it);
//   - VatReturnPeriod: the return period a day falls in (art. 29 Wet OB).
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_MONEY_RULES_H_
#define COLLECTIONS_SERVICES_DOMAIN_MONEY_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_state.h"
#include "services/domain/rule_packs.h"
#include "services/domain/statutory_interest.h"

namespace collections::domain {

// The interest basis of the case: the contract rate when CaseOpened set
// one, else the pack's statutory table. Errors: FAILED_PRECONDITION
// (NOT_IN_RULE_PACK) when neither applies.
absl::StatusOr<InterestBasis> InterestBasisOf(const CaseState& state,
                                              const RulePack& pack);

// InterestAccrued for every invoice with interest to add over [its
// interest_until or default day, to); nullopt when none has any.
// Errors: as AccrueInvoiceInterest (the rate table's known-until day).
absl::StatusOr<std::optional<collections::v1::InterestAccrued>> InterestTo(
    const CaseState& state, const RulePack& pack, absl::CivilDay to);

// The general Dutch VAT rate in force on `day`, in basis points (Wet OB
// tabel I: 19% until 30 Sep 2012, 21% from 1 Oct 2012).
int32_t DutchGeneralVatRateBp(absl::CivilDay day);

// Collection costs over `principal_minor` with `invoices` claims:
// the BIK scale; business debtors at least €40 per invoice.
int64_t ScaleCostsMinor(int64_t principal_minor, int invoices, bool business);

// Consumer costs on claims with `principal_minor` (art. 6:96 BW, BIK
// scale) on `today`, under the pack's repeated-claims rule: within
// `repeat_claims_lookback_months` of costs on earlier claims of the case,
// the scale over the claims' summed principal less the costs already
// charged on them. `repeat` is set when the rule applied.
int64_t ConsumerCostsMinor(const CaseState& state, const RulePack& pack,
                           int64_t principal_minor, absl::CivilDay today,
                           bool* repeat);

// The VAT return period `day` falls in: "2026-Q4" (quarterly, the default)
// or "2026-11" (monthly).
std::string VatReturnPeriod(absl::CivilDay day,
                            collections::v1::VatFilingPeriod filing);

// Splits `amount` over invoices in proportion to their principal owed.
std::vector<InvoiceSplit> SplitOverPrincipal(
    const std::vector<const InvoiceState*>& invoices, Bucket bucket,
    int64_t amount);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_MONEY_RULES_H_
