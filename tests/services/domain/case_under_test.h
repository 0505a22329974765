// Fixtures for tests of the Decide functions (case_decisions.h): a case
// whose decisions are folded into its state as they are made, so the next
// command is judged by the state the earlier ones left, and the events it
// folded can be folded again (under another rule pack, say).
//
// Header-only; each test binary gets its own copy. Not thread safe: a
// CaseUnderTest belongs to one test.
#ifndef COLLECTIONS_TESTS_SERVICES_DOMAIN_CASE_UNDER_TEST_H_
#define COLLECTIONS_TESTS_SERVICES_DOMAIN_CASE_UNDER_TEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "gtest/gtest.h"
#include "services/domain/case_decisions.h"
#include "services/domain/case_state.h"
#include "services/domain/due_events.h"

namespace collections::domain::fixtures {

namespace v1 = ::collections::v1;

inline v1::Money MoneyIn(int64_t minor, const std::string& currency) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency(currency);
  return money;
}
inline v1::Money Eur(int64_t minor) { return MoneyIn(minor, "EUR"); }

inline const absl::TimeZone& Amsterdam() {
  static const absl::TimeZone* zone = [] {
    auto* z = new absl::TimeZone;
    absl::LoadTimeZone("Europe/Amsterdam", z);
    return z;
  }();
  return *zone;
}

// Local time in Amsterdam.
inline absl::Time Local(absl::CivilDay day, int hour = 10) {
  return absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0),
      Amsterdam());
}

// Overrides as (rule, reason) pairs.
using Overrides = std::vector<std::pair<std::string, std::string>>;

// A case whose decisions are folded as they are made.
class CaseUnderTest {
 public:
  // What CaseUnderTest opens by default: case c1 of debtor d1, one invoice
  // INV-1 of `gross` EUR (21% VAT included) due on `due`, in the pack's
  // debtor kind and zone.
  static v1::CaseOpened Opening(const std::string& pack = "nl-consumer",
                                int64_t gross = 100000,
                                absl::CivilDay due = absl::CivilDay(2026, 1,
                                                                    31)) {
    v1::CaseOpened opened;
    opened.set_case_id("c1");
    opened.set_debtor_id("d1");
    opened.set_creditor_id("cr1");
    opened.set_debtor_kind(pack == "nl-business" ? v1::DEBTOR_KIND_BUSINESS
                                                 : v1::DEBTOR_KIND_CONSUMER);
    opened.set_currency("EUR");
    opened.set_rule_pack(pack);
    opened.set_time_zone(pack == "us-regf" ? "America/New_York"
                                           : "Europe/Amsterdam");
    auto* line = opened.add_claim_lines();
    line->set_invoice_number("INV-1");
    *line->mutable_due_date() = ToLocalDate(due);
    *line->mutable_gross() = Eur(gross);
    *line->mutable_vat() = Eur(gross * 21 / 121);
    line->set_consumer_purchase_price(pack == "nl-consumer");
    return opened;
  }

  explicit CaseUnderTest(const std::string& pack = "nl-consumer",
                         int64_t gross = 100000,
                         absl::CivilDay due = absl::CivilDay(2026, 1, 31),
                         absl::CivilDay opened_on = absl::CivilDay(2026, 2, 9))
      : CaseUnderTest(Opening(pack, gross, due), opened_on) {}

  // Opens the case `opened` says on `opened_on` (10:00 Amsterdam).
  CaseUnderTest(const v1::CaseOpened& opened, absl::CivilDay opened_on)
      : now_(Local(opened_on)) {
    const absl::Status opened_ok =
        Apply(DecideOpenCase(opened, In(Local(opened_on))));
    EXPECT_TRUE(opened_ok.ok()) << opened_ok;
  }

  static CommandInput In(absl::Time at, Overrides overrides = {}) {
    CommandInput input;
    input.at = at;
    input.actor_id = "collector-7";
    for (const auto& [rule, reason] : overrides) {
      v1::RuleOverride o;
      o.set_rule(rule);
      o.set_reason(reason);
      input.overrides.push_back(o);
    }
    return input;
  }

  // Folds an OK decision's events at now_; returns its refusal (OK when
  // none).
  absl::Status Apply(const DecisionOr& decision) {
    if (!decision.ok()) return decision.status();
    last_ = *decision;
    for (const auto& payload : decision->events) Fold(payload, now_);
    return decision->refusal;
  }
  // Appends what is due by `at` and returns the events.
  std::vector<DueEvent> RunDue(absl::Time at) {
    std::vector<DueEvent> due = DueEvents(state_, at);
    for (const auto& item : due) Fold(item.payload, item.occurred_at);
    return due;
  }
  // Folds one event as if the log had recorded it at `at`.
  void Fold(const v1::EventPayload& payload, absl::Time at) {
    v1::Event event;
    event.set_stream_version(state_.version + 1);
    event.set_global_position(state_.version + 1);
    *event.mutable_occurred_at() = ToTimestamp(at);
    *event.mutable_payload() = payload;
    Evolve(state_, event);
    events_.push_back(std::move(event));
  }
  // The state the same events fold to when the case names `rule_pack` (a
  // stream written by a build that knows packs this one does not).
  CaseState FoldedUnderPack(const std::string& rule_pack) const {
    CaseState state;
    for (v1::Event event : events_) {
      if (event.payload().has_case_opened()) {
        event.mutable_payload()->mutable_case_opened()->set_rule_pack(
            rule_pack);
      }
      Evolve(state, event);
    }
    return state;
  }

  absl::Status Letter(v1::LetterLevel level, absl::Time at,
                      Overrides overrides = {}) {
    v1::LetterIssued letter;
    letter.set_letter_id(absl::StrCat("L", ++letters_));
    letter.set_level(level);
    letter.set_channel(v1::LETTER_CHANNEL_POST);
    *letter.mutable_amount_stated() = Eur(state_.collectable_minor());
    now_ = at;
    return Apply(DecideIssueLetter(state_, letter, In(at, overrides)));
  }
  absl::Status Pay(int64_t amount, absl::Time at) {
    v1::PaymentReceived payment;
    payment.set_payment_id(absl::StrCat("P", ++payments_));
    *payment.mutable_amount() = Eur(amount);
    now_ = at;
    return Apply(DecideRecordPayment(state_, payment, In(at)));
  }
  absl::Status Promise(int64_t amount, absl::CivilDay by, absl::Time at) {
    v1::PromiseMade promise;
    promise.set_promise_id(absl::StrCat("PR", ++promises_));
    *promise.mutable_amount() = Eur(amount);
    *promise.mutable_promised_date() = ToLocalDate(by);
    now_ = at;
    return Apply(DecideRecordPromise(state_, promise, In(at)));
  }
  absl::Status Costs(absl::Time at) {
    now_ = at;
    return Apply(DecideAssessCollectionCosts(state_, In(at)));
  }

  CaseState state_;
  Decision last_;
  absl::Time now_ = Local(absl::CivilDay(2026, 2, 9));
  std::vector<v1::Event> events_;  // every event folded, in order
  int letters_ = 0;
  int payments_ = 0;
  int promises_ = 0;
};

inline bool HasPayload(const Decision& decision,
                       v1::EventPayload::KindCase kind) {
  for (const auto& payload : decision.events) {
    if (payload.kind_case() == kind) return true;
  }
  return false;
}

}  // namespace collections::domain::fixtures

#endif  // COLLECTIONS_TESTS_SERVICES_DOMAIN_CASE_UNDER_TEST_H_
