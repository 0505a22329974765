// Decide: calls, letters and letter outcomes (case_decisions.h).
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_zones.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/debtor_profile.h"
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

// The restriction scope a letter on `channel` falls under.
std::string LetterScope(v1::LetterChannel channel) {
  const std::string electronic = ElectronicChannel(channel);
  return electronic.empty() ? "postal" : electronic;
}

// A restriction the debtor placed on one channel (debtor_profile.h), as a
// block on contact by that channel.
Block ChannelBlock(const CaseState& state, absl::string_view scope) {
  const v1::DebtorFact* restriction = ChannelRestriction(state.debtor, scope);
  if (restriction == nullptr) return {};
  return {rules::kChannelRestricted,
          absl::StrCat("debtor ", state.debtor_id,
                       " asked not to be contacted by ", scope, " (",
                       DescribeDebtorFact(*restriction,
                                          "communication "
                                          "restricted"),
                       "); use another channel")};
}

// Every zone the person may be in: `first`, the caller's candidates and
// the zone recorded on the debtor (1006.6(b)(1)). INVALID_ARGUMENT naming
// a candidate that is no IANA zone.
absl::StatusOr<std::vector<absl::TimeZone>> CandidateZones(
    const CaseState& state, absl::TimeZone first,
    const google::protobuf::RepeatedPtrField<std::string>& candidates,
    absl::string_view field) {
  std::vector<absl::TimeZone> zones = {first};
  auto add = [&](const std::string& name) -> absl::Status {
    absl::TimeZone zone;
    if (!LoadKnownTimeZone(name, &zone)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " \"", name,
                       "\" is not an IANA time zone such as "
                       "\"America/Chicago\""));
    }
    if (std::find(zones.begin(), zones.end(), zone) == zones.end())
      zones.push_back(zone);
    return absl::OkStatus();
  };
  for (const std::string& name : candidates)
    COLLECTIONS_RETURN_IF_ERROR(add(name));
  if (!state.debtor.time_zone().empty())
    COLLECTIONS_RETURN_IF_ERROR(add(state.debtor.time_zone()));
  return zones;
}

// Reg F 1006.6(c)(1): what may still be sent after a request to cease.
bool PermittedAfterCease(v1::LetterLevel level) {
  return level == v1::LETTER_LEVEL_TERMINATION_NOTICE ||
         level == v1::LETTER_LEVEL_REMEDY_NOTICE;
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
    COLLECTIONS_RETURN_IF_ERROR(RequireNoHardshipHold(d));
    // A final notice threatens legal steps, which a time-barred claim no
    // longer allows (art. 3:307 BW; Reg F 12 CFR 1006.26(b)).
    for (const auto& invoice : state.invoices) {
      if (invoice.owed.total() > 0 && TimeBarredOn(invoice, d.today())) {
        return RuleRefusal(
            rules::kTimeBarred,
            absl::StrCat("invoice ", invoice.number(), " is time-barred since ",
                         Day(invoice.limitation_deadline + 1),
                         ": a final notice may not threaten legal steps on "
                         "it"));
      }
    }
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
    PastCall past = PastCallOf(call, input.at);
    v1::CallLogged logged = call;
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
      if (!LoadKnownTimeZone(call.time_zone(), &zone)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "call.time_zone \"", call.time_zone(),
            "\" is not an IANA time zone such as \"Europe/Amsterdam\""));
      }
      Block block = InHouseContactBlock(state, d.pack());
      if (block.rule.empty()) block = ChannelBlock(state, "phone");
      if (block.rule.empty())
        block = ValidationOverdueBlock(state, d.pack(), d.today());
      if (!block.rule.empty() && !d.Overridden(block.rule)) {
        d.Suppress("phone", call.contact_point_id(), block.rule, block.reason,
                   absl::InfinitePast());
        continue;
      }
      // A consent recorded on the debtor covers the call as one the call
      // states: recorded on the call, so the fold counts it the same way.
      if (!past.with_consent && DebtorConsentCovers(state.debtor, past.at)) {
        *logged.mutable_consent_given_at() = state.debtor.consent_given_at();
        *logged.mutable_consent_until() = state.debtor.consent_until();
        past.with_consent = true;
      }
      // Consent lifts the frequency limits only, never the window, which
      // must hold in every zone the person may be in.
      if (d.pack().contact_limits.has_value()) {
        COLLECTIONS_ASSIGN_OR_RETURN(
            const std::vector<absl::TimeZone> zones,
            CandidateZones(state, zone, call.candidate_time_zones(),
                           "call.candidate_time_zones"));
        ContactDecision decision =
            CheckCallAttempt(past.at, zone, history, *d.pack().contact_limits,
                             past.with_consent);
        if (decision.allowed) {
          decision = CheckContactWindowInEvery(past.at, zones,
                                               *d.pack().contact_limits);
        }
        if (!decision.allowed && !d.Overridden(decision.rule)) {
          d.Suppress("phone", call.contact_point_id(), decision.rule,
                     decision.reason, decision.next_allowed);
          continue;
        }
      }
    }
    history.push_back(past);
    v1::EventPayload payload;
    *payload.mutable_call_logged() = std::move(logged);
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
  // After a request to cease, the notices 1006.6(c)(1) permits still go.
  Block block = InHouseContactBlock(state, d.pack());
  if (block.rule == rules::kCeaseCommunication &&
      PermittedAfterCease(letter.level()))
    block = {};
  if (block.rule.empty())
    block = ChannelBlock(state, LetterScope(letter.channel()));
  if (block.rule.empty() &&
      letter.level() != v1::LETTER_LEVEL_VALIDATION_NOTICE)
    block = ValidationOverdueBlock(state, d.pack(), d.today());
  if (!block.rule.empty() && !d.Overridden(block.rule)) {
    d.Suppress("letter", "", block.rule, block.reason, absl::InfinitePast());
    return d.Finish();
  }
  // The local time window binds every channel that reaches the person at
  // once (1006.6(b)(1)): e-mail, text and portal messages as calls, in
  // every zone the person may be in.
  const std::string electronic = ElectronicChannel(letter.channel());
  if (!electronic.empty() && d.pack().contact_limits.has_value()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        const std::vector<absl::TimeZone> zones,
        CandidateZones(state, state.zone, letter.candidate_time_zones(),
                       "letter.candidate_time_zones"));
    const ContactDecision window =
        CheckContactWindowInEvery(d.at(), zones, *d.pack().contact_limits);
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
  // Nor does a notice that efforts are terminated.
  if (d.pack().letters_interrupt_limitation &&
      letter.level() != v1::LETTER_LEVEL_VALIDATION_NOTICE &&
      letter.level() != v1::LETTER_LEVEL_PRE_DUE_REMINDER &&
      letter.level() != v1::LETTER_LEVEL_TERMINATION_NOTICE) {
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
