// The invoice ledger: allocation (art. 6:43, 6:44 BW), limitation (art.
// 3:317–3:319 BW), the VAT share (art. 29 Wet OB) and the fold of old and
// new events. Worked examples: inputs, arithmetic in a comment, the result.
#include "services/domain/invoice_ledger.h"

#include <tuple>

#include "gtest/gtest.h"
#include "services/domain/case_state.h"

namespace collections::domain {
namespace {

namespace v1 = ::collections::v1;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

InvoiceState Invoice(const std::string& number, int64_t gross, int64_t vat,
                     absl::CivilDay due) {
  InvoiceState invoice;
  invoice.line.set_invoice_number(number);
  invoice.line.mutable_gross()->set_amount_minor(gross);
  invoice.line.mutable_gross()->set_currency("EUR");
  invoice.line.mutable_vat()->set_amount_minor(vat);
  invoice.line.mutable_vat()->set_currency("EUR");
  invoice.due = due;
  invoice.owed.principal = gross;
  return invoice;
}

TEST(InvoiceLedgerTest, Art6_44_CostsThenInterestThenPrincipalWithinAnInvoice) {
  // Owed: costs 4000, interest 1500, principal 100000; €60.00 paid:
  // 4000 to costs, 1500 to interest, 500 to principal.
  InvoiceState invoice = Invoice("INV-1", 100000, 0, Day(2026, 1, 31));
  invoice.owed.costs = 4000;
  invoice.owed.interest = 1500;
  const PaymentSplit split = AllocatePayment(
      {invoice}, {}, 6000, "", Day(2026, 3, 1), kDutchAllocationOrder);
  ASSERT_EQ(split.invoices.size(), 1u);
  EXPECT_EQ(split.total.costs, 4000);
  EXPECT_EQ(split.total.interest, 1500);
  EXPECT_EQ(split.total.principal, 500);
  EXPECT_EQ(split.overpaid, 0);
}

TEST(InvoiceLedgerTest,
     Art6_43_1_APaymentDesignatedToTheNewerInvoiceGoesThere) {
  // Two due invoices; the debtor names INV-2 (the newer): €300.00 all on
  // INV-2 although INV-1 is older.
  const std::vector<InvoiceState> invoices = {
      Invoice("INV-1", 50000, 0, Day(2026, 1, 31)),
      Invoice("INV-2", 80000, 0, Day(2026, 2, 28))};
  const PaymentSplit split = AllocatePayment(
      invoices, {}, 30000, "INV-2", Day(2026, 4, 1), kDutchAllocationOrder);
  ASSERT_EQ(split.invoices.size(), 1u);
  EXPECT_EQ(split.invoices[0].invoice_number, "INV-2");
  EXPECT_EQ(split.invoices[0].allocated.principal, 30000);
}

TEST(InvoiceLedgerTest, Art6_43_2_MostOnerousDueInvoiceFirstThenTheOldest) {
  // INV-A (oldest, no interest), INV-B (carries interest: more onerous),
  // INV-C (not yet due on 1 Apr: last). €1,000.00:
  // INV-B first (200 interest + 40000 principal = 40200), then INV-A
  // (30000), then INV-C (the rest, 29800).
  InvoiceState a = Invoice("INV-A", 30000, 0, Day(2026, 1, 31));
  InvoiceState b = Invoice("INV-B", 40000, 0, Day(2026, 2, 28));
  b.owed.interest = 200;
  b.interest_until = Day(2026, 4, 1);
  InvoiceState c = Invoice("INV-C", 50000, 0, Day(2026, 4, 30));
  const PaymentSplit split = AllocatePayment(
      {a, b, c}, {}, 100000, "", Day(2026, 4, 1), kDutchAllocationOrder);
  ASSERT_EQ(split.invoices.size(), 3u);
  EXPECT_EQ(split.invoices[0].invoice_number, "INV-B");
  EXPECT_EQ(split.invoices[0].allocated.total(), 40200);
  EXPECT_EQ(split.invoices[1].invoice_number, "INV-A");
  EXPECT_EQ(split.invoices[1].allocated.total(), 30000);
  EXPECT_EQ(split.invoices[2].invoice_number, "INV-C");
  EXPECT_EQ(split.invoices[2].allocated.total(), 29800);
}

TEST(InvoiceLedgerTest, OverpaymentIsWhatIsLeftAboveEverythingOwed) {
  // 10000 owed on the invoice + 500 fees on no invoice; 12000 paid:
  // 10000 + 500, 1500 overpaid.
  Buckets fees;
  fees.fees = 500;
  const PaymentSplit split =
      AllocatePayment({Invoice("INV-1", 10000, 0, Day(2026, 1, 31))}, fees,
                      12000, "", Day(2026, 3, 1), kDutchAllocationOrder);
  EXPECT_EQ(split.total.total(), 10500);
  EXPECT_EQ(split.overpaid, 1500);
  ASSERT_EQ(split.invoices.size(), 2u);
  EXPECT_EQ(split.invoices[1].invoice_number, "");
}

TEST(InvoiceLedgerTest, SplitByWeightGivesTheRemainderToTheLargestFractions) {
  // 1000 over 1:1:1 → 333.33 each; the one cent left goes to the first.
  EXPECT_EQ(SplitByWeight(1000, {1, 1, 1}),
            (std::vector<int64_t>{334, 333, 333}));
  // 100 over 5000:250000 → 1.96 and 98.04 → 2 and 98.
  EXPECT_EQ(SplitByWeight(100, {5000, 250000}), (std::vector<int64_t>{2, 98}));
  EXPECT_EQ(SplitByWeight(7, {0, 0}), (std::vector<int64_t>{7, 0}));
}

TEST(InvoiceLedgerTest, Art3_319_EachInterruptionStartsANewPeriod) {
  // Due 31 Jan 2026, 5 years: in time until 31 Jan 2031. A notice that
  // reached the debtor on 10 Mar 2027 starts a new 5 years: 10 Mar 2032.
  InvoiceState invoice = Invoice("INV-1", 10000, 0, Day(2026, 1, 31));
  invoice.limitation_years = 5;
  RecomputeLimitation(invoice);
  EXPECT_EQ(invoice.limitation_deadline, Day(2031, 1, 31));
  invoice.interruptions.push_back({Day(2027, 3, 10), "L1", {}});
  RecomputeLimitation(invoice);
  EXPECT_EQ(invoice.limitation_deadline, Day(2032, 3, 10));
  EXPECT_FALSE(TimeBarredOn(invoice, Day(2032, 3, 10)));
  EXPECT_TRUE(TimeBarredOn(invoice, Day(2032, 3, 11)));
}

TEST(InvoiceLedgerTest, Wet_OB_Art29_VatShareOfTheUnpaidPartOfThatInvoice) {
  // €1,210.00 of which €210.00 VAT; €605.00 principal still owed: half
  // the VAT, €105.00. Written off, the part stays unpaid: still €105.00.
  InvoiceState invoice = Invoice("INV-1", 121000, 21000, Day(2025, 1, 31));
  invoice.owed.principal = 60500;
  EXPECT_EQ(VatShareOf(invoice), 10500);
  invoice.owed.principal = 0;
  invoice.written_off_principal_minor = 60500;
  EXPECT_EQ(VatShareOf(invoice), 10500);
  // €333.33 of €1,210.00: 33333 × 21000 / 121000 = 5785.1 → €57.85.
  EXPECT_EQ(VatShareOfAmount(invoice, 33333), 5785);
}

TEST(InvoiceLedgerTest, PrincipalIsKnownForAnyDay) {
  InvoiceState invoice = Invoice("INV-1", 100000, 0, Day(2026, 1, 31));
  invoice.changes.push_back({Day(2026, 3, 1), -40000, 0});
  invoice.changes.push_back({Day(2026, 4, 1), -10000, 0});
  EXPECT_EQ(PrincipalOn(invoice, Day(2026, 2, 28)), 100000);
  EXPECT_EQ(PrincipalOn(invoice, Day(2026, 3, 1)), 60000);
  EXPECT_EQ(PrincipalOn(invoice, Day(2026, 4, 30)), 50000);
}

// ------------------------------------------------------------ the fold

class LedgerFoldTest : public ::testing::Test {
 protected:
  void Fold(v1::EventPayload payload, absl::CivilDay day) {
    v1::Event event;
    event.set_stream_version(state_.version + 1);
    *event.mutable_occurred_at() = ToTimestamp(absl::FromCivil(
        absl::CivilSecond(day.year(), day.month(), day.day(), 12, 0, 0),
        absl::UTCTimeZone()));
    *event.mutable_payload() = std::move(payload);
    Evolve(state_, event);
  }
  void Open() {
    v1::EventPayload payload;
    v1::CaseOpened* opened = payload.mutable_case_opened();
    opened->set_case_id("C1");
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_time_zone("Europe/Amsterdam");
    for (auto [number, gross, due] :
         {std::tuple{"INV-1", 50000, Day(2026, 1, 31)},
          std::tuple{"INV-2", 80000, Day(2026, 2, 28)}}) {
      v1::ClaimLine* line = opened->add_claim_lines();
      line->set_invoice_number(number);
      line->mutable_gross()->set_amount_minor(gross);
      line->mutable_gross()->set_currency("EUR");
      *line->mutable_due_date() = ToLocalDate(due);
    }
    Fold(payload, Day(2026, 1, 1));
  }
  // Σ invoices + unattributed == the case's buckets.
  void ExpectLedgerAddsUp() {
    Buckets sum = state_.unattributed;
    for (const auto& invoice : state_.invoices) sum += invoice.owed;
    EXPECT_EQ(sum.total(), state_.owed.total());
    EXPECT_EQ(sum.principal, state_.owed.principal);
    EXPECT_EQ(sum.interest, state_.owed.interest);
    EXPECT_EQ(sum.costs, state_.owed.costs);
  }
  CaseState state_;
};

TEST_F(LedgerFoldTest, APaymentFromBeforeTheLedgerSplitsOldestFirst) {
  // Migration rule: a case-level €600.00 on principal from an old event:
  // INV-1 (oldest) 50000, INV-2 10000. The case's balance is as before.
  Open();
  v1::EventPayload payload;
  v1::PaymentReceived* received = payload.mutable_payment_received();
  received->set_payment_id("P1");
  received->mutable_amount()->set_amount_minor(60000);
  received->mutable_allocation()->mutable_principal()->set_amount_minor(60000);
  Fold(payload, Day(2026, 3, 10));
  EXPECT_EQ(state_.owed.principal, 70000);
  EXPECT_EQ(state_.invoices[0].owed.principal, 0);
  EXPECT_EQ(state_.invoices[1].owed.principal, 70000);
  ExpectLedgerAddsUp();
}

TEST_F(LedgerFoldTest, AReversalPutsBackExactlyWhatEachInvoiceGave) {
  Open();
  v1::EventPayload payload;
  v1::PaymentReceived* received = payload.mutable_payment_received();
  received->set_payment_id("P1");
  received->mutable_amount()->set_amount_minor(30000);
  received->mutable_allocation()->mutable_principal()->set_amount_minor(30000);
  v1::InvoiceAllocation* part = received->add_invoice_allocations();
  part->set_invoice_number("INV-2");
  part->mutable_allocation()->mutable_principal()->set_amount_minor(30000);
  Fold(payload, Day(2026, 3, 10));
  EXPECT_EQ(state_.invoices[1].owed.principal, 50000);
  EXPECT_EQ(state_.invoices[1].paid_minor, 30000);
  v1::EventPayload reversal;
  reversal.mutable_payment_reversed()->set_payment_id("P1");
  reversal.mutable_payment_reversed()
      ->mutable_allocation()
      ->mutable_principal()
      ->set_amount_minor(30000);
  Fold(reversal, Day(2026, 3, 20));
  EXPECT_EQ(state_.invoices[0].owed.principal, 50000);
  EXPECT_EQ(state_.invoices[1].owed.principal, 80000);
  EXPECT_EQ(state_.invoices[1].paid_minor, 0);
  ExpectLedgerAddsUp();
}

TEST_F(LedgerFoldTest, Art3_37_3_AnUndeliverableNoticeInterruptsNothing) {
  Open();
  const absl::CivilDay before = state_.invoices[0].limitation_deadline;
  v1::EventPayload interrupted;
  auto* event = interrupted.mutable_limitation_interrupted();
  event->add_invoice_numbers("INV-1");
  event->set_letter_id("L1");
  event->set_ground(v1::LIMITATION_GROUND_WRITTEN_NOTICE);
  *event->mutable_interrupted_on() = ToLocalDate(Day(2027, 3, 10));
  Fold(interrupted, Day(2027, 3, 8));
  EXPECT_EQ(state_.invoices[0].limitation_deadline, Day(2032, 3, 10));
  v1::EventPayload undeliverable;
  undeliverable.mutable_letter_undeliverable()->set_letter_id("L1");
  Fold(undeliverable, Day(2027, 3, 15));
  EXPECT_EQ(state_.invoices[0].limitation_deadline, before);
}

TEST_F(LedgerFoldTest, OldInterestAndCostsSplitOverPrincipalOwed) {
  // Migration rule: €13.00 interest from an old, case-wide event over
  // 50000 : 80000 → 5.00 and 8.00.
  Open();
  v1::EventPayload payload;
  v1::InterestAccrued* accrued = payload.mutable_interest_accrued();
  accrued->mutable_amount()->set_amount_minor(1300);
  *accrued->mutable_to_date() = ToLocalDate(Day(2026, 4, 1));
  Fold(payload, Day(2026, 4, 1));
  EXPECT_EQ(state_.invoices[0].owed.interest, 500);
  EXPECT_EQ(state_.invoices[1].owed.interest, 800);
  ExpectLedgerAddsUp();
}

}  // namespace
}  // namespace collections::domain
