#include "services/projections/case_work_items.h"

#include <utility>

#include "common/time_conversion.h"
#include "services/domain/work_items.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

v1::WorkKind ToProto(domain::WorkKind kind) {
  switch (kind) {
    case domain::WorkKind::kPromiseCheck:
      return v1::WORK_KIND_PROMISE_CHECK;
    case domain::WorkKind::kInstallmentDue:
      return v1::WORK_KIND_INSTALLMENT_DUE;
    case domain::WorkKind::kLetterDeadline:
      return v1::WORK_KIND_LETTER_DEADLINE;
    case domain::WorkKind::kVatRelief:
      return v1::WORK_KIND_VAT_RELIEF;
    case domain::WorkKind::kValidationNotice:
      return v1::WORK_KIND_VALIDATION_NOTICE;
    case domain::WorkKind::kLimitation:
      return v1::WORK_KIND_LIMITATION;
    case domain::WorkKind::kNextBestAction:
      return v1::WORK_KIND_NEXT_BEST_ACTION;
  }
  return v1::WORK_KIND_UNSPECIFIED;
}

}  // namespace

std::vector<v1::WorkItem> WorkItemsOf(const domain::CaseState& state) {
  std::vector<v1::WorkItem> items;
  for (domain::WorkItem& work : domain::UpcomingWork(state)) {
    v1::WorkItem& item = items.emplace_back();
    item.set_case_id(state.case_id);
    item.set_debtor_id(state.debtor_id);
    item.set_creditor_id(state.creditor_id);
    item.set_kind(ToProto(work.kind));
    *item.mutable_due_at() = ToTimestamp(work.due_at);
    item.set_reference(std::move(work.reference));
    if (work.amount_minor > 0) {
      item.mutable_amount()->set_amount_minor(work.amount_minor);
      item.mutable_amount()->set_currency(state.currency);
    }
    item.set_description(std::move(work.description));
    item.set_action(std::move(work.action));
    item.set_treatment_path(std::move(work.treatment_path));
    item.set_segment(std::move(work.segment));
  }
  return items;
}

}  // namespace collections::projections
