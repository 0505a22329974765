// Properties of the invoice ledger (issue 27, point 4), checked on
// generated cases: random invoices (across year ends and the leap day of
// 2024), then random sequences of payments (designated or not, some above
// the balance), reversals, interest accruals, cost assessments, credit
// notes and write-offs, each decided by the pure domain and folded. After
// every step:
//   - art. 6:43/6:44 BW: a payment's allocations (per invoice and for the
//     case) plus what it overpaid add up to the payment, exactly;
//   - the case's balance is the sum of its invoices' plus what is owed on
//     no invoice, bucket by bucket; no bucket anywhere goes negative;
//   - art. 29 Wet OB: no invoice's relieved VAT exceeds its VAT;
//   - replaying the log from the start, and a snapshot round trip, give the
//     state the incremental fold holds.
// And as separate properties: reversing a payment at once restores the
// ledger exactly; accruing interest (art. 6:119a BW) to a day in one step
// or in any two steps gives the same total.
//
// Deterministic: fixed seeds (std::mt19937), so a failure names its seed
// and replays.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/services/domain/case_under_test.h"
#include "tests/services/domain/ledger_invariants.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;
using fixtures::CaseUnderTest;
using fixtures::Eur;
using fixtures::Local;

constexpr int kSeeds = 150;

// A business case (commercial interest, art. 6:119a BW) with 1-4 invoices
// due between 2023-11 and 2024-03: the year end and 2024-02-29 fall inside
// the periods the interest runs over.
v1::CaseOpened RandomOpening(std::mt19937& random) {
  v1::CaseOpened opened = CaseUnderTest::Opening("nl-business");
  opened.clear_claim_lines();
  const int invoices = std::uniform_int_distribution<int>(1, 4)(random);
  for (int i = 0; i < invoices; ++i) {
    v1::ClaimLine* line = opened.add_claim_lines();
    line->set_invoice_number(absl::StrCat("INV-", i + 1));
    const int64_t gross =
        std::uniform_int_distribution<int64_t>(1, 500000)(random);
    const absl::CivilDay due =
        absl::CivilDay(2023, 11, 1) +
        std::uniform_int_distribution<int>(0, 130)(random);
    *line->mutable_due_date() = ToLocalDate(due);
    *line->mutable_gross() = Eur(gross);
    *line->mutable_vat() = Eur(gross * 21 / 121);
  }
  return opened;
}

// The invariants that hold after every step (ledger_invariants.h);
// `where` names seed and step.
void ExpectLedgerInvariants(const CaseUnderTest& c, const std::string& where) {
  ASSERT_EQ(fixtures::LedgerViolation(c.state_, c.events_), "") << where;
}

// Pays `amount` (designating `invoice` when not empty) on `day`.
absl::Status Pay(CaseUnderTest& c, int64_t amount, const std::string& invoice,
                 absl::CivilDay day) {
  v1::PaymentReceived payment;
  payment.set_payment_id(absl::StrCat("P", ++c.payments_));
  *payment.mutable_amount() = Eur(amount);
  *payment.mutable_value_date() = ToLocalDate(day);
  payment.set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
  if (!invoice.empty()) payment.set_invoice_number(invoice);
  c.now_ = Local(day);
  return c.Apply(
      DecideRecordPayment(c.state_, payment, CaseUnderTest::In(c.now_)));
}

absl::Status Reverse(CaseUnderTest& c, const std::string& payment_id,
                     absl::CivilDay day) {
  PaymentReversal reversal{payment_id, "returned by the bank"};
  c.now_ = Local(day);
  return c.Apply(
      DecideReversePayment(c.state_, reversal, CaseUnderTest::In(c.now_)));
}

absl::Status Accrue(CaseUnderTest& c, absl::CivilDay up_to,
                    absl::CivilDay day) {
  c.now_ = Local(day);
  return c.Apply(DecideAccrueInterest(c.state_, ToLocalDate(up_to),
                                      CaseUnderTest::In(c.now_)));
}

// The ledger's part of the state: what a reversal must restore.
std::string LedgerOf(const CaseState& s) {
  std::string out = absl::StrCat(s.owed.principal, "/", s.owed.interest, "/",
                                 s.owed.costs, "/", s.owed.fees, " paid ",
                                 s.paid_minor, " u ", s.unattributed.total());
  for (const InvoiceState& invoice : s.invoices) {
    absl::StrAppend(&out, " ", invoice.number(), ":", invoice.owed.principal,
                    "/", invoice.owed.interest, "/", invoice.owed.costs, "/",
                    invoice.owed.fees, " p", invoice.paid_minor);
  }
  return out;
}

TEST(LedgerPropertiesTest,
     Art6_43_6_44_BW_AllocationsBalanceReplayAndVat_OnGeneratedSequences) {
  int steps_applied = 0, payments = 0, reversals = 0, accruals = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937 random(seed);
    absl::CivilDay day = absl::CivilDay(2024, 3, 20);
    CaseUnderTest c(RandomOpening(random), day);
    ASSERT_TRUE(c.state_.exists) << "seed " << seed;
    const int steps = std::uniform_int_distribution<int>(10, 40)(random);
    for (int step = 0; step < steps; ++step) {
      day += std::uniform_int_distribution<int>(0, 20)(random);
      const std::string where = absl::StrCat("seed ", seed, " step ", step);
      const int op = std::uniform_int_distribution<int>(0, 9)(random);
      absl::Status status;
      if (op <= 3) {  // a payment, sometimes designated, sometimes too much
        const int64_t owed = std::max<int64_t>(1, c.state_.owed.total());
        const int64_t amount =
            std::uniform_int_distribution<int64_t>(1, owed + owed / 4)(random);
        std::string designated;
        if (!c.state_.invoices.empty() && op == 0) {
          designated = c.state_
                           .invoices[std::uniform_int_distribution<size_t>(
                               0, c.state_.invoices.size() - 1)(random)]
                           .number();
        }
        status = Pay(c, amount, designated, day);
        if (status.ok()) ++payments;
      } else if (op == 4) {  // reverse a payment still standing
        std::vector<std::string> standing;
        for (const auto& p : c.state_.payments)
          if (!p.reversed) standing.push_back(p.payment_id);
        if (standing.empty()) continue;
        status = Reverse(c,
                         standing[std::uniform_int_distribution<size_t>(
                             0, standing.size() - 1)(random)],
                         day);
        if (status.ok()) ++reversals;
      } else if (op <= 6) {  // interest up to today
        status = Accrue(c, day, day);
        if (status.ok()) ++accruals;
      } else if (op == 7) {  // collection costs (the scale, art. 6:96 BW)
        status = c.Costs(Local(day));
      } else if (op == 8 && !c.state_.invoices.empty()) {  // a credit note
        const InvoiceState& invoice =
            c.state_.invoices[std::uniform_int_distribution<size_t>(
                0, c.state_.invoices.size() - 1)(random)];
        v1::CreditNoteApplied credit;
        credit.set_credit_note_number(absl::StrCat("CN-", step));
        credit.set_invoice_number(invoice.number());
        *credit.mutable_amount() = Eur(std::uniform_int_distribution<int64_t>(
            1, std::max<int64_t>(1, invoice.owed.principal))(random));
        c.now_ = Local(day);
        status = c.Apply(
            DecideApplyCreditNote(c.state_, credit, CaseUnderTest::In(c.now_)));
      } else if (!c.state_.invoices.empty()) {  // write off one invoice
        const InvoiceState& invoice =
            c.state_.invoices[std::uniform_int_distribution<size_t>(
                0, c.state_.invoices.size() - 1)(random)];
        v1::WriteOffApproved write_off;
        write_off.set_reason(v1::WRITE_OFF_REASON_UNECONOMIC);
        write_off.set_invoice_number(invoice.number());
        *write_off.mutable_amount()->mutable_principal() =
            Eur(invoice.owed.principal);
        write_off.set_approved_by("manager-1");
        c.now_ = Local(day);
        status = c.Apply(
            DecideWriteOff(c.state_, write_off, CaseUnderTest::In(c.now_)));
      }
      // A refusal is fine (the rules may say no); the ledger must hold.
      if (status.ok()) {
        ++steps_applied;
        ASSERT_EQ(fixtures::PaymentViolation(c.last_), "") << where;
      }
      ExpectLedgerInvariants(c, where);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  // The generator reached what it is for.
  EXPECT_GT(steps_applied, kSeeds * 5);
  EXPECT_GT(payments, kSeeds);
  EXPECT_GT(reversals, kSeeds / 5);
  EXPECT_GT(accruals, kSeeds);
}

TEST(LedgerPropertiesTest, ReversingAPaymentRestoresTheLedgerExactly) {
  int checked = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937 random(seed);
    const absl::CivilDay day = absl::CivilDay(2024, 3, 20);
    CaseUnderTest c(RandomOpening(random), day);
    // Some history first: interest and a partial payment.
    ASSERT_TRUE(Accrue(c, day, day).ok()) << "seed " << seed;
    (void)Pay(c, std::max<int64_t>(1, c.state_.owed.total() / 3), "", day + 1);
    // Interest up to the payment's day first: a payment accrues what ran
    // until its value date (so art. 6:44 BW can pay it), a fact of its own
    // that the reversal rightly leaves standing.
    ASSERT_TRUE(Accrue(c, day + 2, day + 2).ok()) << "seed " << seed;
    const std::string before = LedgerOf(c.state_);
    const int64_t owed = std::max<int64_t>(1, c.state_.owed.total());
    const std::string designated =
        c.state_.invoices.back().number();  // sometimes not the first due
    ASSERT_TRUE(
        Pay(c, std::uniform_int_distribution<int64_t>(1, owed + 500)(random),
            seed % 2 ? designated : "", day + 2)
            .ok())
        << "seed " << seed;
    ASSERT_NE(LedgerOf(c.state_), before) << "seed " << seed;
    ASSERT_TRUE(Reverse(c, c.state_.payments.back().payment_id, day + 2).ok())
        << "seed " << seed;
    EXPECT_EQ(LedgerOf(c.state_), before) << "seed " << seed;
    ++checked;
  }
  EXPECT_EQ(checked, kSeeds);
}

// Art. 6:119a BW interest runs per day on each invoice's principal of that
// day: how the period is cut into accruals must not change the total.
TEST(LedgerPropertiesTest, Art6_119a_BW_InterestInAnySplitOfAPeriodIsTheSame) {
  int with_interest = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937 random(seed);
    const absl::CivilDay opened = absl::CivilDay(2024, 3, 20);
    CaseUnderTest one(RandomOpening(random), opened);
    // A payment in the middle changes the base partway.
    const absl::CivilDay paid_on =
        opened + std::uniform_int_distribution<int>(1, 200)(random);
    const int64_t amount = std::uniform_int_distribution<int64_t>(
        1, std::max<int64_t>(1, one.state_.owed.principal))(random);
    ASSERT_TRUE(Pay(one, amount, "", paid_on).ok()) << "seed " << seed;
    CaseUnderTest split = one;
    // From the day after the payment, across 2024-12-31 and up to a year.
    const absl::CivilDay end =
        paid_on + std::uniform_int_distribution<int>(2, 365)(random);
    const absl::CivilDay middle =
        paid_on + 1 +
        std::uniform_int_distribution<int>(
            0, static_cast<int>(end - paid_on) - 2)(random);
    ASSERT_TRUE(Accrue(one, end, end).ok()) << "seed " << seed;
    ASSERT_TRUE(Accrue(split, middle, middle).ok()) << "seed " << seed;
    ASSERT_TRUE(Accrue(split, end, end).ok()) << "seed " << seed;
    EXPECT_EQ(split.state_.interest_accrued_minor,
              one.state_.interest_accrued_minor)
        << "seed " << seed << ": to " << end << " in one step or via "
        << middle;
    EXPECT_TRUE(split.state_.owed == one.state_.owed) << "seed " << seed;
    if (one.state_.interest_accrued_minor > 0) ++with_interest;
  }
  EXPECT_GT(with_interest, kSeeds * 3 / 4);  // the property was exercised
}

}  // namespace
}  // namespace collections::domain
