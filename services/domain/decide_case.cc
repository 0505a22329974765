// Decide: opening, holds, disputes, placement with an agency and closing
// (case_decisions.h).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/time_zones.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/decider.h"
#include "services/domain/ledger_fold.h"
#include "services/domain/state_limitation.h"

namespace collections::domain {
namespace {

bool IsPlaceableHold(v1::CaseHold hold) {
  return hold == v1::CASE_HOLD_CEASE_COMMUNICATION ||
         hold == v1::CASE_HOLD_LAWYER_REPRESENTED ||
         hold == v1::CASE_HOLD_INSOLVENCY || hold == v1::CASE_HOLD_DECEASED;
}

absl::Status CheckPlacedWith(const CaseState& state,
                             const std::string& agency_id) {
  if (state.agency_id.empty()) {
    return RuleRefusal(rules::kNotPlaced,
                       "the case is not placed with an agency");
  }
  if (state.agency_id != agency_id) {
    return RuleRefusal(rules::kNotPlaced,
                       absl::StrCat("the case is placed with agency ",
                                    state.agency_id, ", not ", agency_id));
  }
  return absl::OkStatus();
}

}  // namespace

DecisionOr DecideOpenCase(const v1::CaseOpened& opened,
                          const CommandInput& input) {
  const RulePack* pack = FindRulePack(
      opened.rule_pack(), absl::ToCivilDay(input.at, absl::UTCTimeZone()));
  if (pack == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("case.rule_pack \"", opened.rule_pack(),
                     "\" is not a rule pack in "
                     "force on that day; one of: ",
                     absl::StrJoin(RulePackIds(), ", ")));
  }
  if (pack->debtor_kind != v1::DEBTOR_KIND_UNSPECIFIED &&
      pack->debtor_kind != opened.debtor_kind()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rule pack ", pack->id, " is for ",
                     v1::DebtorKind_Name(pack->debtor_kind),
                     " debtors, but the case's "
                     "debtor is ",
                     v1::DebtorKind_Name(opened.debtor_kind())));
  }
  const std::string zone_name =
      opened.time_zone().empty() ? pack->default_time_zone : opened.time_zone();
  absl::TimeZone zone;
  if (!LoadKnownTimeZone(zone_name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("case.time_zone \"", zone_name,
                     "\" is not an IANA time zone such as Europe/Amsterdam"));
  }
  // Reg F 1006.26(b): whether a debt is time-barred is the state's law; a
  // state the table does not know, or a day past it, is refused.
  if (pack->limitation_by_us_state &&
      IsUsStateJurisdiction(opened.jurisdiction())) {
    COLLECTIONS_RETURN_IF_ERROR(
        StateLimitationOn(opened.jurisdiction(),
                          absl::ToCivilDay(input.at, zone))
            .status());
  }
  Decision decision;
  v1::EventPayload payload;
  *payload.mutable_case_opened() = opened;
  payload.mutable_case_opened()->set_time_zone(zone_name);
  decision.events.push_back(std::move(payload));
  // Opening an already overdue invoice is a transition too.
  const absl::CivilDay today = absl::ToCivilDay(input.at, zone);
  for (const auto& line : opened.claim_lines()) {
    const absl::CivilDay due = ToCivilDay(line.due_date());
    if (due >= today) continue;
    v1::EventPayload overdue;
    auto* changed = overdue.mutable_case_stage_changed();
    changed->set_from(v1::CASE_STAGE_OPEN);
    changed->set_to(v1::CASE_STAGE_OVERDUE);
    changed->set_reason(absl::StrCat("invoice ", line.invoice_number(),
                                     " was due on ",
                                     absl::FormatCivilTime(due)));
    decision.events.push_back(std::move(overdue));
    break;
  }
  return decision;
}

DecisionOr DecidePlaceHold(const CaseState& state, const v1::HoldPlaced& hold,
                           const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  if (!IsPlaceableHold(hold.hold())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hold.hold ", v1::CaseHold_Name(hold.hold()),
        " is not placed directly: use cease-communication, lawyer, insolvency "
        "or deceased (disputes, promises and placements set their own)"));
  }
  if (state.HasHold(hold.hold())) {
    return RuleRefusal(
        rules::kHoldState,
        absl::StrCat(v1::CaseHold_Name(hold.hold()), " is already in force"));
  }
  v1::EventPayload payload;
  *payload.mutable_hold_placed() = hold;
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideReleaseHold(const CaseState& state,
                             const v1::HoldReleased& release,
                             const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  if (!IsPlaceableHold(release.hold())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "release.hold ", v1::CaseHold_Name(release.hold()),
        " is not released directly: resolve the dispute, settle the promise "
        "or end the placement"));
  }
  if (!state.HasHold(release.hold())) {
    return RuleRefusal(
        rules::kHoldState,
        absl::StrCat(v1::CaseHold_Name(release.hold()), " is not in force"));
  }
  v1::EventPayload payload;
  *payload.mutable_hold_released() = release;
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideRaiseDispute(const CaseState& state,
                              const v1::DisputeRaised& dispute,
                              const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  for (const auto& open : state.open_disputes) {
    if (open.dispute_id == dispute.dispute_id()) {
      return absl::AlreadyExistsError(
          absl::StrCat("dispute ", dispute.dispute_id(), " is already open"));
    }
  }
  // The disputed part: as stated, else the named invoices, else everything.
  int64_t amount = 0;
  if (dispute.has_disputed_amount()) {
    COLLECTIONS_RETURN_IF_ERROR(
        d.CheckCurrency("dispute.disputed_amount", dispute.disputed_amount()));
    amount = dispute.disputed_amount().amount_minor();
  } else if (!dispute.invoice_numbers().empty()) {
    for (const auto& number : dispute.invoice_numbers()) {
      const InvoiceState* invoice = state.FindInvoice(number);
      if (invoice == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "dispute.invoice_numbers: ", number, " is not on this case"));
      }
      amount += invoice->line.gross().amount_minor();
    }
  } else {
    amount = state.outstanding_minor();
  }
  amount = std::min(amount, state.outstanding_minor());
  v1::EventPayload payload;
  *payload.mutable_dispute_raised() = dispute;
  *payload.mutable_dispute_raised()->mutable_disputed_amount() =
      d.Money(amount);
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideResolveDispute(const CaseState& state,
                                const v1::DisputeResolved& resolution,
                                const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  for (const auto& open : state.open_disputes) {
    if (open.dispute_id != resolution.dispute_id()) continue;
    if (resolution.has_amount_dropped()) {
      COLLECTIONS_RETURN_IF_ERROR(d.CheckCurrency("resolution.amount_dropped",
                                                  resolution.amount_dropped()));
    }
    const int64_t dropped = resolution.amount_dropped().amount_minor();
    if (dropped > open.amount_minor || dropped > state.owed.principal) {
      return absl::InvalidArgumentError(
          absl::StrCat("resolution.amount_dropped ", dropped,
                       " is above the disputed amount ", open.amount_minor,
                       " or the principal owed ", state.owed.principal));
    }
    if (resolution.outcome() == v1::DISPUTE_OUTCOME_REJECTED && dropped > 0) {
      return absl::InvalidArgumentError(
          "a rejected dispute drops nothing: amount_dropped must be zero");
    }
    v1::EventPayload payload;
    *payload.mutable_dispute_resolved() = resolution;
    *payload.mutable_dispute_resolved()->mutable_amount_dropped() =
        d.Money(dropped);
    d.Emit(std::move(payload));
    return d.Finish();
  }
  return absl::NotFoundError(absl::StrCat("dispute ", resolution.dispute_id(),
                                          " is not open on this case"));
}

DecisionOr DecideSendVerification(const CaseState& state,
                                  const v1::VerificationSent& verification,
                                  const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  for (const auto& open : state.open_disputes) {
    if (open.dispute_id != verification.dispute_id()) continue;
    if (open.verification_sent) {
      return absl::AlreadyExistsError(absl::StrCat(
          "verification for dispute ", open.dispute_id, " was sent already"));
    }
    v1::EventPayload payload;
    *payload.mutable_verification_sent() = verification;
    d.Emit(std::move(payload));
    return d.Finish();
  }
  return absl::NotFoundError(absl::StrCat("dispute ", verification.dispute_id(),
                                          " is not open on this case"));
}

DecisionOr DecideHandToAgency(const CaseState& state,
                              const v1::HandedToAgency& placement,
                              const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  if (!state.agency_id.empty()) {
    return RuleRefusal(rules::kPlacedWithAgency,
                       absl::StrCat("the case is already placed with agency ",
                                    state.agency_id));
  }
  for (v1::CaseHold hold : {v1::CASE_HOLD_INSOLVENCY, v1::CASE_HOLD_DECEASED}) {
    if (state.HasHold(hold)) {
      return RuleRefusal(
          hold == v1::CASE_HOLD_INSOLVENCY ? rules::kInsolvency
                                           : rules::kDeceased,
          "the case cannot be handed to an agency while this hold lasts");
    }
  }
  if (!state.open_disputes.empty()) {
    return RuleRefusal(
        rules::kDisputeHold,
        absl::StrCat("dispute ", state.open_disputes.front().dispute_id,
                     " is open: resolve it before handing over"));
  }
  if (d.pack().agency_registration_required &&
      placement.agency_registration().empty()) {
    return RuleRefusal(
        rules::kAgencyRegistration,
        "Dutch collection agencies must be registered (Wki, "
        "since 2024-04-01): state placement.agency_registration");
  }
  const bool legal = placement.placement_type() == v1::PLACEMENT_TYPE_LEGAL ||
                     placement.placement_type() == v1::PLACEMENT_TYPE_BAILIFF;
  if (legal) {
    for (const auto& invoice : state.invoices) {
      if (invoice.owed.total() > 0 && TimeBarredOn(invoice, d.today())) {
        return RuleRefusal(
            rules::kTimeBarred,
            absl::StrCat("invoice ", invoice.line.invoice_number(),
                         " is time-barred since ",
                         absl::FormatCivilTime(invoice.limitation_deadline + 1),
                         ": no legal step may be taken on it"));
      }
    }
  }
  COLLECTIONS_RETURN_IF_ERROR(d.Require(
      !(state.plan.has_value() && state.plan->active()), rules::kPlanActive,
      "a payment plan is running: hand over only after it defaults"));
  COLLECTIONS_RETURN_IF_ERROR(RequireNoHardshipHold(d));
  COLLECTIONS_RETURN_IF_ERROR(
      d.Require(state.stage >= CaseStage::kFinalNotice, rules::kLadderOrder,
                "a case is handed to an agency after a final notice"));
  v1::EventPayload payload;
  *payload.mutable_handed_to_agency() = placement;
  d.Emit(std::move(payload));
  d.MoveTo(legal ? CaseStage::kLegal : CaseStage::kPlaced,
           absl::StrCat("handed to agency ", placement.agency_id()));
  return d.Finish();
}

DecisionOr DecideRecallFromAgency(const CaseState& state,
                                  const v1::RecallRequested& recall,
                                  const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, recall.agency_id()));
  if (state.recall_requested && !recall.final()) {
    return RuleRefusal(rules::kRecallState,
                       "a recall is already pending (a final recall may "
                       "still be made)");
  }
  v1::EventPayload payload;
  *payload.mutable_recall_requested() = recall;
  d.Emit(std::move(payload));
  if (recall.final()) {
    // Back in-house at once: the placement hold ends with the agency id,
    // so in-house contact is allowed again.
    v1::EventPayload completed;
    completed.mutable_recall_completed()->set_agency_id(recall.agency_id());
    d.Emit(std::move(completed));
    d.MoveTo(state.stage_before_placement, "final recall: back in-house");
  }
  return d.Finish();
}

namespace {

// The split of an agency's payment: the agency's own when it states one
// (its parts must add up to the amount and fit each bucket), else the rule
// pack's allocation order.
absl::StatusOr<std::vector<InvoiceSplit>> AgencyAllocation(
    const Decider& d, const CaseState& state,
    const v1::AgencyPaymentReported& reported) {
  const int64_t amount = reported.amount().amount_minor();
  if (!reported.has_allocation()) {
    // Art. 6:43/6:44 BW over the invoice ledger, as for a payment in-house.
    return AllocatePayment(state.invoices, state.unattributed, amount, "",
                           reported.has_value_date()
                               ? ToCivilDay(reported.value_date())
                               : d.today(),
                           d.pack().allocation_order)
        .invoices;
  }
  const v1::Allocation& stated = reported.allocation();
  const std::pair<const char*, const v1::Money*> parts[] = {
      {"costs", &stated.costs()},
      {"interest", &stated.interest()},
      {"principal", &stated.principal()},
      {"fees", &stated.fees()}};
  for (const auto& [name, money] : parts) {
    if (money->currency().empty() && money->amount_minor() == 0) continue;
    COLLECTIONS_RETURN_IF_ERROR(
        d.CheckCurrency(absl::StrCat("payment.allocation.", name), *money));
    if (money->amount_minor() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("payment.allocation.", name, " is negative"));
    }
  }
  const Buckets split = FromAllocation(stated);
  if (split.total() != amount) {
    return absl::InvalidArgumentError(
        absl::StrCat("payment.allocation adds up to ", split.total(),
                     ", not the amount ", amount));
  }
  if (split.costs > state.owed.costs || split.interest > state.owed.interest ||
      split.principal > state.owed.principal || split.fees > state.owed.fees) {
    return RuleRefusal(
        rules::kAllocationOverBalance,
        absl::StrCat("payment.allocation puts more on a bucket than it holds "
                     "(owed: costs ",
                     state.owed.costs, ", interest ", state.owed.interest,
                     ", principal ", state.owed.principal, ", fees ",
                     state.owed.fees, ")"));
  }
  // The agency's bucket split, over the invoices oldest first per bucket.
  return SplitsOf(state, {}, split);
}

}  // namespace

DecisionOr DecideAgencyReport(const CaseState& state,
                              const AgencyReport& report,
                              const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  v1::EventPayload payload;
  if (const auto* acknowledged =
          std::get_if<v1::PlacementAcknowledged>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(
        CheckPlacedWith(state, acknowledged->agency_id()));
    COLLECTIONS_RETURN_IF_ERROR(
        d.CheckCurrency("acknowledged.balance_acknowledged",
                        acknowledged->balance_acknowledged()));
    auto* recorded = payload.mutable_placement_acknowledged();
    *recorded = *acknowledged;
    *recorded->mutable_balance_expected() = d.Money(state.owed.total());
    recorded->set_reconciliation_required(
        acknowledged->balance_acknowledged().amount_minor() !=
        state.owed.total());
  } else if (const auto* reported =
                 std::get_if<v1::AgencyPaymentReported>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, reported->agency_id()));
    COLLECTIONS_RETURN_IF_ERROR(
        d.CheckCurrency("payment.amount", reported->amount()));
    COLLECTIONS_RETURN_IF_ERROR(
        CheckNewPaymentId(state, reported->payment_id()));
    COLLECTIONS_ASSIGN_OR_RETURN(std::vector<InvoiceSplit> splits,
                                 AgencyAllocation(d, state, *reported));
    Buckets allocated;
    v1::AgencyPaymentReported* recorded =
        payload.mutable_agency_payment_reported();
    *recorded = *reported;
    recorded->clear_invoice_allocations();
    for (const InvoiceSplit& part : splits) {
      allocated += part.allocated;
      *recorded->add_invoice_allocations() =
          ToInvoiceAllocation(part, state.currency);
    }
    *recorded->mutable_allocation() = ToAllocation(allocated, state.currency);
    d.Emit(std::move(payload));
    SettleCommitments(d, state, reported->amount().amount_minor(),
                      reported->payment_id(), splits,
                      reported->has_value_date()
                          ? ToCivilDay(reported->value_date())
                          : d.today());
    return d.Finish();
  } else if (const auto* reversal =
                 std::get_if<v1::AgencyPaymentReversed>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, reversal->agency_id()));
    for (const auto& payment : state.payments) {
      if (payment.payment_id != reversal->payment_id()) continue;
      if (payment.reversed) {
        return RuleRefusal(rules::kPaymentReversed,
                           absl::StrCat("payment ", payment.payment_id,
                                        " was reversed already"));
      }
      auto* recorded = payload.mutable_agency_payment_reversed();
      *recorded = *reversal;
      *recorded->mutable_amount() = d.Money(payment.amount_minor);
      *recorded->mutable_allocation() =
          ToAllocation(payment.allocation, state.currency);
      recorded->clear_invoice_allocations();
      for (const InvoiceSplit& part : payment.invoices)
        *recorded->add_invoice_allocations() =
            ToInvoiceAllocation(part, state.currency);
      d.Emit(std::move(payload));
      RestoreVatRelief(d, payment.payment_id);
      return d.Finish();
    }
    return absl::NotFoundError(absl::StrCat("payment ", reversal->payment_id(),
                                            " is not recorded on this case"));
  } else if (const auto* update =
                 std::get_if<v1::AgencyUpdateReceived>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, update->agency_id()));
    *payload.mutable_agency_update_received() = *update;
  } else if (const auto* objected = std::get_if<v1::RecallObjected>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, objected->agency_id()));
    if (!state.recall_requested) {
      return RuleRefusal(rules::kRecallState, "no recall is pending");
    }
    *payload.mutable_recall_objected() = *objected;
  } else if (const auto* completed =
                 std::get_if<v1::RecallCompleted>(&report)) {
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, completed->agency_id()));
    if (!state.recall_requested) {
      return RuleRefusal(rules::kRecallState, "no recall is pending");
    }
    *payload.mutable_recall_completed() = *completed;
    d.Emit(std::move(payload));
    d.MoveTo(state.stage_before_placement, "recall completed: back in-house");
    return d.Finish();
  } else {
    const auto& returned = std::get<v1::ReturnedByAgency>(report);
    COLLECTIONS_RETURN_IF_ERROR(CheckPlacedWith(state, returned.agency_id()));
    *payload.mutable_returned_by_agency() = returned;
    d.Emit(std::move(payload));
    d.MoveTo(state.stage_before_placement,
             "returned by the agency: back in-house");
    return d.Finish();
  }
  d.Emit(std::move(payload));
  return d.Finish();
}

DecisionOr DecideCloseCase(const CaseState& state,
                           const v1::CaseClosed& closure,
                           const CommandInput& input) {
  Decider d(state, input);
  COLLECTIONS_RETURN_IF_ERROR(d.Begin());
  const bool settles_balance =
      closure.reason() == v1::CLOSURE_REASON_PAID ||
      closure.reason() == v1::CLOSURE_REASON_WRITTEN_OFF;
  if (settles_balance && state.outstanding_minor() > 0) {
    return RuleRefusal(
        rules::kBalanceOutstanding,
        absl::StrCat(state.outstanding_minor(), " ", state.currency,
                     " minor units are still owed: record the payment or "
                     "write the rest off before closing as ",
                     v1::ClosureReason_Name(closure.reason())));
  }
  if (closure.reason() != v1::CLOSURE_REASON_PAID && !state.agency_id.empty()) {
    return RuleRefusal(rules::kPlacedWithAgency,
                       absl::StrCat("the case is with agency ", state.agency_id,
                                    ": recall it or let it be returned first"));
  }
  v1::EventPayload payload;
  *payload.mutable_case_closed() = closure;
  d.Emit(std::move(payload));
  d.MoveTo(CaseStage::kClosed,
           absl::StrCat("closed: ", v1::ClosureReason_Name(closure.reason())));
  return d.Finish();
}

}  // namespace collections::domain
