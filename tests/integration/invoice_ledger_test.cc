// The invoice ledger through the real server over gRPC (issue 23's "done
// when"): interest per invoice from its own default date, the same interest
// in one step or many, business costs by the scale, VAT relief per invoice
// after a write-off, limitation unchanged by an undeliverable letter and
// restarted by a part-payment, a payment designated to the newer invoice,
// and the rate table's known-until day. Each test names its rule.
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/server/collections_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using Stub = v1::CaseCommands::Stub;
using ::testing::HasSubstr;

absl::TimeZone Amsterdam() {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Amsterdam", &zone);
  return zone;
}

absl::Time At(int year, int month, int day, int hour = 10) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0),
                         Amsterdam());
}

v1::LocalDate Date(int year, int month, int day) {
  return domain::ToLocalDate(absl::CivilDay(year, month, day));
}

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

struct Line {
  std::string number;
  int64_t gross;
  int64_t vat;
  absl::CivilDay due;
};

class InvoiceLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.clock = &clock_;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    commands_ = v1::CaseCommands::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
  }

  template <typename Request>
  Request Command(const std::string& case_id, absl::Time at) {
    Request request;
    request.mutable_context()->set_request_id(absl::StrCat("r", ++step_));
    *request.mutable_context()->mutable_occurred_at() = ToTimestamp(at);
    if constexpr (std::is_same_v<Request, v1::OpenCaseRequest>) {
      request.mutable_case_()->set_case_id(case_id);
    } else {
      request.set_case_id(case_id);
    }
    return request;
  }

  template <typename Request>
  grpc::Status Run(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&,
                                                v1::CommandResult*),
                   const Request& request) {
    grpc::ClientContext context;
    v1::CommandResult result;
    grpc::Status status = ((*commands_).*method)(&context, request, &result);
    if (status.ok()) last_position_ = result.last_position();
    return status;
  }

  void Open(const std::string& case_id, const std::string& pack,
            const std::vector<Line>& lines, absl::Time at,
            const std::string& creditor = "acme") {
    auto open = Command<v1::OpenCaseRequest>(case_id, at);
    v1::CaseOpened* opened = open.mutable_case_();
    opened->set_debtor_id(absl::StrCat("d-", case_id));
    opened->set_creditor_id(creditor);
    opened->set_debtor_kind(pack == "nl-business" ? v1::DEBTOR_KIND_BUSINESS
                                                  : v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("EUR");
    opened->set_rule_pack(pack);
    opened->set_jurisdiction("NL");
    for (const Line& l : lines) {
      v1::ClaimLine* line = opened->add_claim_lines();
      line->set_invoice_number(l.number);
      *line->mutable_due_date() = domain::ToLocalDate(l.due);
      *line->mutable_net() = Eur(l.gross - l.vat);
      *line->mutable_vat() = Eur(l.vat);
      *line->mutable_gross() = Eur(l.gross);
    }
    grpc::Status status = Run(&Stub::OpenCase, open);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Accrue(const std::string& case_id, v1::LocalDate up_to,
                      absl::Time at) {
    auto request = Command<v1::AccrueInterestRequest>(case_id, at);
    *request.mutable_up_to() = up_to;
    return Run(&Stub::AccrueInterest, request);
  }

  grpc::Status Pay(const std::string& case_id, int64_t amount, absl::Time at,
                   const std::string& reference = "") {
    auto request = Command<v1::RecordPaymentRequest>(case_id, at);
    v1::PaymentReceived* payment = request.mutable_payment();
    payment->set_payment_id(absl::StrCat("P", step_));
    *payment->mutable_amount() = Eur(amount);
    *payment->mutable_value_date() =
        domain::ToLocalDate(absl::ToCivilDay(at, Amsterdam()));
    payment->set_method(v1::PAYMENT_METHOD_BANK_TRANSFER);
    payment->set_reference(reference);
    return Run(&Stub::RecordPayment, request);
  }

  void ProcessDue(absl::Time as_of) {
    v1::ProcessDueEventsRequest request;
    *request.mutable_as_of() = ToTimestamp(as_of);
    v1::ProcessDueEventsResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        commands_->ProcessDueEvents(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    if (response.last_position() > 0) last_position_ = response.last_position();
  }

  v1::CaseView Case(const std::string& case_id) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    request.set_min_position(last_position_);
    v1::GetCaseResponse response;
    grpc::ClientContext context;
    grpc::Status status = queries_->GetCase(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_();
  }

  static const v1::InvoiceView& Invoice(const v1::CaseView& view,
                                        const std::string& number) {
    for (const auto& invoice : view.invoices()) {
      if (invoice.invoice_number() == number) return invoice;
    }
    static const v1::InvoiceView* none = new v1::InvoiceView;
    ADD_FAILURE() << "no invoice " << number;
    return *none;
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone())};
  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  int step_ = 0;
  uint64_t last_position_ = 0;
};

TEST_F(InvoiceLedgerTest,
       Art6_119_InterestRunsPerInvoiceFromItsOwnDefaultDate) {
  // A small old invoice (€50.00, due 31 Dec 2024) and a large recent one
  // (€5,000.00, due 30 Nov 2025), consumer rate 6% all of 2025.
  // INV-OLD: 365 d × 5000 × 600 = 1,095,000,000 / 3,650,000 = €3.00.
  // INV-NEW: from 1 Dec 2025, 31 d × 500000 × 600 = 9,300,000,000 →
  // 2547.9 → €25.48. Together €28.48, where one balance from the oldest due
  // date would have charged 6% of €5,050.00 for a year (€303.00).
  Open("c-int", "nl-consumer",
       {{"INV-OLD", 5000, 868, absl::CivilDay(2024, 12, 31)},
        {"INV-NEW", 500000, 86777, absl::CivilDay(2025, 11, 30)}},
       At(2024, 12, 1));
  ASSERT_TRUE(Accrue("c-int", Date(2026, 1, 1), At(2026, 1, 2)).ok());
  const v1::CaseView view = Case("c-int");
  EXPECT_EQ(Invoice(view, "INV-OLD").interest_accrued().amount_minor(), 300);
  EXPECT_EQ(Invoice(view, "INV-NEW").interest_accrued().amount_minor(), 2548);
  EXPECT_EQ(Invoice(view, "INV-NEW").default_date().day(), 1);
  EXPECT_EQ(view.balance().interest().amount_minor(), 2848);
}

TEST_F(InvoiceLedgerTest, Art6_119_2_OneAccrualAndManyGiveTheSameInterest) {
  // €1,000.00 due 15 Mar 2024 (default 16 Mar 2024): the anniversary on
  // 16 Mar 2025 adds the first year's interest to the base whether interest
  // is accrued once up to 1 Jun 2026 or month by month.
  const std::vector<Line> lines = {
      {"INV-1", 100000, 17355, absl::CivilDay(2024, 3, 15)}};
  Open("c-once", "nl-consumer", lines, At(2024, 3, 1));
  Open("c-monthly", "nl-consumer", lines, At(2024, 3, 1));
  ASSERT_TRUE(Accrue("c-once", Date(2026, 6, 1), At(2026, 6, 1)).ok());
  for (absl::CivilMonth month(2024, 4); month <= absl::CivilMonth(2026, 6);
       ++month) {
    const absl::CivilDay day(month);
    grpc::Status status = Accrue(
        "c-monthly", domain::ToLocalDate(day),
        absl::FromCivil(absl::CivilSecond(day.year(), day.month(), 1, 10, 0, 0),
                        Amsterdam()));
    ASSERT_TRUE(status.ok()) << day << ": " << status.error_message();
  }
  const int64_t once = Case("c-once").balance().interest().amount_minor();
  const int64_t monthly = Case("c-monthly").balance().interest().amount_minor();
  // Year 1: 291 d × 100000 × 700 + 74 d × 100000 × 600 = 24,810,000,000
  // → €67.97 capitalised on 16 Mar 2025; year 2: 291 d × 106797 × 600 +
  // 74 d × 106797 × 400 = 21,807,947,400 → €127.72 capitalised by 16 Mar
  // 2026; then 77 d × 112772 × 400 = 3,473,377,600: 50,091,325,000 /
  // 3,650,000 = 13723.7 → €137.24.
  EXPECT_EQ(once, 13724);
  EXPECT_EQ(monthly, once);
}

TEST_F(InvoiceLedgerTest,
       Art6_96_4_BusinessDebtorsOweTheScaleAtLeast40PerInvoice) {
  // €5,000.00 overdue: 15% of €2,500 + 10% of €2,500 = €375 + €250 = €625.
  Open("c-b2b", "nl-business",
       {{"INV-1", 500000, 86777, absl::CivilDay(2026, 3, 31)}}, At(2026, 3, 1));
  auto costs =
      Command<v1::AssessCollectionCostsRequest>("c-b2b", At(2026, 4, 1));
  grpc::Status status = Run(&Stub::AssessCollectionCosts, costs);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Case("c-b2b").balance().costs().amount_minor(), 62500);

  // Two small invoices of €100.00: the scale gives 15% of €200 = €30, below
  // the €40 minimum per invoice: 2 × €40 = €80, €40 on each.
  Open("c-b2b-small", "nl-business",
       {{"INV-A", 10000, 1736, absl::CivilDay(2026, 3, 31)},
        {"INV-B", 10000, 1736, absl::CivilDay(2026, 3, 31)}},
       At(2026, 3, 1));
  auto small =
      Command<v1::AssessCollectionCostsRequest>("c-b2b-small", At(2026, 4, 1));
  status = Run(&Stub::AssessCollectionCosts, small);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::CaseView view = Case("c-b2b-small");
  EXPECT_EQ(view.balance().costs().amount_minor(), 8000);
  EXPECT_EQ(Invoice(view, "INV-A").costs_assessed().amount_minor(), 4000);
  EXPECT_EQ(Invoice(view, "INV-B").costs_assessed().amount_minor(), 4000);
}

TEST_F(InvoiceLedgerTest, Wet_OB_29_VatReliefPerInvoiceDueAfterWriteOff) {
  // INV-PAID €121.00 (VAT €21.00) is paid in full by designation; INV-OPEN
  // €242.00 (VAT €42.00) is written off and the case closed. A year after
  // the due date relief becomes due for INV-OPEN's €42.00 only.
  Open("c-vat", "nl-consumer",
       {{"INV-PAID", 12100, 2100, absl::CivilDay(2025, 1, 31)},
        {"INV-OPEN", 24200, 4200, absl::CivilDay(2025, 1, 31)}},
       At(2025, 1, 2));
  ASSERT_TRUE(Pay("c-vat", 12100, At(2025, 3, 3), "INV-PAID").ok());
  auto write_off = Command<v1::WriteOffRequest>("c-vat", At(2025, 6, 2));
  write_off.mutable_write_off()->set_reason(v1::WRITE_OFF_REASON_UNECONOMIC);
  *write_off.mutable_write_off()->mutable_amount()->mutable_principal() =
      Eur(24200);
  write_off.mutable_write_off()->set_approved_by("credit-manager");
  ASSERT_TRUE(Run(&Stub::WriteOff, write_off).ok());
  auto close = Command<v1::CloseCaseRequest>("c-vat", At(2025, 6, 3));
  close.mutable_closure()->set_reason(v1::CLOSURE_REASON_WRITTEN_OFF);
  ASSERT_TRUE(Run(&Stub::CloseCase, close).ok());

  ProcessDue(At(2026, 2, 2));
  v1::CaseView view = Case("c-vat");
  EXPECT_EQ(view.stage(), v1::CASE_STAGE_CLOSED);
  EXPECT_EQ(Invoice(view, "INV-PAID").vat_relief(), v1::VAT_RELIEF_STATE_NONE);
  EXPECT_EQ(Invoice(view, "INV-OPEN").vat_relief(), v1::VAT_RELIEF_STATE_DUE);
  EXPECT_EQ(Invoice(view, "INV-OPEN").vat_relief_amount().amount_minor(), 4200);

  // Due on 31 Jan 2026: the return for 2026-Q1. An earlier period is
  // refused; the right one is accepted and not late.
  auto early = Command<v1::ClaimVatReliefRequest>("c-vat", At(2026, 2, 3));
  early.mutable_claim()->set_invoice_number("INV-OPEN");
  early.mutable_claim()->set_return_period("2025-Q4");
  grpc::Status refused = Run(&Stub::ClaimVatRelief, early);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("NL_WET_OB_29_RETURN_PERIOD"));
  auto claim = Command<v1::ClaimVatReliefRequest>("c-vat", At(2026, 2, 3));
  claim.mutable_claim()->set_invoice_number("INV-OPEN");
  claim.mutable_claim()->set_return_period("2026-Q1");
  grpc::Status claimed = Run(&Stub::ClaimVatRelief, claim);
  ASSERT_TRUE(claimed.ok()) << claimed.error_message();
  view = Case("c-vat");
  EXPECT_EQ(Invoice(view, "INV-OPEN").vat_relief(),
            v1::VAT_RELIEF_STATE_CLAIMED);
  EXPECT_EQ(Invoice(view, "INV-OPEN").vat_relief_claimed().amount_minor(),
            4200);
  EXPECT_FALSE(Invoice(view, "INV-OPEN").vat_relief_late());
}

TEST_F(InvoiceLedgerTest,
       Wet_OB_29_AReceiptReversesReliefAndItsReversalRestoresIt) {
  // €1,210.00 (VAT €210.00) due 31 Jan 2025; relief claimed in 2026-Q1
  // (€210.00). €605.00 then received: half the VAT, €105.00, owed again;
  // the receipt reversed: the relief stands at €210.00 again.
  Open("c-rev", "nl-consumer",
       {{"INV-1", 121000, 21000, absl::CivilDay(2025, 1, 31)}}, At(2025, 1, 2));
  ProcessDue(At(2026, 2, 2));
  auto claim = Command<v1::ClaimVatReliefRequest>("c-rev", At(2026, 2, 3));
  claim.mutable_claim()->set_invoice_number("INV-1");
  ASSERT_TRUE(Run(&Stub::ClaimVatRelief, claim).ok());
  EXPECT_EQ(Invoice(Case("c-rev"), "INV-1").vat_relief_claimed().amount_minor(),
            21000);
  ASSERT_TRUE(Pay("c-rev", 60500, At(2026, 3, 2)).ok());
  EXPECT_EQ(Invoice(Case("c-rev"), "INV-1").vat_relief_claimed().amount_minor(),
            10500);
  auto reverse = Command<v1::ReversePaymentRequest>("c-rev", At(2026, 3, 9));
  reverse.set_payment_id(absl::StrCat("P", step_ - 1));
  reverse.set_reason("direct debit returned");
  grpc::Status reversed = Run(&Stub::ReversePayment, reverse);
  ASSERT_TRUE(reversed.ok()) << reversed.error_message();
  EXPECT_EQ(Invoice(Case("c-rev"), "INV-1").vat_relief_claimed().amount_minor(),
            21000);
}

TEST_F(InvoiceLedgerTest,
       Art3_317_UndeliverableLeavesLimitationAndArt3_318_PaymentRestartsIt) {
  // Due 31 Jan 2025: in time until 31 Jan 2030 (5 years).
  Open("c-lim", "nl-consumer",
       {{"INV-1", 100000, 17355, absl::CivilDay(2025, 1, 31)}}, At(2025, 1, 2));
  ProcessDue(At(2025, 2, 2));
  EXPECT_EQ(Invoice(Case("c-lim"), "INV-1").limitation_deadline().year(), 2030);

  // A reminder sent Mon 2 Mar 2026, assumed received Wed 4 Mar: a new
  // period to 4 Mar 2031 (art. 3:319) …
  auto letter = Command<v1::IssueLetterRequest>("c-lim", At(2026, 3, 2));
  letter.mutable_letter()->set_letter_id("L1");
  letter.mutable_letter()->set_level(v1::LETTER_LEVEL_REMINDER);
  letter.mutable_letter()->set_channel(v1::LETTER_CHANNEL_POST);
  letter.mutable_letter()->set_template_version("2026.1");
  *letter.mutable_letter()->mutable_amount_stated() = Eur(100000);
  grpc::Status issued = Run(&Stub::IssueLetter, letter);
  ASSERT_TRUE(issued.ok()) << issued.error_message();
  v1::InvoiceView invoice = Invoice(Case("c-lim"), "INV-1");
  EXPECT_EQ(invoice.limitation_deadline().year(), 2031);
  EXPECT_EQ(invoice.limitation_deadline().month(), 3);
  EXPECT_EQ(invoice.limitation_deadline().day(), 4);

  // … but it came back undeliverable: it reached no one (art. 3:37 lid 3),
  // and the deadline is 31 Jan 2030 again.
  auto back = Command<v1::RecordLetterOutcomeRequest>("c-lim", At(2026, 3, 9));
  back.mutable_undeliverable()->set_letter_id("L1");
  back.mutable_undeliverable()->set_reason("addressee unknown");
  grpc::Status returned = Run(&Stub::RecordLetterOutcome, back);
  ASSERT_TRUE(returned.ok()) << returned.error_message();
  invoice = Invoice(Case("c-lim"), "INV-1");
  EXPECT_EQ(invoice.limitation_deadline().year(), 2030);
  EXPECT_EQ(invoice.limitation_deadline().month(), 1);
  EXPECT_EQ(invoice.limitation_deadline().day(), 31);

  // A part-payment on 15 Apr 2026 acknowledges the debt (art. 3:318): a new
  // period to 15 Apr 2031.
  ASSERT_TRUE(Pay("c-lim", 10000, At(2026, 4, 15)).ok());
  invoice = Invoice(Case("c-lim"), "INV-1");
  EXPECT_EQ(invoice.limitation_deadline().year(), 2031);
  EXPECT_EQ(invoice.limitation_deadline().month(), 4);
  EXPECT_EQ(invoice.limitation_deadline().day(), 15);
}

TEST_F(InvoiceLedgerTest, Art6_43_1_APaymentDesignatedToTheNewerInvoice) {
  // The reference names INV-2 (the newer): all €300.00 goes there; without
  // a designation it would go to the older INV-1.
  Open("c-des", "nl-consumer",
       {{"INV-1", 50000, 0, absl::CivilDay(2026, 1, 31)},
        {"INV-2", 80000, 0, absl::CivilDay(2026, 2, 28)}},
       At(2026, 1, 2));
  ASSERT_TRUE(Pay("c-des", 30000, At(2026, 4, 1), "payment for INV-2").ok());
  ASSERT_TRUE(Pay("c-des", 10000, At(2026, 4, 2)).ok());
  const v1::CaseView view = Case("c-des");
  EXPECT_EQ(Invoice(view, "INV-2").paid().amount_minor(), 30000);
  EXPECT_EQ(Invoice(view, "INV-1").paid().amount_minor(), 10000);
}

TEST_F(InvoiceLedgerTest, Art6_96_6_CostsPerClaimAndTheRepeatedClaimsRule) {
  // INV-1 €2,000.00: 14-day letter sent Mon 2 Mar 2026, received Wed 4 Mar,
  // last day Wed 18 Mar; costs from 19 Mar: 15% = €300.00.
  Open("c-claims", "nl-consumer",
       {{"INV-1", 200000, 34711, absl::CivilDay(2026, 1, 31)}}, At(2026, 1, 2));
  ProcessDue(At(2026, 2, 2));
  auto letter = [&](const std::string& id, absl::Time at, int64_t amount) {
    auto request = Command<v1::IssueLetterRequest>("c-claims", at);
    request.mutable_letter()->set_letter_id(id);
    request.mutable_letter()->set_level(v1::LETTER_LEVEL_FOURTEEN_DAY);
    request.mutable_letter()->set_channel(v1::LETTER_CHANNEL_POST);
    request.mutable_letter()->set_template_version("2026.1");
    *request.mutable_letter()->mutable_amount_stated() = Eur(amount);
    return Run(&Stub::IssueLetter, request);
  };
  ASSERT_TRUE(letter("L1", At(2026, 3, 2), 200000).ok());
  auto costs =
      Command<v1::AssessCollectionCostsRequest>("c-claims", At(2026, 3, 19));
  ASSERT_TRUE(Run(&Stub::AssessCollectionCosts, costs).ok());
  EXPECT_EQ(Case("c-claims").balance().costs().amount_minor(), 30000);

  // INV-2 €2,000.00 added later: no costs without a 14-day letter of its
  // own, although L1's term lapsed (costs are owed per claim).
  auto add = Command<v1::AddClaimLineRequest>("c-claims", At(2026, 4, 1));
  v1::ClaimLine* line = add.mutable_line();
  line->set_invoice_number("INV-2");
  *line->mutable_due_date() = Date(2026, 3, 31);
  *line->mutable_vat() = Eur(34711);
  *line->mutable_gross() = Eur(200000);
  ASSERT_TRUE(Run(&Stub::AddClaimLine, add).ok());
  auto again =
      Command<v1::AssessCollectionCostsRequest>("c-claims", At(2026, 4, 2));
  grpc::Status refused = Run(&Stub::AssessCollectionCosts, again);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("NL_BW_6_96_COSTS_PER_CLAIM"));
  EXPECT_THAT(refused.error_message(), HasSubstr("INV-2"));

  // Its own letter (Wed 1 Apr, received Fri 3 Apr, last day Fri 17 Apr);
  // within six months of the costs on INV-1 the repeated-claims rule
  // (nl-consumer from 1 Oct 2024) gives the scale over both principals
  // less what was charged: 15% × €2,500 + 10% × €1,500 = €525.00 − €300.00
  // = €225.00 (not another €300.00).
  ASSERT_TRUE(letter("L2", At(2026, 4, 1), 400000).ok());
  auto second =
      Command<v1::AssessCollectionCostsRequest>("c-claims", At(2026, 4, 20));
  grpc::Status assessed = Run(&Stub::AssessCollectionCosts, second);
  ASSERT_TRUE(assessed.ok()) << assessed.error_message();
  const v1::CaseView view = Case("c-claims");
  EXPECT_EQ(Invoice(view, "INV-1").costs_assessed().amount_minor(), 30000);
  EXPECT_EQ(Invoice(view, "INV-2").costs_assessed().amount_minor(), 22500);
}

TEST_F(InvoiceLedgerTest, AccrualBeyondTheRateTableIsRefusedNamingIt) {
  Open("c-table", "nl-consumer",
       {{"INV-1", 100000, 0, absl::CivilDay(2026, 1, 31)}}, At(2026, 1, 2));
  grpc::Status refused = Accrue("c-table", Date(2026, 12, 1), At(2026, 12, 1));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("nl-6:119-consumer"));
  EXPECT_EQ(Case("c-table").balance().interest().amount_minor(), 0);
}

TEST_F(InvoiceLedgerTest, KpisAgePerInvoiceAndNeedCreditSalesForDso) {
  // On 1 Apr 2026: INV-1 due 31 Jan (60 days past due, €500.00), INV-2 due
  // 30 Apr (not yet due, €800.00).
  Open("c-kpi", "nl-consumer",
       {{"INV-1", 50000, 0, absl::CivilDay(2026, 1, 31)},
        {"INV-2", 80000, 0, absl::CivilDay(2026, 4, 30)}},
       At(2026, 1, 2), "kpi-creditor");
  v1::GetPortfolioKpisRequest request;
  request.set_creditor_id("kpi-creditor");
  *request.mutable_as_of() = ToTimestamp(At(2026, 4, 1));
  request.set_min_position(last_position_);
  v1::PortfolioKpis kpis;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(queries_->GetPortfolioKpis(&context, request, &kpis).ok());
  }
  EXPECT_EQ(kpis.open_invoices(), 2u);
  EXPECT_EQ(kpis.aging_31_60().amount_minor(), 50000);
  EXPECT_EQ(kpis.aging_not_yet_due().amount_minor(), 80000);
  EXPECT_FALSE(kpis.dso_known());
  ASSERT_FALSE(kpis.notes().empty());
  EXPECT_THAT(kpis.notes(0), HasSubstr("credit sales"));
  // With credit sales of €13,000.00 over 365 days: DSO = 130000 / 1300000
  // × 365 = 36.5 → 36 days.
  *request.mutable_credit_sales() = Eur(1300000);
  request.set_period_days(365);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(queries_->GetPortfolioKpis(&context, request, &kpis).ok());
  }
  EXPECT_TRUE(kpis.dso_known());
  EXPECT_EQ(kpis.dso_days(), 36u);
}

}  // namespace
}  // namespace collections
