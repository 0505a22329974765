// Plan schedules: equal installments, the remainder on the last, dates kept
// on the first date's day of the month where the month has it.
#include "services/domain/payment_schedule.h"

#include "gtest/gtest.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

TEST(PaymentScheduleTest, RemainderGoesOnTheLastInstallment) {
  const auto schedule = GenerateSchedule(100000, 3, absl::CivilDay(2026, 3, 1),
                                         v1::PLAN_FREQUENCY_MONTHLY);
  ASSERT_EQ(schedule.size(), 3u);
  EXPECT_EQ(schedule[0].amount, 33333);
  EXPECT_EQ(schedule[1].amount, 33333);
  EXPECT_EQ(schedule[2].amount, 33334);
  EXPECT_EQ(schedule[2].number, 3u);
  int64_t sum = 0;
  for (const auto& installment : schedule) sum += installment.amount;
  EXPECT_EQ(sum, 100000);
}

TEST(PaymentScheduleTest, MonthlyDatesClampToShortMonths) {
  const auto schedule = GenerateSchedule(400, 4, absl::CivilDay(2028, 1, 31),
                                         v1::PLAN_FREQUENCY_MONTHLY);
  EXPECT_EQ(schedule[0].due, absl::CivilDay(2028, 1, 31));
  EXPECT_EQ(schedule[1].due, absl::CivilDay(2028, 2, 29));  // leap year
  EXPECT_EQ(schedule[2].due, absl::CivilDay(2028, 3, 31));
  EXPECT_EQ(schedule[3].due, absl::CivilDay(2028, 4, 30));
}

TEST(PaymentScheduleTest, WeeklyAndSingleInstallment) {
  const auto weekly = GenerateSchedule(1000, 2, absl::CivilDay(2026, 12, 28),
                                       v1::PLAN_FREQUENCY_WEEKLY);
  EXPECT_EQ(weekly[1].due, absl::CivilDay(2027, 1, 4));
  const auto single = GenerateSchedule(999, 1, absl::CivilDay(2026, 5, 5),
                                       v1::PLAN_FREQUENCY_MONTHLY);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].amount, 999);
  EXPECT_TRUE(GenerateSchedule(10, 0, absl::CivilDay(2026, 5, 5),
                               v1::PLAN_FREQUENCY_MONTHLY)
                  .empty());
}

}  // namespace
}  // namespace collections::domain
