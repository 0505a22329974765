#include "services/domain/payment_schedule.h"

#include <algorithm>

namespace collections::domain {

absl::CivilDay AddMonthsClamped(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  return absl::CivilDay(month.year(), month.month(),
                        std::min<int>(day.day(), last_of_month.day()));
}

std::vector<ScheduledInstallment> GenerateSchedule(
    int64_t total, uint32_t count, absl::CivilDay first_due,
    collections::v1::PlanFrequency frequency) {
  std::vector<ScheduledInstallment> schedule;
  if (count == 0) return schedule;
  const int64_t each = total / count;
  for (uint32_t i = 0; i < count; ++i) {
    ScheduledInstallment installment;
    installment.number = i + 1;
    installment.due = frequency == collections::v1::PLAN_FREQUENCY_WEEKLY
                          ? first_due + 7 * static_cast<int>(i)
                          : AddMonthsClamped(first_due, static_cast<int>(i));
    installment.amount = i + 1 == count ? total - each * (count - 1) : each;
    schedule.push_back(installment);
  }
  return schedule;
}

}  // namespace collections::domain
