#include "services/domain/work_items.h"

#include "absl/strings/str_cat.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/decider.h"
#include "services/domain/rule_packs.h"
#include "services/domain/treatment.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

class Collector {
 public:
  explicit Collector(const CaseState& state) : state_(state) {}
  void Add(WorkKind kind, absl::CivilDay day, std::string reference,
           int64_t amount, std::string description) {
    WorkItem item;
    item.kind = kind;
    item.due_at = absl::FromCivil(day, state_.zone);
    item.reference = std::move(reference);
    item.amount_minor = amount > 0 ? amount : 0;
    item.description = std::move(description);
    items_.push_back(std::move(item));
  }
  std::vector<WorkItem> Take() { return std::move(items_); }

 private:
  const CaseState& state_;
  std::vector<WorkItem> items_;
};

// VAT relief per invoice (art. 29 Wet OB): the VAT share of its unpaid
// part, from one year after its due date, until claimed.
void VatReliefWork(const CaseState& state, Collector& work) {
  const RulePack* pack =
      FindRulePack(state.rule_pack, state.DayOf(state.last_activity_at));
  if (pack == nullptr || !pack->vat_relief) return;
  for (const InvoiceState& invoice : state.invoices) {
    const int64_t vat = VatShareOf(invoice);
    if (vat <= 0 || invoice.vat_relief_claimed) continue;
    const std::string& number = invoice.line.invoice_number();
    work.Add(WorkKind::kVatRelief, VatReliefDueDate(invoice.due), number, vat,
             absl::StrCat("VAT relief for invoice ", number));
  }
}

}  // namespace

std::vector<WorkItem> UpcomingWork(const CaseState& state) {
  if (!state.exists) return {};
  Collector work(state);
  if (state.stage == CaseStage::kClosed) {
    VatReliefWork(state, work);  // alive after closure until claimed
    return work.Take();
  }
  if (state.open_promise.has_value()) {
    const auto& made = state.open_promise->made;
    work.Add(WorkKind::kPromiseCheck,
             ToCivilDay(made.promised_date()) + made.tolerance_days() + 1,
             made.promise_id(),
             made.amount().amount_minor() - state.open_promise->paid_minor,
             absl::StrCat("check promise ", made.promise_id()));
  }
  if (state.plan.has_value() && state.plan->active()) {
    const PlanState& plan = *state.plan;
    int64_t cumulative = 0;
    for (int i = 0; i < plan.agreed.installments_size(); ++i) {
      const auto& installment = plan.agreed.installments(i);
      cumulative += installment.amount().amount_minor();
      if (plan.paid[i] || plan.missed[i] || plan.paid_minor >= cumulative)
        continue;
      work.Add(WorkKind::kInstallmentDue, ToCivilDay(installment.due_date()),
               absl::StrCat(plan.agreed.plan_id(), "/", installment.number()),
               installment.amount().amount_minor(),
               absl::StrCat("installment ", installment.number(), " of plan ",
                            plan.agreed.plan_id(), " due"));
    }
  }
  for (const LetterState& letter : state.letters) {
    if (letter.lapsed || letter.undeliverable ||
        !letter.term_last_day.has_value())
      continue;
    work.Add(WorkKind::kLetterDeadline, *letter.term_last_day + 1,
             letter.letter_id, 0,
             absl::StrCat("term of ", v1::LetterLevel_Name(letter.level), " ",
                          letter.letter_id, " ends"));
  }
  VatReliefWork(state, work);
  if (const RulePack* pack =
          FindRulePack(state.rule_pack, state.DayOf(state.last_activity_at))) {
    if (const std::optional<absl::CivilDay> due =
            ValidationNoticeDue(state, *pack)) {
      work.Add(WorkKind::kValidationNotice, *due, "validation-notice", 0,
               "validation notice due (Reg F 1006.34(a)(1))");
    }
  }
  for (const InvoiceState& invoice : state.invoices) {
    if (invoice.owed.total() <= 0) continue;
    const std::string& number = invoice.line.invoice_number();
    work.Add(WorkKind::kLimitation, invoice.limitation_deadline, number, 0,
             absl::StrCat("limitation of invoice ", number, " ends"));
  }
  std::vector<WorkItem> items = work.Take();
  if (std::optional<NextStep> next = NextBestAction(state)) {
    WorkItem& item = items.emplace_back();
    item.kind = WorkKind::kNextBestAction;
    item.due_at = next->due_at;
    item.reference = next->action;
    item.description = std::move(next->reason);
    item.action = std::move(next->action);
    item.treatment_path = std::move(next->path);
    item.segment = std::move(next->segment);
  }
  return items;
}

}  // namespace collections::domain
