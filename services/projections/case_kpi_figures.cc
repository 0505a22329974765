#include "services/projections/case_kpi_figures.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

// The amount a reversal of `payment_id` takes back, as the state before it
// knows the payment (0 for an unknown or already reversed payment, as the
// fold of the balance does).
int64_t ReversedAmount(const domain::CaseState& before,
                       const std::string& payment_id) {
  for (const domain::PaymentState& payment : before.payments) {
    if (payment.payment_id == payment_id && !payment.reversed)
      return payment.amount_minor;
  }
  return 0;
}

void FoldFigures(const domain::CaseState& before, const v1::EventPayload& p,
                 CaseKpiFigures& kpis) {
  switch (p.kind_case()) {
    case v1::EventPayload::kPromiseKept:
      ++kpis.promises_kept;
      break;
    case v1::EventPayload::kPromiseBroken:
      ++kpis.promises_broken;
      break;
    case v1::EventPayload::kHandedToAgency:
      kpis.last_agency_id = p.handed_to_agency().agency_id();
      kpis.placed_balance_minor += before.owed.total();
      break;
    case v1::EventPayload::kAgencyPaymentReported:
      kpis.agency_collected_minor +=
          p.agency_payment_reported().amount().amount_minor();
      break;
    case v1::EventPayload::kAgencyPaymentReversed:
      kpis.agency_collected_minor -=
          ReversedAmount(before, p.agency_payment_reversed().payment_id());
      break;
    case v1::EventPayload::kWriteOffApproved:
      kpis.written_off_by_reason[p.write_off_approved().reason()] +=
          domain::FromAllocation(p.write_off_approved().amount()).total();
      break;
    default:
      break;
  }
}

}  // namespace

void FoldCase(CaseWithFigures& folded, const v1::Event& event) {
  FoldFigures(folded.state, event.payload(), folded.kpis);
  domain::Evolve(folded.state, event);
}

void AddToSnapshot(const CaseKpiFigures& kpis, v1::CaseSnapshot& snapshot) {
  snapshot.set_promises_kept(kpis.promises_kept);
  snapshot.set_promises_broken(kpis.promises_broken);
  snapshot.set_last_agency_id(kpis.last_agency_id);
  snapshot.set_placed_balance_minor(kpis.placed_balance_minor);
  snapshot.set_agency_collected_minor(kpis.agency_collected_minor);
  for (const auto& [reason, amount] : kpis.written_off_by_reason)
    (*snapshot.mutable_written_off_by_reason())[reason] = amount;
}

CaseKpiFigures KpiFiguresOf(const v1::CaseSnapshot& snapshot) {
  CaseKpiFigures kpis;
  kpis.promises_kept = snapshot.promises_kept();
  kpis.promises_broken = snapshot.promises_broken();
  kpis.last_agency_id = snapshot.last_agency_id();
  kpis.placed_balance_minor = snapshot.placed_balance_minor();
  kpis.agency_collected_minor = snapshot.agency_collected_minor();
  for (const auto& [reason, amount] : snapshot.written_off_by_reason())
    kpis.written_off_by_reason[reason] = amount;
  return kpis;
}

}  // namespace collections::projections
