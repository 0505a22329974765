// Decide: calls, letters and letter outcomes (case_decisions.h).
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/decider.h"
#include "services/domain/dutch_collection_costs.h"
#include "services/domain/letter_deadlines.h"
#include "services/domain/money_rules.h"

namespace collections::domain {
namespace {

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The stage a letter of `level` moves the ladder to, when it moves it.
CaseStage LadderStageAfter(v1::LetterLevel level) {
  switch (level) {
    case v1::LETTER_LEVEL_REMINDER:
      return CaseStage::kReminded;
    case v1::LETTER_LEVEL_DUNNING:
    case v1::LETTER_LEVEL_FOURTEEN_DAY:
      return CaseStage::kDunned;
    case v1::LETTER_LEVEL_FINAL_NOTICE:
      return CaseStage::kFinalNotice;
    default:
      return CaseStage::kOpen;
  }
}

bool OnTheLadder(CaseStage stage) { return stage <= CaseStage::kFinalNotice; }

// The channel name of a letter that reaches the person at once ("email",
// "text", "portal"); empty for post.
std::string ElectronicChannel(v1::LetterChannel channel) {
  switch (channel) {
    case v1::LETTER_CHANNEL_EMAIL:
      return "email";
    case v1::LETTER_CHANNEL_TEXT:
      return "text";
    case v1::LETTER_CHANNEL_PORTAL:
      return "portal";
    default:
      return "";
  }
}

// The ladder's own order and the holds that suppress collection letters.
absl::Status CheckLetterAllowed(Decider& d, const v1::LetterIssued& letter) {
  const CaseState& state = d.state();
  const v1::LetterLevel level = letter.level();
  if (level == v1::LETTER_LEVEL_FOURTEEN_DAY && !d.pack().fourteen_day_letter) {
    return RuleRefusal(rules::kNotInRulePack,
                       absl::StrCat("the 14-day letter belongs to Dutch "
                                    "consumer cases; this case's pack is ",
                                    d.pack().id));
  }
  if (level == v1::LETTER_LEVEL_VALIDATION_NOTICE &&
      !d.pack().validation_notice) {
    return RuleRefusal(rules::kNotInRulePack,
                       absl::StrCat("validation notices belong to Regulation "
                                    "F cases; this case's pack is ",
                                    d.pack().id));
  }
  if (level == v1::LETTER_LEVEL_PRE_DUE_REMINDER) {
    // A friendly reminder before the due date, not a collection letter.
    return d.Require(state.stage == CaseStage::kOpen, rules::kAlreadyOverdue,
                     "an invoice of the case is overdue: send a reminder "
                     "(LETTER_LEVEL_REMINDER) instead of a pre-due one");
  }
  if (level != v1::LETTER_LEVEL_VALIDATION_NOTICE) {
    COLLECTIONS_RETURN_IF_ERROR(d.Require(
        state.stage != CaseStage::kOpen, rules::kNotOverdue,
        "no invoice of the case is overdue yet: a collection letter would be "
        "premature"));
  }
  if (level == v1::LETTER_LEVEL_FINAL_NOTICE) {
    COLLECTIONS_RETURN_IF_ERROR(d.Require(
        !(state.plan.has_value() && state.plan->active()), rules::kPlanActive,
        absl::StrCat("payment plan ",
                     state.plan.has_value() ? state.plan->agreed.plan_id() : "",
                     " is running: a final notice needs it defaulted")));
    COLLECTIONS_RETURN_IF_ERROR(
        d.Require(state.stage >= CaseStage::kDunned, rules::kLadderOrder,
                  "a final notice follows a dunning or 14-day letter"));
  }
  return absl::OkStatus();
}

}  // namespace

DecisionOr DecideLogCalls(
    const CaseState& state,
    const google::protobuf::RepeatedPtrField<v1::CallLogged>& calls,
    const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  std::vector<PastCall> history = state.recent_calls;
  for (const v1::CallLogged& call : calls) {
    const PastCall past = PastCallOf(call, input.at);
    if (call.has_consent_until()) {
      // 1006.14(b)(3)(i): consent given directly lasts at most 7 days.
      const absl::Time from = call.has_consent_given_at()
                                  ? ToTime(call.consent_given_at())
                                  : past.at;
      if (ToTime(call.consent_until()) > from + kConsentLasts) {
        return absl::InvalidArgumentError(
            "call.consent_until is more than 7 days after the consent was "
            "given (call.consent_given_at, else the call): consent to more "
            "calls lasts at most 7 days (12 CFR 1006.14(b)(3)(i))");
      }
    }
    if (call.direction() == v1::CALL_DIRECTION_OUTBOUND) {
      absl::TimeZone zone;
      if (!absl::LoadTimeZone(call.time_zone(), &zone)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "call.time_zone \"", call.time_zone(),
            "\" is not an IANA time zone such as \"Europe/Amsterdam\""));
      }
      Block block = InHouseContactBlock(state, d.pack());
      if (block.rule.empty())
        block = ValidationOverdueBlock(state, d.pack(), d.today());
      if (!block.rule.empty() && !d.Overridden(block.rule)) {
        d.Suppress("phone", call.contact_point_id(), block.rule, block.reason,
                   absl::InfinitePast());
        continue;
      }
      // Consent lifts the frequency limits only, never the window.
      if (d.pack().contact_limits.has_value()) {
        const ContactDecision decision =
            CheckCallAttempt(past.at, zone, history, *d.pack().contact_limits,
                             past.with_consent);
        if (!decision.allowed && !d.Overridden(decision.rule)) {
          d.Suppress("phone", call.contact_point_id(), decision.rule,
                     decision.reason, decision.next_allowed);
          continue;
        }
      }
    }
    history.push_back(past);
    v1::EventPayload payload;
    *payload.mutable_call_logged() = call;
    d.Emit(std::move(payload));
  }
  return d.Finish();
}

DecisionOr DecideIssueLetter(const CaseState& state,
                             const v1::LetterIssued& letter,
                             const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(
      d.CheckCurrency("letter.amount_stated", letter.amount_stated()));
  if (state.FindLetter(letter.letter_id()) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "letter ", letter.letter_id(), " was issued before; use a new id"));
  }
  COLLECTIONS_RETURN_IF_ERROR(CheckLetterAllowed(d, letter));

  // Holds that suppress contact: recorded as evidence, then refused. An
  // overdue validation notice blocks every letter but itself.
  Block block = InHouseContactBlock(state, d.pack());
  if (block.rule.empty() &&
      letter.level() != v1::LETTER_LEVEL_VALIDATION_NOTICE)
    block = ValidationOverdueBlock(state, d.pack(), d.today());
  if (!block.rule.empty() && !d.Overridden(block.rule)) {
    d.Suppress("letter", "", block.rule, block.reason, absl::InfinitePast());
    return d.Finish();
  }
  // The local time window binds every channel that reaches the person at
  // once (1006.6(b)(1)): e-mail, text and portal messages as calls.
  const std::string electronic = ElectronicChannel(letter.channel());
  if (!electronic.empty() && d.pack().contact_limits.has_value()) {
    const ContactDecision window =
        CheckContactWindow(d.at(), state.zone, *d.pack().contact_limits);
    if (!window.allowed) {
      d.Suppress(electronic, "", window.rule, window.reason,
                 window.next_allowed);
      return d.Finish();
    }
  }
  const bool escalates = letter.level() == v1::LETTER_LEVEL_DUNNING ||
                         letter.level() == v1::LETTER_LEVEL_FOURTEEN_DAY ||
                         letter.level() == v1::LETTER_LEVEL_FINAL_NOTICE;
  if (escalates && state.open_promise.has_value() &&
      !d.Overridden(rules::kActivePromise)) {
    const auto& promised = state.open_promise->made.promised_date();
    d.Suppress("letter", "", rules::kActivePromise,
               absl::StrCat("promise ", state.open_promise->made.promise_id(),
                            " to pay by ", Day(ToCivilDay(promised)),
                            " suppresses dunning until it is kept or broken"),
               absl::InfinitePast());
    return d.Finish();
  }

  const int64_t collectable = state.collectable_minor();
  if (letter.amount_stated().amount_minor() > collectable) {
    if (state.disputed_minor() > 0) {
      return RuleRefusal(
          rules::kDisputeHold,
          absl::StrCat("the letter states ",
                       letter.amount_stated().amount_minor(), " but only ",
                       collectable,
                       " is undisputed; the disputed part is on hold"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "letter.amount_stated ", letter.amount_stated().amount_minor(),
        " is above the balance of ", collectable));
  }

  v1::EventPayload payload;
  v1::LetterIssued* issued = payload.mutable_letter_issued();
  *issued = letter;
  COLLECTIONS_ASSIGN_OR_RETURN(
      const absl::CivilDay receipt,
      AssumedReceipt(d.today(), d.pack().letter_receipt));
  *issued->mutable_assumed_receipt() = ToLocalDate(receipt);
  // The claims the letter states: the open invoices; a 14-day letter only
  // those without costs yet (costs are owed per claim, art. 6:96 BW).
  int64_t letter_principal = 0;
  issued->clear_invoice_numbers();
  for (const auto& invoice : state.invoices) {
    if (invoice.owed.principal <= 0) continue;
    if (letter.level() == v1::LETTER_LEVEL_FOURTEEN_DAY &&
        invoice.costs_assessed_minor > 0)
      continue;
    issued->add_invoice_numbers(invoice.number());
    letter_principal += invoice.owed.principal;
  }
  if (letter.level() == v1::LETTER_LEVEL_FOURTEEN_DAY) {
    // Art. 6:96 lid 6 BW: the letter states the costs the scale gives over
    // the undisputed principal of its claims, and a term of 14 days after
    // receipt.
    const int64_t principal =
        std::max<int64_t>(0, letter_principal - state.disputed_minor());
    bool repeat = false;
    const int64_t costs =
        ConsumerCostsMinor(state, d.pack(), principal, d.today(), &repeat);
    if (letter.has_costs_stated() &&
        letter.costs_stated().amount_minor() != costs) {
      return RuleRefusal(
          rules::kStateCosts,
          absl::StrCat("the 14-day letter must state the collection costs of ",
                       costs, " (scale over a principal of ", principal,
                       "), not ", letter.costs_stated().amount_minor()));
    }
    *issued->mutable_costs_stated() = d.Money(costs);
    COLLECTIONS_ASSIGN_OR_RETURN(const FourteenDayTerm term,
                                 DutchFourteenDayTerm(receipt));
    if (letter.has_deadline() &&
        ToCivilDay(letter.deadline()) < term.last_day) {
      return RuleRefusal(
          rules::kFourteenDayLetter,
          absl::StrCat("the 14-day letter's deadline ",
                       Day(ToCivilDay(letter.deadline())),
                       " is before the lawful last day ", Day(term.last_day),
                       " (14 days from the day after receipt on ", Day(receipt),
                       ")"));
    }
    *issued->mutable_term_last_day() = ToLocalDate(term.last_day);
    if (!letter.has_deadline())
      *issued->mutable_deadline() = ToLocalDate(term.last_day);
  } else if (letter.level() == v1::LETTER_LEVEL_VALIDATION_NOTICE) {
    *issued->mutable_term_last_day() =
        ToLocalDate(ValidationPeriodEnd(receipt));
  } else if (letter.has_deadline()) {
    *issued->mutable_term_last_day() = letter.deadline();
  }
  d.Emit(std::move(payload));

  const CaseStage target = LadderStageAfter(letter.level());
  if (OnTheLadder(d.stage()) && target > d.stage()) {
    d.MoveTo(target, absl::StrCat(v1::LetterLevel_Name(letter.level()), " ",
                                  letter.letter_id(), " sent"));
  }
  // A written notice interrupts limitation from the day it reaches the
  // debtor (art. 3:317 and 3:37 lid 3 BW): the pack's assumed receipt until
  // a delivery says otherwise; undeliverable, it interrupted nothing.
  // A reminder before the due date demands nothing yet.
  if (d.pack().letters_interrupt_limitation &&
      letter.level() != v1::LETTER_LEVEL_VALIDATION_NOTICE &&
      letter.level() != v1::LETTER_LEVEL_PRE_DUE_REMINDER) {
    EmitInterruption(d, state, v1::LIMITATION_GROUND_WRITTEN_NOTICE,
                     letter.letter_id(), "", receipt);
  }
  return d.Finish();
}

DecisionOr DecideLetterOutcome(const CaseState& state,
                               const LetterOutcome& outcome,
                               const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.BeginAllowingClosed());
  v1::EventPayload payload;
  if (const auto* reported = std::get_if<v1::LetterDelivered>(&outcome)) {
    const LetterState* letter = state.FindLetter(reported->letter_id());
    if (letter == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("letter ", reported->letter_id(), " was not issued"));
    }
    v1::LetterDelivered* delivered = payload.mutable_letter_delivered();
    *delivered = *reported;
    const absl::CivilDay receipt = ToCivilDay(reported->delivered_on());
    if (receipt < letter->sent) {
      return absl::InvalidArgumentError(absl::StrCat(
          "delivered_on ", Day(receipt), " is before the letter was sent on ",
          Day(letter->sent)));
    }
    if (letter->level == v1::LETTER_LEVEL_FOURTEEN_DAY) {
      COLLECTIONS_ASSIGN_OR_RETURN(const FourteenDayTerm term,
                                   DutchFourteenDayTerm(receipt));
      *delivered->mutable_term_last_day() = ToLocalDate(term.last_day);
    } else if (letter->level == v1::LETTER_LEVEL_VALIDATION_NOTICE) {
      *delivered->mutable_term_last_day() =
          ToLocalDate(ValidationPeriodEnd(receipt));
    }
    d.Emit(std::move(payload));
    // Reached on `receipt`: the interruption runs from that day.
    if (d.pack().letters_interrupt_limitation && !letter->undeliverable &&
        letter->level != v1::LETTER_LEVEL_VALIDATION_NOTICE) {
      EmitInterruption(d, state, v1::LIMITATION_GROUND_WRITTEN_NOTICE,
                       letter->letter_id, "", receipt);
    }
    return d.Finish();
  } else {
    const auto& undeliverable = std::get<v1::LetterUndeliverable>(outcome);
    if (state.FindLetter(undeliverable.letter_id()) == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          "letter ", undeliverable.letter_id(), " was not issued"));
    }
    *payload.mutable_letter_undeliverable() = undeliverable;
  }
  d.Emit(std::move(payload));
  return d.Finish();
}

}  // namespace collections::domain
