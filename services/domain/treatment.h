// Treatment by debtor type: the next best action of a case on the path its
// debtor's segment selects in the rule pack (RulePack::treatment_paths),
// and the hardship hold that path may place on escalation.
//
// Paths (rule_packs.h TreatmentKind; docs/domain.md "Treatment by debtor
// type"):
//   ladder              reminder, dunning (or 14-day letter), final notice,
//                       agency — each once the previous letter's term lapsed
//   fast-escalation     can pay but won't: no courtesy reminder; the final
//                       notice and the agency as soon as each term lapses
//   plan-and-hardship   wants to but can't: offer a payment plan; final
//                       notice and agency held (TREATMENT_HARDSHIP_HOLD)
//   stop-and-write-off  neither: write off, reclaim the VAT, close
// Whatever the path, a hold comes first: an insolvency, a death, a
// representative or a cease names what may still be done; a placement, an
// open promise or a running plan leaves the case to its own work items.
//
// Pure: no clock (the action's due time is derived from the state). Thread
// safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_TREATMENT_H_
#define COLLECTIONS_SERVICES_DOMAIN_TREATMENT_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/domain/case_state.h"
#include "services/domain/rule_packs.h"

namespace collections::domain {

struct NextStep {
  std::string action;   // "letter:REMINDER", "offer_payment_plan", …
  std::string reason;   // why, readable by a person
  std::string path;     // "<segment or default>:<path name>"
  std::string segment;  // the debtor's segment ("" = none)
  absl::Time due_at;    // from when it is the step to take
};

// The case's next step; nullopt for a closed or unknown case, one whose
// rule pack is not in force, or one whose work is elsewhere (placed, an
// open promise, a running plan, nothing left to do).
std::optional<NextStep> NextBestAction(const CaseState& state);

// The path the case is on: its debtor's segment in its rule pack (the
// default path when either is unknown).
const TreatmentPath& TreatmentOf(const CaseState& state, const RulePack& pack);

// "<segment or default>:<path name>".
std::string TreatmentLabel(const TreatmentPath& path);

// Whether escalation (final notice, agency placement) is on hardship hold:
// the debtor's segment selects a path with hardship_hold.
bool OnHardshipHold(const CaseState& state, const RulePack& pack);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_TREATMENT_H_
