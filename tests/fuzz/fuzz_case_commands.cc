// Fuzz target: random command sequences through the domain (issue 27,
// point 3). The input bytes open a case (1-4 invoices, a Dutch consumer or
// business pack, due dates from 2023 to 2026) and then choose up to 64
// commands, each at a moment a few days after the last: payments designated
// or not (some above the balance, some in a foreign currency, some
// back-dated), reversals, interest accruals, collection costs, credit notes,
// write-offs, letters and their delivery, promises, payment plans, holds,
// disputes, new invoices, VAT relief claims, calls, agency placements and
// agency payments, closure, and due-time processing at random instants.
//
// Each command is decided by the pure domain and, when decided, folded as
// the log would fold it. After every step (ledger_invariants.h):
//   - every payment's allocations add up (art. 6:43/6:44 BW);
//   - the balance is the sum of the invoices' plus what is owed on no
//     invoice, no bucket is negative, relief never exceeds VAT (art. 29 Wet
//     OB);
//   - replaying the log, and a snapshot round trip, give the folded state
//     (checked once, after the last step: every step would be quadratic);
//   - due-time processing is idempotent: once its events are folded, asking
//     again at the same instant yields nothing (due_events.h);
//   - a refusal is a caller's error or a rule (INVALID_ARGUMENT,
//     FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, OUT_OF_RANGE), never
//     an internal one.
// A broken invariant prints what broke and aborts, which libFuzzer (and the
// corpus replay in the suite) reports as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_decisions.h"
#include "services/domain/case_state.h"
#include "services/domain/due_events.h"
#include "tests/services/domain/ledger_invariants.h"

namespace {

namespace v1 = ::collections::v1;
namespace domain = ::collections::domain;

// The fuzzer's bytes, read front to back; zeros once they run out.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool exhausted() const { return at_ >= size_; }
  uint32_t Next() { return at_ < size_ ? data_[at_++] : 0; }
  // A number in [0, n) (n >= 1) from one or two bytes.
  uint32_t Below(uint32_t n) {
    const uint32_t raw = n <= 256 ? Next() : (Next() << 8) | Next();
    return raw % n;
  }
  // An amount in [0, up_to] from four bytes.
  int64_t Amount(int64_t up_to) {
    uint64_t raw = 0;
    for (int i = 0; i < 4; ++i) raw = (raw << 8) | Next();
    return up_to <= 0 ? 0 : static_cast<int64_t>(raw % (up_to + 1));
  }
  bool OneIn(uint32_t n) { return Below(n) == 0; }
  // A value of the enum `descriptor` describes (sometimes its zero).
  int Enum(const google::protobuf::EnumDescriptor* descriptor) {
    return descriptor->value(Below(descriptor->value_count()))->number();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

[[noreturn]] void Broken(const std::string& what, int step) {
  std::fprintf(stderr, "invariant broken at step %d: %s\n", step, what.c_str());
  std::abort();
}

v1::Money Money(int64_t minor, const char* currency = "EUR") {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency(currency);
  return money;
}

// A case being driven: its state, its log and the business clock.
struct Driven {
  domain::CaseState state;
  std::vector<v1::Event> events;
  absl::CivilDay day;
  absl::Time now;
  int ids = 0;

  void Fold(const v1::EventPayload& payload, absl::Time at) {
    v1::Event event;
    event.set_stream_version(state.version + 1);
    event.set_global_position(state.version + 1);
    *event.mutable_occurred_at() = collections::ToTimestamp(at);
    *event.mutable_payload() = payload;
    domain::Evolve(state, event);
    events.push_back(std::move(event));
  }
  domain::CommandInput Input() const {
    domain::CommandInput input;
    input.at = now;
    input.actor_id = "collector-7";
    return input;
  }
  std::string NewId(const char* prefix) { return absl::StrCat(prefix, ++ids); }
  // The number of an invoice of the case, or an unknown one.
  std::string SomeInvoice(Bytes& in) const {
    if (state.invoices.empty() || in.OneIn(16)) return "INV-UNKNOWN";
    return state.invoices[in.Below(state.invoices.size())].number();
  }
};

absl::TimeZone Amsterdam() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/Amsterdam", &z);
    return z;
  }();
  return zone;
}

v1::CaseOpened Opening(Bytes& in, absl::CivilDay opened_on) {
  const bool business = in.OneIn(2);
  v1::CaseOpened opened;
  opened.set_case_id("c1");
  opened.set_debtor_id("d1");
  opened.set_creditor_id("cr1");
  opened.set_debtor_kind(business ? v1::DEBTOR_KIND_BUSINESS
                                  : v1::DEBTOR_KIND_CONSUMER);
  opened.set_currency("EUR");
  opened.set_rule_pack(business ? "nl-business" : "nl-consumer");
  opened.set_time_zone("Europe/Amsterdam");
  const uint32_t invoices = 1 + in.Below(4);
  for (uint32_t i = 0; i < invoices; ++i) {
    v1::ClaimLine* line = opened.add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", i + 1));
    const int64_t gross = 1 + in.Amount(5'000'000);
    *line->mutable_due_date() =
        domain::ToLocalDate(opened_on - 1 - static_cast<int>(in.Below(900)));
    *line->mutable_gross() = Money(gross);
    *line->mutable_vat() = Money(gross * 21 / 121);
    line->set_consumer_purchase_price(!business);
  }
  return opened;
}

// One command chosen by the input; answers its decision (or, for due-time
// processing, an empty OK decision after folding what was due).
domain::DecisionOr Command(Driven& c, Bytes& in, int step) {
  const domain::CaseState& s = c.state;
  const int64_t owed = s.owed.total();
  switch (in.Below(20)) {
    case 0:
    case 1:
    case 2: {  // a payment
      v1::PaymentReceived payment;
      payment.set_payment_id(c.NewId("P"));
      *payment.mutable_amount() = Money(1 + in.Amount(owed + owed / 4 + 100),
                                        in.OneIn(32) ? "USD" : "EUR");
      *payment.mutable_value_date() =
          domain::ToLocalDate(c.day - static_cast<int>(in.Below(10)));
      payment.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
      if (in.OneIn(3)) payment.set_invoice_number(c.SomeInvoice(in));
      return domain::DecideRecordPayment(s, payment, c.Input());
    }
    case 3: {  // a reversal of a payment (standing or not, or unknown)
      std::string id = "P-UNKNOWN";
      if (!s.payments.empty() && !in.OneIn(16))
        id = s.payments[in.Below(s.payments.size())].payment_id;
      return domain::DecideReversePayment(s, {id, "returned by the bank"},
                                          c.Input());
    }
    case 4:  // interest up to today or a day before
      return domain::DecideAccrueInterest(
          s, domain::ToLocalDate(c.day - static_cast<int>(in.Below(40))),
          c.Input());
    case 5:
      return domain::DecideAssessCollectionCosts(s, c.Input());
    case 6: {  // a credit note
      v1::CreditNoteApplied credit;
      credit.set_credit_note_number(c.NewId("CN-"));
      credit.set_invoice_number(c.SomeInvoice(in));
      *credit.mutable_amount() = Money(1 + in.Amount(s.owed.principal + 10));
      return domain::DecideApplyCreditNote(s, credit, c.Input());
    }
    case 7: {  // a write-off, of one invoice or of the case
      v1::WriteOffApproved write_off;
      write_off.set_reason(v1::WRITE_OFF_REASON_UNECONOMIC);
      if (!in.OneIn(3)) write_off.set_invoice_number(c.SomeInvoice(in));
      *write_off.mutable_amount()->mutable_principal() =
          Money(in.Amount(s.owed.principal + 10));
      if (in.OneIn(2)) {
        *write_off.mutable_amount()->mutable_interest() =
            Money(in.Amount(s.owed.interest + 10));
      }
      write_off.set_approved_by("manager-1");
      return domain::DecideWriteOff(s, write_off, c.Input());
    }
    case 8: {  // a letter
      v1::LetterIssued letter;
      letter.set_letter_id(c.NewId("L"));
      letter.set_level(
          static_cast<v1::LetterLevel>(in.Enum(v1::LetterLevel_descriptor())));
      letter.set_channel(static_cast<v1::LetterChannel>(
          in.Enum(v1::LetterChannel_descriptor())));
      letter.set_template_version("t1");
      *letter.mutable_amount_stated() = Money(owed);
      *letter.mutable_deadline() =
          domain::ToLocalDate(c.day + 14 + static_cast<int>(in.Below(10)));
      if (in.OneIn(2)) letter.add_invoice_numbers(c.SomeInvoice(in));
      return domain::DecideIssueLetter(s, letter, c.Input());
    }
    case 9: {  // a letter delivered
      v1::LetterDelivered delivered;
      delivered.set_letter_id(
          s.letters.empty() ? "L-UNKNOWN"
                            : s.letters[in.Below(s.letters.size())].letter_id);
      *delivered.mutable_delivered_on() = domain::ToLocalDate(c.day);
      return domain::DecideLetterOutcome(s, delivered, c.Input());
    }
    case 10: {  // a promise to pay
      v1::PromiseMade promise;
      promise.set_promise_id(c.NewId("PR"));
      *promise.mutable_amount() = Money(1 + in.Amount(owed));
      *promise.mutable_promised_date() =
          domain::ToLocalDate(c.day + static_cast<int>(in.Below(60)));
      promise.set_tolerance_days(in.Below(5));
      return domain::DecideRecordPromise(s, promise, c.Input());
    }
    case 11: {  // a payment plan
      domain::PaymentPlanTerms terms;
      terms.plan_id = c.NewId("PLAN");
      terms.frequency = static_cast<v1::PlanFrequency>(
          in.Enum(v1::PlanFrequency_descriptor()));
      terms.installment_count = in.Below(14);
      terms.first_due_date =
          domain::ToLocalDate(c.day + static_cast<int>(in.Below(30)));
      if (in.OneIn(2)) terms.total = Money(1 + in.Amount(owed));
      return domain::DecideAgreePaymentPlan(s, terms, c.Input());
    }
    case 12: {  // a hold placed or released
      const auto hold =
          static_cast<v1::CaseHold>(in.Enum(v1::CaseHold_descriptor()));
      if (in.OneIn(2)) {
        v1::HoldPlaced placed;
        placed.set_hold(hold);
        placed.set_reason("fuzz");
        return domain::DecidePlaceHold(s, placed, c.Input());
      }
      v1::HoldReleased released;
      released.set_hold(hold);
      released.set_reason("fuzz");
      return domain::DecideReleaseHold(s, released, c.Input());
    }
    case 13: {  // a dispute raised or resolved
      if (s.open_disputes.empty() || in.OneIn(2)) {
        v1::DisputeRaised dispute;
        dispute.set_dispute_id(c.NewId("D"));
        dispute.add_invoice_numbers(c.SomeInvoice(in));
        *dispute.mutable_disputed_amount() = Money(1 + in.Amount(owed));
        dispute.set_reason("fuzz");
        dispute.set_in_writing(in.OneIn(2));
        return domain::DecideRaiseDispute(s, dispute, c.Input());
      }
      v1::DisputeResolved resolved;
      resolved.set_dispute_id(
          s.open_disputes[in.Below(s.open_disputes.size())].dispute_id);
      resolved.set_outcome(static_cast<v1::DisputeOutcome>(
          in.Enum(v1::DisputeOutcome_descriptor())));
      *resolved.mutable_amount_dropped() = Money(in.Amount(s.owed.principal));
      return domain::DecideResolveDispute(s, resolved, c.Input());
    }
    case 14: {  // another invoice
      v1::ClaimLine line;
      line.set_invoice_number(c.NewId("INV-ADDED-"));
      const int64_t gross = 1 + in.Amount(1'000'000);
      *line.mutable_due_date() =
          domain::ToLocalDate(c.day - static_cast<int>(in.Below(120)));
      *line.mutable_gross() = Money(gross);
      *line.mutable_vat() = Money(gross * 21 / 121);
      return domain::DecideAddClaimLine(s, line, c.Input());
    }
    case 15: {  // VAT relief claimed for an invoice
      v1::VatReliefClaimed claim;
      claim.set_invoice_number(c.SomeInvoice(in));
      const domain::InvoiceState* invoice =
          s.FindInvoice(claim.invoice_number());
      const int64_t vat = invoice ? invoice->line.vat().amount_minor() : 100;
      *claim.mutable_vat() = Money(in.Amount(vat + vat / 10 + 1));
      claim.set_return_period(
          absl::StrCat(c.day.year(), "-Q", (c.day.month() - 1) / 3 + 1));
      return domain::DecideClaimVatRelief(s, claim, c.Input());
    }
    case 16: {  // a call
      google::protobuf::RepeatedPtrField<v1::CallLogged> calls;
      v1::CallLogged* call = calls.Add();
      call->set_direction(static_cast<v1::CallDirection>(
          in.Enum(v1::CallDirection_descriptor())));
      call->set_outcome(
          static_cast<v1::CallOutcome>(in.Enum(v1::CallOutcome_descriptor())));
      call->set_contact_point_id("phone-1");
      call->set_time_zone("Europe/Amsterdam");
      call->set_collector_id("collector-7");
      *call->mutable_placed_at() = collections::ToTimestamp(c.now);
      return domain::DecideLogCalls(s, calls, c.Input());
    }
    case 17: {  // handed to an agency, or an agency's payment
      if (s.agency_id.empty() || in.OneIn(4)) {
        v1::HandedToAgency placement;
        placement.set_agency_id("agency-1");
        placement.set_agency_registration("WKI-1");
        placement.set_package_id(c.NewId("PKG"));
        return domain::DecideHandToAgency(s, placement, c.Input());
      }
      v1::AgencyPaymentReported paid;
      paid.set_agency_id(s.agency_id);
      paid.set_payment_id(c.NewId("AP"));
      *paid.mutable_amount() = Money(1 + in.Amount(owed + 100));
      *paid.mutable_value_date() = domain::ToLocalDate(c.day);
      return domain::DecideAgencyReport(s, paid, c.Input());
    }
    case 18: {  // closed (seldom: a closed case refuses most commands)
      if (!in.OneIn(4)) return domain::Decision{};
      v1::CaseClosed closed;
      closed.set_reason(static_cast<v1::ClosureReason>(
          in.Enum(v1::ClosureReason_descriptor())));
      return domain::DecideCloseCase(s, closed, c.Input());
    }
    default: {  // time passes: what is due by a random later instant
      c.day += static_cast<int>(in.Below(400));
      c.now = absl::FromCivil(absl::CivilHour(c.day.year(), c.day.month(),
                                              c.day.day(), in.Below(24)),
                              Amsterdam());
      for (const domain::DueEvent& due : domain::DueEvents(c.state, c.now))
        c.Fold(due.payload, due.occurred_at);
      if (!domain::DueEvents(c.state, c.now).empty())
        Broken("due-time processing is not idempotent", step);
      return domain::Decision{};
    }
  }
}

bool ExpectedRefusal(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  Driven c;
  c.day = absl::CivilDay(2024, 1, 1) + static_cast<int>(in.Below(900));
  c.now = absl::FromCivil(
      absl::CivilHour(c.day.year(), c.day.month(), c.day.day(), 10),
      Amsterdam());
  const domain::DecisionOr opened =
      domain::DecideOpenCase(Opening(in, c.day), c.Input());
  if (!opened.ok()) return 0;  // e.g. an amount the checks refuse
  for (const v1::EventPayload& payload : opened->events) c.Fold(payload, c.now);

  for (int step = 0; step < 64 && !in.exhausted(); ++step) {
    c.day += static_cast<int>(in.Below(20));
    c.now = absl::FromCivil(absl::CivilHour(c.day.year(), c.day.month(),
                                            c.day.day(), 8 + in.Below(12)),
                            Amsterdam());
    const domain::DecisionOr decision = Command(c, in, step);
    if (!decision.ok()) {
      if (!ExpectedRefusal(decision.status().code()))
        Broken(absl::StrCat("unexpected answer ", decision.status().ToString()),
               step);
      continue;
    }
    if (const std::string broken =
            collections::domain::fixtures::PaymentViolation(*decision);
        !broken.empty()) {
      Broken(broken, step);
    }
    for (const v1::EventPayload& payload : decision->events)
      c.Fold(payload, c.now);
    if (const std::string broken =
            collections::domain::fixtures::BalanceViolation(c.state);
        !broken.empty()) {
      Broken(broken, step);
    }
  }
  // Replaying the whole log once at the end (every step would make the
  // target quadratic): the fold and a snapshot give the same state.
  if (const std::string broken =
          collections::domain::fixtures::ReplayViolation(c.state, c.events);
      !broken.empty()) {
    Broken(broken, 64);
  }
  return 0;
}
