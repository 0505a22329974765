// Payment plan schedules (domain.md §1.7): n installments of equal amount,
// the remainder of the division on the last, due every week or every month
// from the first due date. A monthly plan keeps the first date's day of the
// month, or the month's last day when it is shorter (31 Jan, 28 Feb, 31 Mar).
//
// Pure; thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_PAYMENT_SCHEDULE_H_
#define COLLECTIONS_SERVICES_DOMAIN_PAYMENT_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"

namespace collections::domain {

struct ScheduledInstallment {
  uint32_t number = 0;  // 1-based
  absl::CivilDay due;
  int64_t amount = 0;
};

// The schedule of `count` (>= 1) installments over `total` (>= count, so no
// installment is zero) minor units.
std::vector<ScheduledInstallment> GenerateSchedule(
    int64_t total, uint32_t count, absl::CivilDay first_due,
    collections::v1::PlanFrequency frequency);

// `months` months after `day`, clamped to the last day of the target month.
absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_PAYMENT_SCHEDULE_H_
