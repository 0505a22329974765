// Decider: the shared machinery of the Decide functions (case_decisions.h):
// the rule pack in force on the act's day, rule checks with overrides, and
// the events decided so far, including stage transitions. Internal to
// services/domain.
#ifndef COLLECTIONS_SERVICES_DOMAIN_DECIDER_H_
#define COLLECTIONS_SERVICES_DOMAIN_DECIDER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/domain/case_decisions.h"
#include "services/domain/invoice_ledger.h"
#include "services/domain/rule_packs.h"

namespace collections::domain {

// FAILED_PRECONDITION "<rule>: <reason>".
absl::Status RuleRefusal(absl::string_view rule, absl::string_view reason);

class Decider {
 public:
  Decider(const CaseState& state, const CommandInput& input);

  // The pack is known and the case not closed; call first.
  absl::Status Begin();
  // Begin without the closed check (for acts allowed on closed cases).
  absl::Status BeginAllowingClosed();

  const CaseState& state() const { return state_; }
  const RulePack& pack() const { return *pack_; }
  absl::CivilDay today() const { return today_; }
  absl::Time at() const { return input_.at; }
  // The stage after the events decided so far.
  CaseStage stage() const { return stage_; }

  // OK when `ok`. Otherwise OK too when the pack lets `rule` be overridden
  // and the command overrides it (the override is recorded), else the
  // refusal.
  absl::Status Require(bool ok, absl::string_view rule,
                       absl::string_view reason);
  // Whether `rule` would be let through by an override.
  bool Overridden(absl::string_view rule);

  // INVALID_ARGUMENT unless `money` is in the case's currency.
  absl::Status CheckCurrency(absl::string_view field,
                             const v1::Money& money) const;
  v1::Money Money(int64_t minor) const;

  void Emit(v1::EventPayload payload) {
    decision_.events.push_back(std::move(payload));
  }
  // Records a transition to `to` when the stage differs.
  void MoveTo(CaseStage to, const std::string& reason);
  // Records a suppressed contact and refuses with its rule.
  void Suppress(absl::string_view channel, absl::string_view contact_point,
                absl::string_view rule, absl::string_view reason,
                absl::Time next_allowed);

  Decision Finish() { return std::move(decision_); }

 private:
  const CaseState& state_;
  const CommandInput& input_;
  absl::CivilDay today_;
  const RulePack* pack_ = nullptr;
  CaseStage stage_;
  Decision decision_;
};

// The contact hold that blocks reaching the debtor in-house now, if any:
// placement, cease-communication, lawyer, deceased, insolvency, a written
// dispute awaiting verification (where the pack says so). Empty rule when
// none does.
struct Block {
  std::string rule;
  std::string reason;
};
Block InHouseContactBlock(const CaseState& state, const RulePack& pack);

// Regulation F 1006.34(a)(1): the validation notice is due within
// kValidationNoticeDays days of the initial communication.
inline constexpr int kValidationNoticeDays = 5;
// The last day the validation notice is in time, when one is owed (the
// pack requires it, a communication happened, none was sent).
std::optional<absl::CivilDay> ValidationNoticeDue(const CaseState& state,
                                                  const RulePack& pack);
// The block on further collection while the validation notice is overdue
// on `today` (empty rule when none).
Block ValidationOverdueBlock(const CaseState& state, const RulePack& pack,
                             absl::CivilDay today);

// Escalation (a final notice, a placement) while the debtor's segment puts
// it on hardship hold (treatment.h): TREATMENT_HARDSHIP_HOLD unless
// overridden.
absl::Status RequireNoHardshipHold(Decider& d);

// ALREADY_EXISTS when `payment_id` is already recorded on the case.
absl::Status CheckNewPaymentId(const CaseState& state,
                               const std::string& payment_id);

// Interest up to `day` before a payment is allocated, when the case claims
// interest (art. 6:44 BW pays interest before principal, so it must be
// known): emits InterestAccrued and returns the state after it in
// `scratch`; returns the decider's state when nothing accrues (or the rate
// table does not reach `day`: the payment is not refused for that).
const CaseState& AccrueBeforePayment(Decider& d, absl::CivilDay day,
                                     CaseState& scratch);

// What a payment of `amount` settles besides the balance: a promise it
// keeps, plan installments it covers (and the plan when all are), VAT
// relief its principal parts make owed again per invoice (art. 29 lid 1
// Wet OB), and the limitation of the invoices it paid, which it
// acknowledges (art. 3:318 BW). Emits the events.
void SettleCommitments(Decider& d, const CaseState& state, int64_t amount,
                       const std::string& payment_id,
                       const std::vector<InvoiceSplit>& splits,
                       absl::CivilDay day);

// LimitationInterrupted (art. 3:317, 3:318 BW) on `on` for the invoices
// that owe something and are not time-barred that day (a time-barred
// invoice is not revived), limited to `only` when given: a written notice
// `letter_id` reaching the debtor, or an acknowledgement `source_id` (a
// payment, promise or plan). The new period runs from the next day (art.
// 3:319). Emits nothing when no invoice qualifies.
void EmitInterruption(Decider& d, const CaseState& state,
                      collections::v1::LimitationGround ground,
                      const std::string& letter_id,
                      const std::string& source_id, absl::CivilDay on,
                      const std::vector<std::string>* only = nullptr);

// After a receipt's reversal: restores the VAT relief that receipt had
// reversed (VatReliefRestored per invoice).
void RestoreVatRelief(Decider& d, const std::string& payment_id);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_DECIDER_H_
