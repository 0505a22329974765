// Rule packs (domain.md §3): the rules a case is judged by, selected per case
// by its `rule_pack` id and, within a pack, by the day of the act
// (effective-dated versions). Every number a rule uses lives here, not in
// the deciding code.
//
// Packs:
//   nl-consumer  Dutch consumer: 14-day letter before collection costs, the
//                BIK scale, consumer statutory interest, 2/5-year limitation.
//   nl-business  Dutch business: €40 fixed costs once overdue, commercial
//                interest, 5-year limitation.
//   us-regf      US third-party collector under Regulation F: contact window
//                and call frequency, validation notice, written disputes stop
//                collection until verified.
//   none         No statutory rules; the ladder and holds still apply.
//
// Pure; thread safe (the tables are immutable).
#ifndef COLLECTIONS_SERVICES_DOMAIN_RULE_PACKS_H_
#define COLLECTIONS_SERVICES_DOMAIN_RULE_PACKS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/balances.h"
#include "services/domain/contact_rules.h"
#include "services/domain/letter_deadlines.h"

namespace collections::domain {

enum class CostsRule {
  kNone,                // no collection costs under this pack
  kDutchConsumerScale,  // BIK scale, after a lapsed 14-day letter
  // Business debtors (art. 6:96 lid 4 BW): the same scale per claim, at
  // least €40 per invoice once its term lapsed, without a reminder; or the
  // contract's costs with their clause.
  kDutchBusinessScale,
};

// Treatment by debtor type (domain.md §3; the seed articles' three types):
// the debtor's segment selects a path, which sets the next best action of
// each case (treatment.h) and whether escalation is on hardship hold.
enum class TreatmentKind {
  kLadder,           // no segment: the dunning ladder step by step
  kFastEscalation,   // can pay but won't: skip the courtesy reminder, final
                     // notice and agency as soon as each term lapses
  kPlanAndHardship,  // wants to but can't: offer a plan; escalation held
  kStopAndWriteOff,  // neither: stop early, write off, reclaim the VAT
};

struct TreatmentPath {
  std::string segment;  // "" for debtors without a segment
  std::string name;     // "fast-escalation": shown with each next action
  TreatmentKind kind = TreatmentKind::kLadder;
  // Final notices and agency placement are refused (TREATMENT_HARDSHIP_HOLD,
  // overridable with a reason) while the debtor is in this segment.
  bool hardship_hold = false;
};

struct RulePack {
  std::string id;       // "nl-consumer"
  std::string version;  // "nl-consumer@2024-10-01": recorded in decisions
  std::string default_time_zone;
  collections::v1::DebtorKind debtor_kind;  // UNSPECIFIED: either kind
  AllocationOrder allocation_order = kDutchAllocationOrder;

  // Contact: limits on calls (nullopt: none), how letters are received.
  std::optional<ContactLimits> contact_limits;
  ReceiptAssumption letter_receipt = kDutchPostReceipt;
  bool fourteen_day_letter = false;  // the 14-day letter exists (NL consumer)
  bool validation_notice = false;    // Reg F 1006.34
  // A written dispute stops collection of the disputed part until
  // verification is sent (Reg F 1006.38).
  bool written_dispute_needs_verification = false;
  // Agencies must show a registration on placement (NL Wki since 2024-04-01).
  bool agency_registration_required = false;

  CostsRule costs = CostsRule::kNone;
  collections::v1::InterestKind interest =
      collections::v1::INTEREST_KIND_UNSPECIFIED;

  // Repeated claims on one consumer (costs rule in force from 1 Oct 2024):
  // costs for a claim assessed within this many months after costs on an
  // earlier claim of the case are computed on the claims' summed principal
  // less the costs already charged (0: off). See README "Collection costs".
  int repeat_claims_lookback_months = 0;

  int limitation_years = 5;
  // Cases of a US state ("US-NY") take the state's period from
  // state_limitation.h instead of limitation_years.
  bool limitation_by_us_state = false;
  int consumer_purchase_limitation_years = 5;
  bool letters_interrupt_limitation = true;
  int limitation_warning_days = 90;
  bool vat_relief = false;  // Dutch VAT relief on bad debts

  uint32_t plan_misses_allowed = 1;  // a missed installment defaults the plan
  int plan_grace_days = 0;

  // Treatment paths by segment; the one with segment "" is the default.
  std::vector<TreatmentPath> treatment_paths;
  // The path for `segment` (the default path for "" or an unknown one).
  const TreatmentPath& TreatmentFor(absl::string_view segment) const;

  // Rules an authorised actor may override with a reason.
  absl::flat_hash_set<std::string> overridable_rules;
};

// The pack `id` in force on `day`; nullptr for an unknown id or a day before
// the pack's first version.
const RulePack* FindRulePack(absl::string_view id, absl::CivilDay day);
// The ids of every pack, for error messages.
std::vector<std::string> RulePackIds();

// Rule names: the reason a command was refused, as FAILED_PRECONDITION
// messages and ContactSuppressedByRule events name them.
namespace rules {
inline constexpr char kCaseClosed[] = "CASE_CLOSED";
inline constexpr char kNotOverdue[] = "NOT_OVERDUE";
inline constexpr char kAlreadyOverdue[] = "ALREADY_OVERDUE";
inline constexpr char kChannelRestricted[] = "DEBTOR_CHANNEL_RESTRICTED";
inline constexpr char kHardshipHold[] = "TREATMENT_HARDSHIP_HOLD";
inline constexpr char kValidationOverdue[] = "REG_F_1006_34_A1_VALIDATION";
inline constexpr char kLadderOrder[] = "LADDER_ORDER";
inline constexpr char kNotInRulePack[] = "NOT_IN_RULE_PACK";
inline constexpr char kPlacedWithAgency[] = "PLACED_WITH_AGENCY";
inline constexpr char kNotPlaced[] = "NOT_PLACED";
inline constexpr char kCeaseCommunication[] = "REG_F_1006_6_C_CEASE";
inline constexpr char kLawyerRepresented[] = "LAWYER_REPRESENTED";
inline constexpr char kInsolvency[] = "INSOLVENCY_STAY";
inline constexpr char kDeceased[] = "DEBTOR_DECEASED";
inline constexpr char kActivePromise[] = "ACTIVE_PROMISE";
inline constexpr char kPromiseOpen[] = "PROMISE_OPEN";
inline constexpr char kDisputeHold[] = "DISPUTE_HOLD";
inline constexpr char kVerificationPending[] = "REG_F_1006_38_VERIFICATION";
inline constexpr char kPlanActive[] = "PLAN_ACTIVE";
inline constexpr char kFourteenDayLetter[] = "NL_BW_6_96_FOURTEEN_DAY_LETTER";
inline constexpr char kStateCosts[] = "NL_BW_6_96_STATE_COSTS";
inline constexpr char kCostsAssessed[] = "COSTS_ALREADY_ASSESSED";
inline constexpr char kTimeBarred[] = "TIME_BARRED";
inline constexpr char kAgencyRegistration[] = "NL_WKI_REGISTRATION";
inline constexpr char kBalanceOutstanding[] = "BALANCE_OUTSTANDING";
inline constexpr char kVatReliefNotDue[] = "NL_VAT_RELIEF_ONE_YEAR";
inline constexpr char kNothingToAccrue[] = "INTEREST_ALREADY_ACCRUED";
inline constexpr char kHoldState[] = "HOLD_STATE";
inline constexpr char kRecallState[] = "RECALL_STATE";
inline constexpr char kPaymentReversed[] = "PAYMENT_ALREADY_REVERSED";
inline constexpr char kAllocationOverBalance[] = "ALLOCATION_OVER_BALANCE";
inline constexpr char kRateTableKnownUntil[] = "RATE_TABLE_KNOWN_UNTIL";
inline constexpr char kVatReturnPeriod[] = "NL_WET_OB_29_RETURN_PERIOD";
inline constexpr char kCostsPerClaim[] = "NL_BW_6_96_COSTS_PER_CLAIM";
}  // namespace rules

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_RULE_PACKS_H_
