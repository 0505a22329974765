#include "services/domain/due_events.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/rule_packs.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

class DueCollector {
 public:
  DueCollector(const CaseState& state, absl::Time as_of)
      : state_(state), today_(state.DayOf(as_of)) {}

  absl::CivilDay today() const { return today_; }
  // The first instant of `day` in the case's zone.
  absl::Time StartOf(absl::CivilDay day) const {
    return absl::FromCivil(day, state_.zone);
  }
  v1::Money Money(int64_t minor) const {
    return MoneyOf(minor, state_.currency);
  }
  v1::EventPayload& Add(std::string id, absl::CivilDay became_due_on) {
    events_.push_back(DueEvent{std::move(id), StartOf(became_due_on), {}});
    return events_.back().payload;
  }
  std::vector<DueEvent> Take() {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const DueEvent& a, const DueEvent& b) {
                       return a.occurred_at < b.occurred_at;
                     });
    return std::move(events_);
  }

 private:
  const CaseState& state_;
  absl::CivilDay today_;
  std::vector<DueEvent> events_;
};

void StageChange(v1::EventPayload& payload, CaseStage from, CaseStage to,
                 std::string reason) {
  auto* changed = payload.mutable_case_stage_changed();
  changed->set_from(ToProtoStage(from));
  changed->set_to(ToProtoStage(to));
  changed->set_reason(std::move(reason));
}

void Overdue(const CaseState& state, DueCollector& due) {
  if (state.stage != CaseStage::kOpen) return;
  const InvoiceState* first = nullptr;
  for (const auto& invoice : state.invoices) {
    if (first == nullptr || invoice.due < first->due) first = &invoice;
  }
  if (first == nullptr || due.today() <= first->due) return;
  StageChange(due.Add("due/overdue", first->due + 1), CaseStage::kOpen,
              CaseStage::kOverdue,
              absl::StrCat("invoice ", first->line.invoice_number(),
                           " was due on ", absl::FormatCivilTime(first->due)));
}

void Promise(const CaseState& state, DueCollector& due) {
  if (!state.open_promise.has_value()) return;
  const auto& made = state.open_promise->made;
  const absl::CivilDay last_day =
      ToCivilDay(made.promised_date()) + made.tolerance_days();
  if (due.today() <= last_day) return;
  const int64_t paid = state.open_promise->paid_minor;
  const int64_t owed =
      made.amount().amount_minor() - made.tolerance_amount().amount_minor();
  v1::EventPayload& payload =
      due.Add(absl::StrCat("due/promise/", made.promise_id()), last_day + 1);
  if (paid >= owed) {
    payload.mutable_promise_kept()->set_promise_id(made.promise_id());
    *payload.mutable_promise_kept()->mutable_paid() = due.Money(paid);
  } else {
    auto* broken = payload.mutable_promise_broken();
    broken->set_promise_id(made.promise_id());
    *broken->mutable_paid() = due.Money(paid);
    *broken->mutable_shortfall() =
        due.Money(made.amount().amount_minor() - paid);
  }
}

void Plan(const CaseState& state, const RulePack& pack, DueCollector& due) {
  if (!state.plan.has_value() || !state.plan->active()) return;
  const PlanState& plan = *state.plan;
  const std::string& id = plan.agreed.plan_id();
  uint32_t misses = plan.misses;
  int64_t cumulative = 0;
  for (int i = 0; i < plan.agreed.installments_size(); ++i) {
    const v1::Installment& installment = plan.agreed.installments(i);
    cumulative += installment.amount().amount_minor();
    const absl::CivilDay last_day =
        ToCivilDay(installment.due_date()) + pack.plan_grace_days;
    if (plan.paid[i] || plan.missed[i] || due.today() <= last_day) continue;
    if (plan.paid_minor >= cumulative) continue;  // covered, not yet marked
    auto* missed =
        due.Add(absl::StrCat("due/installment/", id, "/", installment.number()),
                last_day + 1)
            .mutable_installment_missed();
    missed->set_plan_id(id);
    missed->set_number(installment.number());
    *missed->mutable_due_date() = installment.due_date();
    *missed->mutable_shortfall() = due.Money(std::min(
        installment.amount().amount_minor(), cumulative - plan.paid_minor));
    ++misses;
    const uint32_t allowed =
        std::max<uint32_t>(plan.agreed.misses_allowed(), 1);
    if (misses >= allowed) {
      auto* defaulted =
          due.Add(absl::StrCat("due/plan-default/", id), last_day + 1)
              .mutable_payment_plan_defaulted();
      defaulted->set_plan_id(id);
      defaulted->set_missed_installments(misses);
      // A defaulted arrangement returns to dunning (domain.md §2).
      if (state.stage == CaseStage::kArrangement) {
        StageChange(due.Add(absl::StrCat("due/plan-default/", id, "/stage"),
                            last_day + 1),
                    CaseStage::kArrangement, CaseStage::kDunned,
                    absl::StrCat("payment plan ", id, " defaulted"));
      }
      return;
    }
  }
}

void Letters(const CaseState& state, DueCollector& due) {
  for (const auto& letter : state.letters) {
    if (letter.lapsed || letter.undeliverable ||
        !letter.term_last_day.has_value() ||
        due.today() <= *letter.term_last_day)
      continue;
    auto* lapsed = due.Add(absl::StrCat("due/letter-lapsed/", letter.letter_id),
                           *letter.term_last_day + 1)
                       .mutable_letter_deadline_lapsed();
    lapsed->set_letter_id(letter.letter_id);
    lapsed->set_level(letter.level);
    *lapsed->mutable_lapsed_on() = ToLocalDate(*letter.term_last_day + 1);
  }
}

// VAT relief per invoice (art. 29 Wet OB): the VAT share of that invoice's
// unpaid part, due one year after its due date, whether the case was
// written off or closed or not.
void VatRelief(const CaseState& state, const RulePack& pack,
               DueCollector& due) {
  if (!pack.vat_relief) return;
  for (const auto& invoice : state.invoices) {
    const std::string& number = invoice.line.invoice_number();
    const absl::CivilDay relief_on = VatReliefDueDate(invoice.due);
    const int64_t vat = VatShareOf(invoice);
    if (invoice.vat_relief_due || invoice.vat_relief_claimed || vat <= 0 ||
        due.today() < relief_on)
      continue;
    auto* relief = due.Add(absl::StrCat("due/vat/", number), relief_on)
                       .mutable_vat_relief_became_due();
    relief->set_invoice_number(number);
    *relief->mutable_vat() = due.Money(vat);
    *relief->mutable_due_on() = ToLocalDate(relief_on);
  }
}

void Invoices(const CaseState& state, const RulePack& pack, DueCollector& due) {
  for (const auto& invoice : state.invoices) {
    if (invoice.owed.total() <= 0) continue;
    const std::string& number = invoice.line.invoice_number();
    const absl::CivilDay warn_from =
        invoice.limitation_deadline - pack.limitation_warning_days;
    const bool warned_for_this_deadline =
        invoice.warned &&
        invoice.limitation_warned == invoice.limitation_deadline;
    if (!warned_for_this_deadline && due.today() >= warn_from &&
        due.today() <= invoice.limitation_deadline) {
      auto* warning =
          due.Add(absl::StrCat(
                      "due/limitation/", number, "/",
                      absl::FormatCivilTime(invoice.limitation_deadline)),
                  warn_from)
              .mutable_limitation_warning();
      warning->set_invoice_number(number);
      *warning->mutable_deadline() = ToLocalDate(invoice.limitation_deadline);
      warning->set_days_left(
          static_cast<uint32_t>(pack.limitation_warning_days));
    }
  }
}

}  // namespace

bool AwaitsDueEvents(const CaseState& state) {
  if (!state.exists) return false;
  if (state.stage != CaseStage::kClosed) return true;
  for (const auto& invoice : state.invoices) {
    if (!invoice.vat_relief_due && !invoice.vat_relief_claimed &&
        VatShareOf(invoice) > 0)
      return true;
  }
  return false;
}

std::vector<DueEvent> DueEvents(const CaseState& state, absl::Time as_of) {
  if (!state.exists) return {};
  DueCollector due(state, as_of);
  const RulePack* pack = FindRulePack(state.rule_pack, due.today());
  if (pack == nullptr) return {};
  VatRelief(state, *pack, due);
  if (state.stage == CaseStage::kClosed) return due.Take();
  Overdue(state, due);
  Promise(state, due);
  Plan(state, *pack, due);
  Letters(state, due);
  Invoices(state, *pack, due);
  return due.Take();
}

}  // namespace collections::domain
