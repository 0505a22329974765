// Work items: what a case will need done, and when — the days its promise is
// kept or broken, its unpaid installments fall due, its letters' terms end,
// its VAT relief becomes claimable and its limitation deadlines fall. The
// work queue projection (services/projections/case_work_items.h) indexes
// them by due time — and the treatment path's next best action.
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_
#define COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/domain/case_state.h"

namespace collections::domain {

enum class WorkKind {
  kPromiseCheck,      // the day a promise is kept or broken
  kInstallmentDue,    // an unpaid installment's due date
  kLetterDeadline,    // the day after a letter's term
  kVatRelief,         // VAT relief becomes claimable
  kLimitation,        // the last day a legal step is in time
  kValidationNotice,  // Reg F 1006.34(a)(1): due 5 days after first contact
  kNextBestAction,    // the treatment path's next step (treatment.h)
};

// One thing to do on the case (whose ids and currency are the case's).
struct WorkItem {
  WorkKind kind = WorkKind::kPromiseCheck;
  absl::Time due_at;         // the start of the day, in the case's zone
  std::string reference;     // promise, "<plan>/<installment>", letter, invoice
  int64_t amount_minor = 0;  // what is at stake; 0 when no amount is
  std::string description;   // readable by a person
  // kNextBestAction: the step ("letter:REMINDER", "write_off"…), the path
  // that chose it, the debtor's segment; reference = the action.
  std::string action;
  std::string treatment_path;
  std::string segment;
};

// The case's open work items, in no particular order; none for a closed or
// unknown case.
std::vector<WorkItem> UpcomingWork(const CaseState& state);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_WORK_ITEMS_H_
