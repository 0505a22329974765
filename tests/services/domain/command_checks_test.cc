// Structural checks: each malformed field is INVALID_ARGUMENT naming it.
#include "services/domain/command_checks.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace collections::domain {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CommandChecksTest, IdsAcceptTheirGrammarAndNameTheFieldOtherwise) {
  struct Case {
    std::string id;
    bool ok;
  } cases[] = {{"c-0001.x_1", true},         {"", false},
               {std::string(64, 'a'), true}, {std::string(65, 'a'), false},
               {"has space", false},         {"slash/", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    absl::Status status = CheckId("case_id", c.id);
    if (c.ok) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("case_id")));
    }
  }
}

TEST(CommandChecksTest, MoneyNeedsAnIsoCurrencyAndANonNegativeAmount) {
  collections::v1::Money money;
  money.set_currency("EUR");
  money.set_amount_minor(0);
  EXPECT_TRUE(CheckMoney("amount", true, money, /*positive=*/false).ok());
  EXPECT_THAT(
      CheckMoney("amount", true, money, /*positive=*/true),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("positive")));
  money.set_amount_minor(-1);
  EXPECT_THAT(CheckMoney("amount", true, money, false),
              StatusIs(absl::StatusCode::kInvalidArgument));
  money.set_amount_minor(100);
  money.set_currency("eur");
  EXPECT_THAT(CheckMoney("amount", true, money, false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("amount.currency")));
  EXPECT_THAT(
      CheckMoney("amount", false, money, false),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
}

TEST(CommandChecksTest, DatesMustBeRealCalendarDays) {
  struct Case {
    int y, m, d;
    bool ok;
  } cases[] = {{2024, 2, 29, true},   {2026, 2, 29, false},
               {2026, 13, 1, false},  {2026, 4, 31, false},
               {1899, 12, 31, false}, {2026, 12, 31, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.y << "-" << c.m << "-" << c.d);
    collections::v1::LocalDate date;
    date.set_year(c.y);
    date.set_month(c.m);
    date.set_day(c.d);
    EXPECT_EQ(CheckDate("due_date", true, date).ok(), c.ok);
  }
}

TEST(CommandChecksTest, PlanTermsNeedCountFirstDateAndAValidHash) {
  PaymentPlanTerms terms;
  terms.plan_id = "p1";
  terms.frequency = collections::v1::PLAN_FREQUENCY_MONTHLY;
  EXPECT_THAT(CheckPaymentPlanTerms(terms),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("installment_count must be 1..120, got 0")));
  terms.installment_count = 121;
  EXPECT_THAT(
      CheckPaymentPlanTerms(terms),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 121")));
  terms.installment_count = 120;
  EXPECT_THAT(CheckPaymentPlanTerms(terms),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("terms.first_due_date is required")));
  terms.first_due_date.emplace();
  terms.first_due_date->set_year(2026);
  terms.first_due_date->set_month(12);
  terms.first_due_date->set_day(1);
  EXPECT_TRUE(CheckPaymentPlanTerms(terms).ok());
  terms.signed_document_sha256 = "short";
  EXPECT_THAT(
      CheckPaymentPlanTerms(terms),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32-byte")));
}

TEST(CommandChecksTest, EachActNamesItsFirstMissingField) {
  EXPECT_THAT(CheckCallLogged({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("call.direction")));
  EXPECT_THAT(CheckPromiseMade({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("promise.promise_id")));
  EXPECT_THAT(CheckPaymentReceived({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("payment.payment_id")));
  EXPECT_THAT(CheckLetterIssued({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("letter.letter_id")));
  EXPECT_THAT(CheckDisputeRaised({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("dispute.dispute_id")));
  EXPECT_THAT(CheckHandedToAgency({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("placement.agency_id")));
  EXPECT_THAT(CheckWriteOffApproved({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("write_off.reason")));
  EXPECT_THAT(CheckCaseClosed({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("closure.reason")));
  EXPECT_THAT(CheckCaseOpened({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("case.case_id")));
}

}  // namespace
}  // namespace collections::domain
