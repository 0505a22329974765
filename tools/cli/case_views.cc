#include "tools/cli/case_views.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "tools/cli/cli_output.h"

ABSL_FLAG(std::string, debtor, "", "list, trail: only this debtor's cases");
ABSL_FLAG(int, page_size, 50, "entries per page");
ABSL_FLAG(uint64_t, after, 0, "tail: start after this global position");
ABSL_FLAG(std::string, as_of, "",
          "queue, kpis, process-due: the instant (RFC 3339, e.g. "
          "2026-12-01T09:00:00Z, or a date); empty = now");
ABSL_FLAG(std::string, creditor, "",
          "queue: only this creditor; kpis: the creditor (required)");
ABSL_FLAG(int64_t, credit_sales_minor, -1,
          "kpis: the creditor's credit sales over the period, minor units "
          "(DSO and CEI need it; -1 = not given)");
ABSL_FLAG(std::string, credit_sales_currency, "EUR",
          "kpis: the currency of --credit_sales_minor");
ABSL_FLAG(uint32_t, period_days, 365, "kpis: the period of the credit sales");
ABSL_FLAG(std::string, kind, "",
          "queue: only these kinds, comma-separated: promise_check, "
          "installment_due, letter_deadline, vat_relief, limitation");

namespace collections::cli {
namespace {

namespace v1 = ::collections::v1;

std::string Date(const v1::LocalDate& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

// Sets the request's as_of from --as_of (left unset, "now", without it);
// false (after saying why) when it does not parse.
template <typename Request>
bool AsOfFromFlag(Request* request) {
  const std::string text = absl::GetFlag(FLAGS_as_of);
  if (text.empty() || ParseInstant(text, request->mutable_as_of())) return true;
  UsageError(
      absl::StrCat("--as_of=", text, " is not an RFC 3339 instant or a date"));
  return false;
}

}  // namespace

int List(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  v1::ListCasesRequest request;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_debtor_id(absl::GetFlag(FLAGS_debtor));
  v1::ListCasesResponse response;
  grpc::Status status = stub->ListCases(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf("%-10s %-8s %-16s %-22s %s\n", "CASE", "DEBTOR", "CREDITOR",
              "STAGE", "OUTSTANDING");
  for (const auto& c : response.cases()) {
    std::printf("%-10s %-8s %-16s %-22s %s\n", c.case_id().c_str(),
                c.debtor_id().c_str(), c.creditor_id().c_str(),
                v1::CaseStage_Name(c.stage()).c_str(),
                FormatMoney(c.outstanding()).c_str());
  }
  if (!response.next_page_token().empty())
    std::printf("… more (page token %s)\n", response.next_page_token().c_str());
  return kExitOk;
}

int Case(const std::shared_ptr<grpc::Channel>& channel,
         const std::string& case_id) {
  auto stub = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::GetCaseResponse response;
  grpc::Status status = stub->GetCase(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  const v1::CaseView& c = response.case_();
  std::printf("case %s  debtor %s  creditor %s  (%s)\n", c.case_id().c_str(),
              c.debtor_id().c_str(), c.creditor_id().c_str(),
              c.rule_pack().c_str());
  std::printf("stage       %s\n", v1::CaseStage_Name(c.stage()).c_str());
  for (int h : c.holds())
    std::printf("hold        %s\n", v1::CaseHold_Name(h).c_str());
  std::printf(
      "claimed     %s\npaid        %s\nwritten off %s\noutstanding %s\n",
      FormatMoney(c.claimed()).c_str(), FormatMoney(c.paid()).c_str(),
      FormatMoney(c.written_off()).c_str(),
      FormatMoney(c.outstanding()).c_str());
  std::printf("  principal %s, interest %s, costs %s, fees %s\n",
              FormatMoney(c.balance().principal()).c_str(),
              FormatMoney(c.balance().interest()).c_str(),
              FormatMoney(c.balance().costs()).c_str(),
              FormatMoney(c.balance().fees()).c_str());
  for (const auto& installment : c.installments()) {
    std::printf("installment %u due %s %s paid %s%s\n", installment.number(),
                Date(installment.due_date()).c_str(),
                FormatMoney(installment.amount()).c_str(),
                FormatMoney(installment.paid()).c_str(),
                installment.missed() ? "  MISSED" : "");
  }
  if (c.has_limitation_deadline())
    std::printf("limitation  %s\n", Date(c.limitation_deadline()).c_str());
  if (!c.invoices().empty()) {
    // The invoice ledger: each claim line's own money and deadlines.
    int width = 7;  // "INVOICE"
    for (const v1::InvoiceView& invoice : c.invoices())
      width =
          std::max(width, static_cast<int>(invoice.invoice_number().size()));
    std::printf("%-*s %-10s %12s %12s %12s %12s %-10s %s\n", width, "INVOICE",
                "DUE", "PRINCIPAL", "PAID", "INTEREST", "OWED", "LIMITATION",
                "VAT RELIEF");
    for (const v1::InvoiceView& invoice : c.invoices()) {
      std::string relief;
      switch (invoice.vat_relief()) {
        case v1::VAT_RELIEF_STATE_NOT_YET_DUE:
          relief = "due " + Date(invoice.vat_relief_due_on()) + " (" +
                   FormatMoney(invoice.vat_relief_amount()) + ")";
          break;
        case v1::VAT_RELIEF_STATE_DUE:
          relief = "DUE " + FormatMoney(invoice.vat_relief_amount());
          break;
        case v1::VAT_RELIEF_STATE_CLAIMED:
          relief = "claimed " + FormatMoney(invoice.vat_relief_claimed()) +
                   (invoice.vat_relief_late() ? " (late)" : "");
          break;
        default:
          relief = "-";
      }
      const int64_t owed = invoice.balance().principal().amount_minor() +
                           invoice.balance().interest().amount_minor() +
                           invoice.balance().costs().amount_minor() +
                           invoice.balance().fees().amount_minor();
      v1::Money owed_money = invoice.principal();
      owed_money.set_amount_minor(owed);
      std::printf("%-*s %-10s %12s %12s %12s %12s %-10s %s%s\n", width,
                  invoice.invoice_number().c_str(),
                  Date(invoice.due_date()).c_str(),
                  FormatMoney(invoice.principal()).c_str(),
                  FormatMoney(invoice.paid()).c_str(),
                  FormatMoney(invoice.interest_accrued()).c_str(),
                  FormatMoney(owed_money).c_str(),
                  Date(invoice.limitation_deadline()).c_str(), relief.c_str(),
                  invoice.time_barred() ? "  TIME-BARRED" : "");
    }
  }
  std::printf("calls %u, letters %u, version %llu, last position %llu\n",
              c.calls_logged(), c.letters_issued(),
              static_cast<unsigned long long>(c.version()),
              static_cast<unsigned long long>(c.last_position()));
  return kExitOk;
}

int Standing(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& case_id) {
  auto stub = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  v1::GetCaseStandingRequest request;
  request.set_case_id(case_id);
  v1::CaseStanding standing;
  grpc::Status status = stub->GetCaseStanding(&context, request, &standing);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(standing)) return kExitOk;
  std::printf("case %s  stage %s  outstanding %s  %u days past due\n",
              case_id.c_str(),
              v1::CaseStage_Name(standing.case_().stage()).c_str(),
              FormatMoney(standing.case_().outstanding()).c_str(),
              standing.days_past_due());
  for (const auto& action : standing.actions()) {
    if (action.allowed()) {
      std::printf("  %-26s allowed\n", action.action().c_str());
    } else {
      std::printf("  %-26s blocked  %s: %s\n", action.action().c_str(),
                  action.rule().c_str(), action.reason().c_str());
    }
  }
  return kExitOk;
}

int Timeline(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& debtor_id) {
  auto stub = v1::CaseQueries::NewStub(channel);
  v1::GetDebtorTimelineRequest request;
  request.set_debtor_id(debtor_id);
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  v1::GetDebtorTimelineResponse all;  // every page, for --json
  for (;;) {
    grpc::ClientContext context;
    v1::GetDebtorTimelineResponse response;
    grpc::Status status = stub->GetDebtorTimeline(&context, request, &response);
    if (!status.ok()) return Fail(status);
    for (const auto& e : response.entries()) {
      if (JsonOutput()) {
        *all.add_entries() = e;
        continue;
      }
      std::printf("%s  %-10s  %-18s %s  (by %s, #%llu)\n",
                  FormatTime(e.occurred_at()).c_str(), e.case_id().c_str(),
                  e.type().c_str(), e.summary().c_str(), e.actor().id().c_str(),
                  static_cast<unsigned long long>(e.global_position()));
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (JsonOutput()) PrintJson(all);
  return kExitOk;
}

int Tail(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::EventStream::NewStub(channel);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_position(absl::GetFlag(FLAGS_after));
  auto reader = stub->Subscribe(&context, request);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    for (const auto& e : message.events()) {
      if (JsonOutput()) {
        PrintJson(e);
      } else {
        std::printf("#%llu %s v%llu %s\n",
                    static_cast<unsigned long long>(e.global_position()),
                    e.stream_id().c_str(),
                    static_cast<unsigned long long>(e.stream_version()),
                    e.type().c_str());
      }
    }
    std::fflush(stdout);
  }
  grpc::Status status = reader->Finish();
  return status.ok() ? kExitOk : Fail(status);
}

int WorkQueue(const std::shared_ptr<grpc::Channel>& channel) {
  v1::GetWorkQueueRequest request;
  if (!AsOfFromFlag(&request)) return kExitUsage;
  request.set_creditor_id(absl::GetFlag(FLAGS_creditor));
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  for (absl::string_view kind :
       absl::StrSplit(absl::GetFlag(FLAGS_kind), ',', absl::SkipEmpty())) {
    v1::WorkKind parsed;
    if (!v1::WorkKind_Parse(
            absl::StrCat("WORK_KIND_", absl::AsciiStrToUpper(kind)), &parsed)) {
      return UsageError(absl::StrCat("--kind: no work kind '", kind, "'"));
    }
    request.add_kinds(parsed);
  }
  auto stub = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  v1::GetWorkQueueResponse response;
  grpc::Status status = stub->GetWorkQueue(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf("%-20s %-16s %-10s %-8s %-14s %s\n", "DUE", "KIND", "CASE",
              "DEBTOR", "AMOUNT", "WHAT");
  for (const v1::WorkItem& item : response.items()) {
    std::string kind = v1::WorkKind_Name(item.kind());
    kind = absl::AsciiStrToLower(absl::StripPrefix(kind, "WORK_KIND_"));
    std::printf("%-20s %-16s %-10s %-8s %-14s %s\n",
                FormatTime(item.due_at()).c_str(), kind.c_str(),
                item.case_id().c_str(), item.debtor_id().c_str(),
                item.has_amount() ? FormatMoney(item.amount()).c_str() : "",
                item.description().c_str());
  }
  std::printf("%d items (log position %llu)%s\n", response.items_size(),
              static_cast<unsigned long long>(response.as_of_position()),
              response.next_page_token().empty() ? "" : "; more pages");
  return kExitOk;
}

int Kpis(const std::shared_ptr<grpc::Channel>& channel) {
  if (absl::GetFlag(FLAGS_creditor).empty())
    return UsageError("kpis needs --creditor=ID (figures are per creditor)");
  v1::GetPortfolioKpisRequest request;
  if (!AsOfFromFlag(&request)) return kExitUsage;
  request.set_creditor_id(absl::GetFlag(FLAGS_creditor));
  if (absl::GetFlag(FLAGS_credit_sales_minor) >= 0) {
    request.mutable_credit_sales()->set_amount_minor(
        absl::GetFlag(FLAGS_credit_sales_minor));
    request.mutable_credit_sales()->set_currency(
        absl::GetFlag(FLAGS_credit_sales_currency));
    request.set_period_days(absl::GetFlag(FLAGS_period_days));
  }
  auto stub = v1::CaseQueries::NewStub(channel);
  grpc::ClientContext context;
  v1::PortfolioKpis k;
  grpc::Status status = stub->GetPortfolioKpis(&context, request, &k);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(k)) return kExitOk;
  auto permille = [](uint32_t value) {
    return absl::StrFormat("%u.%u%%", value / 10, value % 10);
  };
  std::printf("portfolio %s  as of %s  (%s)\n", k.creditor_id().c_str(),
              FormatTime(k.as_of()).c_str(), k.currency().c_str());
  std::printf("open cases        %u (%u invoices)\n", k.open_cases(),
              k.open_invoices());
  std::printf("open principal    %s\n",
              FormatMoney(k.value().principal()).c_str());
  std::printf("  interest        %s\n  costs           %s\n",
              FormatMoney(k.value().interest()).c_str(),
              FormatMoney(k.value().costs()).c_str());
  std::printf("aging 0-30        %s\naging 31-60       %s\n",
              FormatMoney(k.aging_0_30()).c_str(),
              FormatMoney(k.aging_31_60()).c_str());
  std::printf("aging 61-90       %s\naging over 90     %s\n",
              FormatMoney(k.aging_61_90()).c_str(),
              FormatMoney(k.aging_over_90()).c_str());
  std::printf("not yet due       %s\n",
              FormatMoney(k.aging_not_yet_due()).c_str());
  std::printf("receivables       %s\n", FormatMoney(k.receivables()).c_str());
  if (k.dso_known()) {
    std::printf("DSO               %u days\n", k.dso_days());
  } else {
    std::printf("DSO               -\n");
  }
  if (k.cei_known()) {
    std::printf("CEI               %s\n", permille(k.cei_permille()).c_str());
  } else {
    std::printf("CEI               -\n");
  }
  for (const std::string& note : k.notes())
    std::printf("note              %s\n", note.c_str());
  std::printf("promises          %u kept, %u broken (%s kept)\n",
              k.promises_kept(), k.promises_broken(),
              permille(k.promise_kept_rate_permille()).c_str());
  std::printf("payment plans     %u, %u defaulted (%s)\n", k.plans(),
              k.plans_defaulted(),
              permille(k.plan_default_rate_permille()).c_str());
  for (const v1::AgencyKpis& agency : k.agencies()) {
    std::printf("agency %-10s %u placed, %s placed, %s recovered (%s)\n",
                agency.agency_id().c_str(), agency.placements(),
                FormatMoney(agency.placed()).c_str(),
                FormatMoney(agency.recovered()).c_str(),
                permille(agency.recovery_rate_permille()).c_str());
  }
  for (const v1::WriteOffsByReason& write_off : k.write_offs()) {
    std::printf("written off       %s  %s\n",
                FormatMoney(write_off.amount()).c_str(),
                v1::WriteOffReason_Name(write_off.reason()).c_str());
  }
  std::printf("VAT relief        %s due, %s claimed (%s late)\n",
              FormatMoney(k.vat_relief_due()).c_str(),
              FormatMoney(k.vat_relief_claimed()).c_str(),
              FormatMoney(k.vat_relief_late()).c_str());
  return kExitOk;
}

}  // namespace collections::cli
