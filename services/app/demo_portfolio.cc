#include "services/app/demo_portfolio.h"

#include <algorithm>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/domain/balances.h"
#include "services/domain/rule_packs.h"
#include "services/domain/statutory_interest.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

v1::LocalDate DateOf(absl::Time t) {
  return domain::ToLocalDate(absl::ToCivilDay(t, absl::UTCTimeZone()));
}

// Writes one case's history, command by command, advancing business time.
class CaseScript {
 public:
  CaseScript(CaseCommands& commands, CaseReader& cases, AgencyHandoff* handoff,
             std::mt19937_64& rng, std::string case_id, absl::Time start,
             DemoPortfolioStats& stats)
      : commands_(commands),
        cases_(cases),
        handoff_(handoff),
        rng_(rng),
        case_id_(std::move(case_id)),
        at_(start),
        stats_(stats) {
    actor_.set_id("demo-seed");
    actor_.set_role("service");
  }

  int Roll(int n) { return static_cast<int>(rng_() % n); }
  void Wait(int min_days, int max_days) {
    // A later day, during office hours (07:00-17:00 UTC is 08:00-19:00 in
    // Amsterdam).
    const absl::CivilDay day = absl::ToCivilDay(at_, absl::UTCTimeZone()) +
                               min_days + Roll(max_days - min_days + 1);
    at_ = absl::FromCivil(day, absl::UTCTimeZone()) +
          absl::Minutes(7 * 60 + Roll(10 * 60));
  }
  absl::Time at() const { return at_; }

  template <typename Request>
  Request Start() {
    Request request;
    v1::CommandContext* context = request.mutable_context();
    context->set_request_id(absl::StrCat("demo-", case_id_, "-", ++step_));
    *context->mutable_occurred_at() = ToTimestamp(at_);
    context->set_correlation_id(absl::StrCat("demo-", case_id_));
    return request;
  }

  absl::Status Check(const CaseCommands::Result& result) {
    ++stats_.commands;
    return result.status();
  }

  CaseCommands& commands_;
  CaseReader& cases_;
  AgencyHandoff* const handoff_;
  std::mt19937_64& rng_;
  std::string case_id_;
  absl::Time at_;
  DemoPortfolioStats& stats_;
  v1::Actor actor_;
  int step_ = 0;
};

// A made-up name for a demo debtor (personal data: sealed in the log).
std::string DemoName(const std::string& debtor_id, bool business) {
  static const char* const kFirst[] = {"Anouk", "Bram",  "Daan",  "Eva",
                                       "Fleur", "Jesse", "Lotte", "Sem"};
  static const char* const kLast[] = {"de Vries", "Jansen", "Bakker", "Visser",
                                      "Smit",     "Meijer", "Mulder"};
  const size_t h = std::hash<std::string>()(debtor_id);
  if (business) return absl::StrCat(kLast[h % 7], " Handel B.V.");
  return absl::StrCat(kFirst[h % 8], " ", kLast[(h / 8) % 7]);
}

absl::Status Call(CaseScript& s, v1::CallOutcome outcome) {
  auto request = s.Start<v1::LogCallsRequest>();
  request.set_case_id(s.case_id_);
  v1::CallLogged* call = request.add_calls();
  call->set_direction(s.Roll(5) == 0 ? v1::CALL_DIRECTION_INBOUND
                                     : v1::CALL_DIRECTION_OUTBOUND);
  call->set_contact_point_id("phone-1");
  call->set_party_reached(outcome == v1::CALL_OUTCOME_NO_ANSWER ? "none"
                                                                : "debtor");
  call->set_outcome(outcome);
  if (outcome == v1::CALL_OUTCOME_CONVERSATION ||
      outcome == v1::CALL_OUTCOME_PROMISE_TO_PAY) {
    call->set_notes("spoke with the debtor; confirmed the address on file");
  }
  call->set_time_zone("Europe/Amsterdam");
  call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
  call->set_duration_seconds(
      outcome == v1::CALL_OUTCOME_NO_ANSWER ? 0 : 60 + s.Roll(600));
  call->set_collector_id(absl::StrCat("collector-", 1 + s.Roll(6)));
  return s.Check(s.commands_.Await(&CaseCommands::LogCalls, request, s.actor_));
}

// What the case owes now, as the commands see it.
absl::StatusOr<domain::CaseState> Standing(CaseScript& s) {
  return s.cases_.Load(s.case_id_);
}

// The events whose time has come by the script's current time.
absl::Status Due(CaseScript& s) {
  return s.commands_.AppendDueEvents(s.case_id_, s.at()).status();
}

absl::Status Letter(CaseScript& s, v1::LetterLevel level) {
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  auto request = s.Start<v1::IssueLetterRequest>();
  request.set_case_id(s.case_id_);
  v1::LetterIssued* letter = request.mutable_letter();
  letter->set_letter_id(absl::StrCat("L", s.step_));
  letter->set_level(level);
  letter->set_channel(v1::LETTER_CHANNEL_POST);
  letter->set_template_version("2026.1");
  *letter->mutable_amount_stated() = Eur(state.collectable_minor());
  if (level != v1::LETTER_LEVEL_FOURTEEN_DAY) {
    *letter->mutable_deadline() = DateOf(s.at() + absl::Hours(24 * 14));
  }
  return s.Check(
      s.commands_.Await(&CaseCommands::IssueLetter, request, s.actor_));
}

absl::Status Payment(CaseScript& s, int64_t amount, v1::PaymentMethod method) {
  auto request = s.Start<v1::RecordPaymentRequest>();
  request.set_case_id(s.case_id_);
  v1::PaymentReceived* payment = request.mutable_payment();
  payment->set_payment_id(absl::StrCat("P", s.step_));
  *payment->mutable_amount() = Eur(amount);
  *payment->mutable_value_date() = DateOf(s.at());
  payment->set_method(method);
  payment->set_reference(s.case_id_);
  return s.Check(
      s.commands_.Await(&CaseCommands::RecordPayment, request, s.actor_));
}

absl::Status PayInFull(CaseScript& s, v1::PaymentMethod method) {
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  return Payment(s, state.outstanding_minor(), method);
}

absl::Status Promise(CaseScript& s, int64_t amount, int in_days) {
  auto request = s.Start<v1::RecordPromiseRequest>();
  request.set_case_id(s.case_id_);
  v1::PromiseMade* promise = request.mutable_promise();
  promise->set_promise_id(absl::StrCat("PR", s.step_));
  *promise->mutable_amount() = Eur(amount);
  *promise->mutable_promised_date() =
      DateOf(s.at() + absl::Hours(24 * in_days));
  promise->set_tolerance_days(3);
  return s.Check(
      s.commands_.Await(&CaseCommands::RecordPromise, request, s.actor_));
}

absl::Status Close(CaseScript& s, v1::ClosureReason reason) {
  auto request = s.Start<v1::CloseCaseRequest>();
  request.set_case_id(s.case_id_);
  request.mutable_closure()->set_reason(reason);
  return s.Check(
      s.commands_.Await(&CaseCommands::CloseCase, request, s.actor_));
}

// Costs by the pack (after the 14-day letter lapsed for consumers) and
// statutory interest up to today, or up to the last day the rate table
// knows (beyond it the server refuses, as it should).
absl::Status CostsAndInterest(CaseScript& s) {
  auto costs = s.Start<v1::AssessCollectionCostsRequest>();
  costs.set_case_id(s.case_id_);
  COLLECTIONS_RETURN_IF_ERROR(s.Check(s.commands_.Await(
      &CaseCommands::AssessCollectionCosts, costs, s.actor_)));
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  const domain::RulePack* pack =
      domain::FindRulePack(state.rule_pack, state.DayOf(s.at()));
  if (pack == nullptr) return absl::OkStatus();
  const domain::RateSchedule* table =
      domain::StatutoryRateSchedule(pack->interest);
  if (table == nullptr) return absl::OkStatus();
  const absl::CivilDay up_to =
      std::min(state.DayOf(s.at()), table->known_until + 1);
  auto interest = s.Start<v1::AccrueInterestRequest>();
  interest.set_case_id(s.case_id_);
  *interest.mutable_up_to() = domain::ToLocalDate(up_to);
  const CaseCommands::Result accrued =
      s.commands_.Await(&CaseCommands::AccrueInterest, interest, s.actor_);
  ++s.stats_.commands;
  // Nothing to add (all invoices inside their term on the table's last
  // day) is no failure of the demo.
  if (absl::IsFailedPrecondition(accrued.status())) return absl::OkStatus();
  return accrued.status();
}

absl::Status Dispute(CaseScript& s) {
  auto raise = s.Start<v1::RaiseDisputeRequest>();
  raise.set_case_id(s.case_id_);
  raise.mutable_dispute()->set_dispute_id("D1");
  raise.mutable_dispute()->set_reason("Says the service was interrupted");
  raise.mutable_dispute()->set_in_writing(true);
  COLLECTIONS_RETURN_IF_ERROR(
      s.Check(s.commands_.Await(&CaseCommands::RaiseDispute, raise, s.actor_)));
  s.Wait(5, 20);
  auto resolve = s.Start<v1::ResolveDisputeRequest>();
  resolve.set_case_id(s.case_id_);
  resolve.mutable_resolution()->set_dispute_id("D1");
  resolve.mutable_resolution()->set_outcome(v1::DISPUTE_OUTCOME_REJECTED);
  return s.Check(
      s.commands_.Await(&CaseCommands::ResolveDispute, resolve, s.actor_));
}

// A monthly plan over the whole balance; all but the last one or two
// installments paid (the due-time processor finds the misses later).
absl::Status Plan(CaseScript& s) {
  const uint32_t installments = 3 + s.Roll(4);
  auto agree = s.Start<v1::AgreePaymentPlanRequest>();
  agree.set_case_id(s.case_id_);
  v1::PaymentPlanTerms* terms = agree.mutable_terms();
  terms->set_plan_id("PLAN1");
  terms->set_frequency(v1::PLAN_FREQUENCY_MONTHLY);
  terms->set_installment_count(installments);
  *terms->mutable_first_due_date() = DateOf(s.at() + absl::Hours(24 * 28));
  COLLECTIONS_RETURN_IF_ERROR(s.Check(
      s.commands_.Await(&CaseCommands::AgreePaymentPlan, agree, s.actor_)));
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  const int paid = static_cast<int>(installments) - 1 - s.Roll(2);
  for (int i = 0; i < paid; ++i) {
    s.Wait(27, 28);
    COLLECTIONS_RETURN_IF_ERROR(
        Payment(s, state.plan->agreed.installments(i).amount().amount_minor(),
                v1::PAYMENT_METHOD_DIRECT_DEBIT));
  }
  return absl::OkStatus();
}

absl::Status HandToAgency(CaseScript& s) {
  auto hand = s.Start<v1::HandToAgencyRequest>();
  hand.set_case_id(s.case_id_);
  v1::HandedToAgency* placement = hand.mutable_placement();
  placement->set_agency_id("incasso-noord");
  placement->set_agency_registration("WKI-2024-0117");
  placement->set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  placement->set_commission_basis_points(1500);
  if (s.handoff_ != nullptr) {
    AgencyHandoff::PlaceResult placed =
        s.handoff_->PlaceAndWait(hand, s.actor_);
    ++s.stats_.commands;
    COLLECTIONS_RETURN_IF_ERROR(placed.status());
  } else {
    placement->set_package_id(absl::StrCat("PKG-", s.case_id_));
    COLLECTIONS_RETURN_IF_ERROR(s.Check(
        s.commands_.Await(&CaseCommands::HandToAgency, hand, s.actor_)));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  s.Wait(2, 5);
  auto ack = s.Start<v1::RecordAgencyReportRequest>();
  ack.set_case_id(s.case_id_);
  ack.mutable_acknowledged()->set_agency_id("incasso-noord");
  ack.mutable_acknowledged()->set_package_id(
      s.handoff_ != nullptr
          ? agency::DefaultPackageId(s.case_id_, state.placements)
          : absl::StrCat("PKG-", s.case_id_));
  *ack.mutable_acknowledged()->mutable_balance_acknowledged() =
      Eur(state.outstanding_minor());
  COLLECTIONS_RETURN_IF_ERROR(s.Check(
      s.commands_.Await(&CaseCommands::RecordAgencyReport, ack, s.actor_)));
  s.Wait(20, 40);
  COLLECTIONS_ASSIGN_OR_RETURN(state, Standing(s));
  auto paid = s.Start<v1::RecordAgencyReportRequest>();
  paid.set_case_id(s.case_id_);
  v1::AgencyPaymentReported* payment = paid.mutable_payment();
  payment->set_agency_id("incasso-noord");
  payment->set_payment_id(absl::StrCat("AP", s.step_));
  *payment->mutable_amount() = Eur(state.outstanding_minor() / 2);
  *payment->mutable_value_date() = DateOf(s.at());
  *payment->mutable_commission() =
      Eur(state.outstanding_minor() / 2 * 15 / 100);
  return s.Check(
      s.commands_.Await(&CaseCommands::RecordAgencyReport, paid, s.actor_));
}

// Neither can nor will pay: VAT reclaimed early as definitively
// uncollectable (an override with its reason), the rest written off.
absl::Status WriteOffAndClose(CaseScript& s) {
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  for (const auto& invoice : state.invoices) {
    auto claim = s.Start<v1::ClaimVatReliefRequest>();
    claim.set_case_id(s.case_id_);
    v1::RuleOverride* override_rule = claim.mutable_context()->add_overrides();
    override_rule->set_rule(domain::rules::kVatReliefNotDue);
    override_rule->set_reason("debtor has no income or assets: uncollectable");
    // The VAT share of the invoice's unpaid part (art. 29 Wet OB).
    const int64_t vat = domain::VatShareOf(invoice);
    if (vat <= 0) continue;
    claim.mutable_claim()->set_invoice_number(invoice.line.invoice_number());
    *claim.mutable_claim()->mutable_vat() = Eur(vat);
    claim.mutable_claim()->set_return_period(absl::StrCat(
        absl::ToCivilYear(s.at(), absl::UTCTimeZone()).year(), "-Q",
        (absl::ToCivilMonth(s.at(), absl::UTCTimeZone()).month() + 2) / 3));
    COLLECTIONS_RETURN_IF_ERROR(s.Check(
        s.commands_.Await(&CaseCommands::ClaimVatRelief, claim, s.actor_)));
  }
  auto write_off = s.Start<v1::WriteOffRequest>();
  write_off.set_case_id(s.case_id_);
  write_off.mutable_write_off()->set_reason(v1::WRITE_OFF_REASON_UNECONOMIC);
  *write_off.mutable_write_off()->mutable_amount() =
      domain::ToAllocation(state.owed, "EUR");
  write_off.mutable_write_off()->set_approved_by("credit-manager");
  COLLECTIONS_RETURN_IF_ERROR(
      s.Check(s.commands_.Await(&CaseCommands::WriteOff, write_off, s.actor_)));
  s.Wait(1, 3);
  return Close(s, v1::CLOSURE_REASON_WRITTEN_OFF);
}

absl::Status OpenCase(CaseScript& s, const std::string& debtor_id,
                      bool business) {
  auto request = s.Start<v1::OpenCaseRequest>();
  v1::CaseOpened* opened = request.mutable_case_();
  opened->set_case_id(s.case_id_);
  opened->set_debtor_id(debtor_id);
  opened->set_debtor_name(DemoName(debtor_id, business));
  opened->set_creditor_id(s.Roll(2) == 0 ? "acme-energy" : "nordic-telecom");
  opened->set_debtor_kind(business ? v1::DEBTOR_KIND_BUSINESS
                                   : v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack(business ? "nl-business" : "nl-consumer");
  opened->set_jurisdiction("NL");
  opened->set_time_zone("Europe/Amsterdam");
  const int lines = 1 + s.Roll(3);
  for (int i = 0; i < lines; ++i) {
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", s.case_id_, "-", i + 1));
    const int64_t net = 2000 + s.Roll(80000);
    *line->mutable_issue_date() = DateOf(s.at() - absl::Hours(24 * 44));
    *line->mutable_due_date() = DateOf(s.at() - absl::Hours(24 * 14));
    *line->mutable_net() = Eur(net);
    *line->mutable_vat() = Eur(net * 21 / 100);
    *line->mutable_gross() = Eur(net + net * 21 / 100);
    line->set_consumer_purchase_price(!business);
  }
  COLLECTIONS_RETURN_IF_ERROR(
      s.Check(s.commands_.Await(&CaseCommands::OpenCase, request, s.actor_)));
  ++s.stats_.cases;
  return absl::OkStatus();
}

// One case: opened (already overdue), then one of a handful of realistic
// paths through the ladder, with the due-time processor run as business
// time passes.
absl::Status WriteCase(CaseScript& s, const std::string& debtor_id,
                       bool business) {
  COLLECTIONS_RETURN_IF_ERROR(OpenCase(s, debtor_id, business));
  s.Wait(1, 5);
  COLLECTIONS_RETURN_IF_ERROR(Call(s, v1::CALL_OUTCOME_NO_ANSWER));
  s.Wait(2, 6);
  COLLECTIONS_RETURN_IF_ERROR(Letter(s, v1::LETTER_LEVEL_REMINDER));
  const int path = s.Roll(10);
  if (path <= 1) {  // pays after the reminder
    s.Wait(3, 12);
    COLLECTIONS_RETURN_IF_ERROR(PayInFull(s, v1::PAYMENT_METHOD_BANK_TRANSFER));
    s.Wait(1, 2);
    return Close(s, v1::CLOSURE_REASON_PAID);
  }
  s.Wait(7, 12);
  COLLECTIONS_RETURN_IF_ERROR(Call(s, v1::CALL_OUTCOME_PROMISE_TO_PAY));
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, Standing(s));
  COLLECTIONS_RETURN_IF_ERROR(
      Promise(s, state.outstanding_minor(), 7 + s.Roll(7)));
  if (path <= 3) {  // promise kept
    s.Wait(5, 10);
    COLLECTIONS_RETURN_IF_ERROR(PayInFull(s, v1::PAYMENT_METHOD_CARD));
    s.Wait(1, 2);
    return Close(s, v1::CLOSURE_REASON_PAID);
  }
  // Promise broken (found by the due-time processor): dunning letter, and
  // the 14-day letter for consumers; costs once it has lapsed.
  s.Wait(20, 25);
  COLLECTIONS_RETURN_IF_ERROR(Due(s));
  COLLECTIONS_RETURN_IF_ERROR(Letter(s, v1::LETTER_LEVEL_DUNNING));
  if (!business) {
    s.Wait(3, 6);
    COLLECTIONS_RETURN_IF_ERROR(Letter(s, v1::LETTER_LEVEL_FOURTEEN_DAY));
  }
  s.Wait(21, 25);
  COLLECTIONS_RETURN_IF_ERROR(Due(s));
  COLLECTIONS_RETURN_IF_ERROR(CostsAndInterest(s));
  if (path == 4) return Dispute(s);
  if (path <= 6) return Plan(s);
  COLLECTIONS_RETURN_IF_ERROR(Letter(s, v1::LETTER_LEVEL_FINAL_NOTICE));
  s.Wait(14, 20);
  COLLECTIONS_RETURN_IF_ERROR(Due(s));
  if (path <= 8) return HandToAgency(s);
  return WriteOffAndClose(s);
}

}  // namespace

absl::StatusOr<DemoPortfolioStats> SeedDemoPortfolio(
    CaseCommands& commands, CaseReader& reader,
    const DemoPortfolioOptions& options) {
  std::mt19937_64 rng(options.seed);
  DemoPortfolioStats stats;
  for (int d = 1; d <= options.debtors; ++d) {
    const std::string debtor_id = absl::StrFormat("d-%04d", d);
    const bool business = rng() % 4 == 0;
    const int cases = rng() % 5 == 0 ? 2 : 1;
    for (int c = 1; c <= cases; ++c) {
      const absl::Time start =
          options.now - absl::Hours(24 * (250 + rng() % 120));
      CaseScript script(commands, reader, options.handoff, rng,
                        absl::StrFormat("c-%04d-%d", d, c), start, stats);
      absl::Status status = WriteCase(script, debtor_id, business);
      // Whatever has come due since the script's last step, by now.
      if (status.ok()) {
        status =
            commands.AppendDueEvents(script.case_id_, options.now).status();
      }
      if (!status.ok()) {
        return absl::Status(status.code(),
                            absl::StrCat("seeding case ", script.case_id_, ": ",
                                         status.message()));
      }
    }
    ++stats.debtors;
  }
  return stats;
}

}  // namespace collections::app
