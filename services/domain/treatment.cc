#include "services/domain/treatment.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/domain/debtor_profile.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

// Without a stated term, a ladder letter gets this long to work before the
// next step (the usual 14-day term of a Dutch reminder; policy, README).
constexpr int kDefaultTermDays = 14;

// The last ladder letter sent (undeliverable ones do not count).
const LetterState* LastLadderLetter(const CaseState& state) {
  const LetterState* last = nullptr;
  for (const LetterState& letter : state.letters) {
    if (letter.undeliverable) continue;
    if (letter.level < v1::LETTER_LEVEL_REMINDER ||
        letter.level > v1::LETTER_LEVEL_FINAL_NOTICE)
      continue;
    if (last == nullptr || letter.sent >= last->sent) last = &letter;
  }
  return last;
}

// The first day after the letter's term (its stated term, else the default).
absl::CivilDay AfterTerm(const LetterState& letter) {
  return letter.term_last_day.has_value() ? *letter.term_last_day + 1
                                          : letter.sent + kDefaultTermDays;
}

std::string LetterAction(v1::LetterLevel level) {
  std::string name = v1::LetterLevel_Name(level);
  return absl::StrCat("letter:", name.substr(sizeof("LETTER_LEVEL_") - 1));
}

// The holds that decide the next step whatever the path.
std::optional<std::pair<std::string, std::string>> HoldStep(
    const CaseState& state) {
  auto source = [&](v1::CaseHold hold) {
    const v1::DebtorFact* fact = DebtorHoldFact(state.debtor, hold);
    return fact == nullptr
               ? std::string()
               : absl::StrCat(" (debtor event ", fact->event_id(), ")");
  };
  if (state.HasHold(v1::CASE_HOLD_INSOLVENCY)) {
    return std::make_pair(
        std::string("file_claim_with_administrator"),
        absl::StrCat("the debtor is insolvent",
                     source(v1::CASE_HOLD_INSOLVENCY),
                     ": collection is stayed; file the claim with the "
                     "administrator or trustee"));
  }
  if (state.HasHold(v1::CASE_HOLD_DECEASED)) {
    return std::make_pair(
        std::string("contact_estate"),
        absl::StrCat("the debtor is deceased", source(v1::CASE_HOLD_DECEASED),
                     ": claim against the estate"));
  }
  if (state.HasHold(v1::CASE_HOLD_LAWYER_REPRESENTED)) {
    return std::make_pair(std::string("contact_representative"),
                          absl::StrCat("the debtor is represented",
                                       source(v1::CASE_HOLD_LAWYER_REPRESENTED),
                                       ": deal with the representative only"));
  }
  if (state.HasHold(v1::CASE_HOLD_CEASE_COMMUNICATION)) {
    return std::make_pair(
        std::string("send_termination_or_remedy_notice"),
        absl::StrCat("the debtor asked that communication cease",
                     source(v1::CASE_HOLD_CEASE_COMMUNICATION),
                     ": only a notice that efforts end or of a remedy may "
                     "go out (Reg F 12 CFR 1006.6(c)(1))"));
  }
  if (state.HasHold(v1::CASE_HOLD_DISPUTE)) {
    return std::make_pair(std::string("resolve_dispute"),
                          std::string("a dispute is open: resolve it before "
                                      "collecting the disputed part"));
  }
  return std::nullopt;
}

}  // namespace

const TreatmentPath& TreatmentOf(const CaseState& state, const RulePack& pack) {
  return pack.TreatmentFor(state.debtor.segment().kind());
}

std::string TreatmentLabel(const TreatmentPath& path) {
  return absl::StrCat(path.segment.empty() ? "default" : path.segment, ":",
                      path.name);
}

bool OnHardshipHold(const CaseState& state, const RulePack& pack) {
  return !state.debtor.segment().kind().empty() &&
         TreatmentOf(state, pack).hardship_hold;
}

std::optional<NextStep> NextBestAction(const CaseState& state) {
  if (!state.exists || state.stage == CaseStage::kClosed) return std::nullopt;
  if (state.HasHold(v1::CASE_HOLD_PLACED_WITH_AGENCY) ||
      state.open_promise.has_value() ||
      (state.plan.has_value() && state.plan->active()))
    return std::nullopt;  // the agency, the promise check, the installments
  const RulePack* pack =
      FindRulePack(state.rule_pack, state.DayOf(state.last_activity_at));
  if (pack == nullptr) return std::nullopt;
  const TreatmentPath& path = TreatmentOf(state, *pack);

  NextStep step;
  step.path = TreatmentLabel(path);
  step.segment = state.debtor.segment().kind();
  // From the latest act on the case or the segment's assignment.
  absl::Time now_due = state.last_activity_at;
  if (state.debtor.segment().has_recorded_at()) {
    now_due = std::max(now_due, ToTime(state.debtor.segment().recorded_at()));
  }
  step.due_at = now_due;
  const auto due_on = [&](absl::CivilDay day) {
    return std::max(now_due, absl::FromCivil(day, state.zone));
  };

  if (auto hold = HoldStep(state)) {
    step.action = hold->first;
    step.reason = hold->second;
    return step;
  }
  if (state.outstanding_minor() <= 0) {
    for (const InvoiceState& invoice : state.invoices) {
      if (invoice.vat_relief_due && !invoice.vat_relief_claimed &&
          pack->vat_relief) {
        step.action = "claim_vat_relief";
        step.reason = absl::StrCat("invoice ", invoice.number(),
                                   " is written off: reclaim its VAT (art. 29 "
                                   "Wet OB)");
        return step;
      }
    }
    step.action = "close_case";
    step.reason = "nothing is owed any more";
    return step;
  }
  if (state.stage == CaseStage::kOpen) {
    // The seed's first step: a friendly reminder a week before the due date.
    bool reminded = false;
    std::optional<absl::CivilDay> earliest;
    for (const LetterState& letter : state.letters)
      reminded = reminded || letter.level == v1::LETTER_LEVEL_PRE_DUE_REMINDER;
    for (const InvoiceState& invoice : state.invoices) {
      if (invoice.owed.total() > 0 && (!earliest || invoice.due < *earliest))
        earliest = invoice.due;
    }
    if (reminded || !earliest.has_value()) return std::nullopt;
    step.action = LetterAction(v1::LETTER_LEVEL_PRE_DUE_REMINDER);
    step.reason = absl::StrCat(
        "a friendly reminder a week before the due "
        "date ",
        absl::FormatCivilTime(*earliest));
    step.due_at = due_on(*earliest - 7);
    return step;
  }

  const v1::LetterLevel demand = pack->fourteen_day_letter
                                     ? v1::LETTER_LEVEL_FOURTEEN_DAY
                                     : v1::LETTER_LEVEL_DUNNING;
  const LetterState* last = LastLadderLetter(state);
  switch (path.kind) {
    case TreatmentKind::kStopAndWriteOff:
      step.action = "write_off";
      step.reason = absl::StrCat(
          "segment ", step.segment,
          ": neither able nor willing to pay; stop collecting, write off ",
          state.outstanding_minor(), " ", state.currency,
          " and reclaim the VAT");
      return step;
    case TreatmentKind::kPlanAndHardship:
      step.action = "offer_payment_plan";
      step.reason =
          absl::StrCat("segment ", step.segment,
                       ": wants to pay but cannot; offer a payment plan over ",
                       state.collectable_minor(), " ", state.currency,
                       " (final notice and agency are on hardship hold)");
      return step;
    case TreatmentKind::kFastEscalation:
    case TreatmentKind::kLadder: {
      const bool fast = path.kind == TreatmentKind::kFastEscalation;
      const std::string who =
          fast ? absl::StrCat("segment ", step.segment,
                              ": can pay but won't; escalate without delay")
               : std::string("the dunning ladder");
      switch (state.stage) {
        case CaseStage::kOverdue:
          step.action = LetterAction(fast ? demand : v1::LETTER_LEVEL_REMINDER);
          step.reason = absl::StrCat(who, ": the case is overdue");
          return step;
        case CaseStage::kReminded:
          step.action = LetterAction(demand);
          step.reason = absl::StrCat(who, ": the reminder was sent");
          if (!fast && last != nullptr) step.due_at = due_on(AfterTerm(*last));
          return step;
        case CaseStage::kDunned:
          step.action = LetterAction(v1::LETTER_LEVEL_FINAL_NOTICE);
          step.reason = absl::StrCat(who, ": the demand's term lapses");
          if (last != nullptr) step.due_at = due_on(AfterTerm(*last));
          return step;
        case CaseStage::kFinalNotice:
          step.action = "hand_to_agency";
          step.reason = absl::StrCat(who, ": the final notice's term lapses");
          if (last != nullptr) step.due_at = due_on(AfterTerm(*last));
          return step;
        default:
          return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace collections::domain
