#include "services/app/case_queries.h"

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "services/app/case_standing.h"
#include "services/app/portfolio_kpis.h"
#include "services/domain/claim_deadlines.h"
#include "services/domain/command_checks.h"
#include "services/domain/rule_packs.h"
#include "services/domain/treatment.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/event_summary.h"
#include "services/projections/timeline_projection.h"

namespace collections::app {
namespace {

using ::collections::v1::Event;
using ::collections::v1::EventPayload;

using domain::MoneyOf;

absl::StatusOr<uint32_t> PageSize(uint32_t requested) {
  if (requested == 0) return CaseQueryHandler::kDefaultPageSize;
  if (requested > CaseQueryHandler::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", requested, " is above the maximum of ",
                     CaseQueryHandler::kMaxPageSize));
  }
  return requested;
}

}  // namespace

collections::v1::InvoiceView ToInvoiceView(
    const domain::CaseState& state, const domain::InvoiceState& invoice) {
  namespace v1 = ::collections::v1;
  const std::string& currency = state.currency;
  v1::InvoiceView view;
  view.set_invoice_number(invoice.number());
  *view.mutable_due_date() = invoice.line.due_date();
  *view.mutable_default_date() = domain::ToLocalDate(invoice.default_day());
  *view.mutable_principal() = MoneyOf(invoice.gross_minor(), currency);
  *view.mutable_paid() = MoneyOf(invoice.paid_minor, currency);
  *view.mutable_credited() = MoneyOf(invoice.credited_minor, currency);
  *view.mutable_written_off() = MoneyOf(invoice.written_off_minor, currency);
  *view.mutable_balance() = domain::ToAllocation(invoice.owed, currency);
  *view.mutable_interest_accrued() =
      MoneyOf(invoice.interest_accrued_minor, currency);
  if (invoice.interest_until.has_value())
    *view.mutable_interest_until() =
        domain::ToLocalDate(*invoice.interest_until);
  *view.mutable_costs_assessed() =
      MoneyOf(invoice.costs_assessed_minor, currency);
  *view.mutable_limitation_deadline() =
      domain::ToLocalDate(invoice.limitation_deadline);
  const absl::CivilDay today = state.DayOf(state.last_activity_at);
  view.set_time_barred(invoice.owed.total() > 0 &&
                       domain::TimeBarredOn(invoice, today));
  const int64_t share = domain::VatShareOf(invoice);
  *view.mutable_vat_relief_amount() = MoneyOf(share, currency);
  *view.mutable_vat_relief_due_on() =
      domain::ToLocalDate(domain::VatReliefDueDate(invoice.due));
  *view.mutable_vat_relief_claimed() =
      MoneyOf(invoice.vat_relief_minor, currency);
  view.set_vat_relief_late(invoice.vat_relief_late);
  const domain::RulePack* pack = domain::FindRulePack(state.rule_pack, today);
  if (invoice.vat_relief_claimed) {
    view.set_vat_relief(v1::VAT_RELIEF_STATE_CLAIMED);
  } else if (pack == nullptr || !pack->vat_relief || share <= 0) {
    view.set_vat_relief(v1::VAT_RELIEF_STATE_NONE);
  } else if (invoice.vat_relief_due) {
    view.set_vat_relief(v1::VAT_RELIEF_STATE_DUE);
  } else {
    view.set_vat_relief(v1::VAT_RELIEF_STATE_NOT_YET_DUE);
  }
  return view;
}

collections::v1::CaseView ToCaseView(const domain::CaseState& state) {
  collections::v1::CaseView view;
  view.set_case_id(state.case_id);
  view.set_debtor_id(state.debtor_id);
  view.set_creditor_id(state.creditor_id);
  view.set_debtor_kind(state.debtor_kind);
  view.set_currency(state.currency);
  view.set_rule_pack(state.rule_pack);
  view.set_jurisdiction(state.jurisdiction);
  view.set_time_zone(state.time_zone);
  view.set_stage(domain::ToProtoStage(state.stage));
  for (collections::v1::CaseHold hold : state.Holds()) view.add_holds(hold);
  const std::string& currency = state.currency;
  *view.mutable_claimed() = MoneyOf(state.claimed_minor, currency);
  *view.mutable_paid() = MoneyOf(state.paid_minor, currency);
  *view.mutable_written_off() = MoneyOf(state.written_off_minor, currency);
  *view.mutable_outstanding() = MoneyOf(state.outstanding_minor(), currency);
  *view.mutable_balance() = domain::ToAllocation(state.owed, currency);
  *view.mutable_costs_assessed() =
      MoneyOf(state.costs_assessed_minor, currency);
  *view.mutable_interest_accrued() =
      MoneyOf(state.interest_accrued_minor, currency);
  *view.mutable_disputed() = MoneyOf(state.disputed_minor(), currency);
  std::optional<absl::CivilDay> limitation;
  for (const auto& invoice : state.invoices) {
    *view.add_claim_lines() = invoice.line;
    if (invoice.owed.total() > 0 &&
        (!limitation.has_value() || invoice.limitation_deadline < *limitation))
      limitation = invoice.limitation_deadline;
    if (invoice.vat_relief_due && !invoice.vat_relief_claimed)
      view.add_vat_relief_due_invoices(invoice.line.invoice_number());
    *view.add_invoices() = ToInvoiceView(state, invoice);
  }
  if (limitation.has_value())
    *view.mutable_limitation_deadline() = domain::ToLocalDate(*limitation);
  view.set_calls_logged(state.calls_logged);
  view.set_letters_issued(static_cast<uint32_t>(state.letters.size()));
  view.set_last_letter(state.last_letter);
  if (state.open_promise.has_value())
    *view.mutable_open_promise() = state.open_promise->made;
  if (state.plan.has_value()) {
    const domain::PlanState& plan = *state.plan;
    *view.mutable_plan() = plan.agreed;
    int64_t cumulative = 0;
    for (int i = 0; i < plan.agreed.installments_size(); ++i) {
      const auto& installment = plan.agreed.installments(i);
      const int64_t before = cumulative;
      cumulative += installment.amount().amount_minor();
      auto* standing = view.add_installments();
      standing->set_number(installment.number());
      *standing->mutable_due_date() = installment.due_date();
      *standing->mutable_amount() = installment.amount();
      *standing->mutable_paid() =
          MoneyOf(std::clamp<int64_t>(plan.paid_minor - before, 0,
                                      installment.amount().amount_minor()),
                  currency);
      standing->set_missed(plan.missed[i]);
    }
  }
  view.set_agency_id(state.agency_id);
  if (!state.agency_id.empty()) {
    view.set_recall_pending(state.recall_requested);
    view.set_reconciliation_required(state.reconciliation_required);
    *view.mutable_agency_balance() =
        MoneyOf(state.agency_balance_minor, currency);
  }
  for (const auto& dispute : state.open_disputes)
    view.add_open_dispute_ids(dispute.dispute_id);
  view.set_closure_reason(state.closure_reason);
  *view.mutable_opened_at() = ToTimestamp(state.opened_at);
  *view.mutable_last_activity_at() = ToTimestamp(state.last_activity_at);
  view.set_version(state.version);
  view.set_last_position(state.last_position);
  view.set_segment(state.debtor.segment().kind());
  if (const domain::RulePack* pack = domain::FindRulePack(
          state.rule_pack, state.DayOf(state.last_activity_at))) {
    view.set_treatment_path(
        domain::TreatmentLabel(domain::TreatmentOf(state, *pack)));
  }
  return view;
}

absl::StatusOr<collections::v1::DebtorProfile> CaseQueryHandler::GetDebtor(
    const collections::v1::GetDebtorRequest& request, absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("debtor_id", request.debtor_id()));
  COLLECTIONS_RETURN_IF_ERROR(
      WaitFor(*standing_, "case standing", request.min_position(), deadline));
  const uint64_t position = standing_->checkpoint();
  const std::string keyspace = standing_->keyspace();
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<collections::v1::DebtorProfile> stored,
      projections::ReadStoredDebtor(*store_, keyspace, request.debtor_id()));
  collections::v1::DebtorProfile profile =
      stored.value_or(collections::v1::DebtorProfile{});
  profile.set_debtor_id(request.debtor_id());
  const std::string prefix =
      projections::CaseStandingProjection::DebtorPrefix(request.debtor_id());
  std::string after;
  for (;;) {
    constexpr size_t kPage = 500;
    COLLECTIONS_ASSIGN_OR_RETURN(auto entries,
                                 store_->Scan(keyspace, prefix, after, kPage));
    for (const auto& [key, value] : entries)
      profile.add_case_ids(key.substr(prefix.size()));
    if (entries.size() < kPage) break;
    after = entries.back().first;
  }
  if (!stored.has_value() && profile.case_ids().empty()) {
    return absl::NotFoundError(
        absl::StrCat("debtor ", request.debtor_id(),
                     " has no debtor events and no cases (as of log position ",
                     position, ")"));
  }
  profile.set_as_of_position(position);
  return profile;
}

absl::Status CaseQueryHandler::WaitFor(
    const projections::ManagedProjection& projection, const char* name,
    uint64_t min_position, absl::Time deadline) {
  if (min_position == 0) return absl::OkStatus();
  const uint64_t reached = projection.WaitUntil(min_position, deadline);
  if (reached < min_position) {
    const ProjectionStatus status = projection.status();
    if (!status.failure.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the ", name, " projection stopped: ", status.failure.message()));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("the ", name, " reached position ", reached, ", not ",
                     min_position, ", before the deadline"));
  }
  return absl::OkStatus();
}

absl::StatusOr<domain::CaseState> CaseQueryHandler::LoadCase(
    const std::string& case_id, uint64_t min_position, absl::Time deadline) {
  if (min_position > 0) {
    const uint64_t reached = standing_->WaitUntil(min_position, deadline);
    if (reached < min_position) {
      return absl::DeadlineExceededError(
          absl::StrCat("the case standing reached position ", reached, ", not ",
                       min_position, ", before the deadline"));
    }
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      domain::CaseState state,
      projections::ReadStoredCase(*store_, standing_->keyspace(), case_id));
  if (!state.exists) {
    return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  }
  return state;
}

absl::StatusOr<collections::v1::GetCaseResponse> CaseQueryHandler::GetCase(
    const collections::v1::GetCaseRequest& request, absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("case_id", request.case_id()));
  COLLECTIONS_ASSIGN_OR_RETURN(
      domain::CaseState state,
      LoadCase(request.case_id(), request.min_position(), deadline));
  collections::v1::GetCaseResponse response;
  *response.mutable_case_() = ToCaseView(state);
  return response;
}

absl::StatusOr<collections::v1::CaseStanding> CaseQueryHandler::GetCaseStanding(
    const collections::v1::GetCaseStandingRequest& request,
    absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("case_id", request.case_id()));
  COLLECTIONS_ASSIGN_OR_RETURN(
      domain::CaseState state,
      LoadCase(request.case_id(), request.min_position(), deadline));
  const absl::Time as_of =
      request.has_as_of() ? ToTime(request.as_of()) : clock_->Now();
  return StandingAt(state, as_of);
}

absl::StatusOr<std::string> CaseQueryHandler::GetDebtorTimeline(
    const collections::v1::GetDebtorTimelineRequest& request,
    absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("debtor_id", request.debtor_id()));
  projections::TimelineQuery query;
  query.debtor_id = request.debtor_id();
  COLLECTIONS_ASSIGN_OR_RETURN(query.limit, PageSize(request.page_size()));
  if (!request.page_token().empty()) {
    query.after = projections::TimelineKey::Decode(request.page_token());
    if (!query.after.has_value()) {
      return absl::InvalidArgumentError(
          "page_token is malformed; pass the next_page_token of the previous "
          "page unchanged");
    }
  }
  if (!request.case_id().empty()) {
    COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("case_id", request.case_id()));
    query.case_id = request.case_id();
  }
  query.event_types.insert(request.event_types().begin(),
                           request.event_types().end());
  if (request.has_from()) query.from = ToTime(request.from());
  if (request.has_to()) query.to = ToTime(request.to());
  if (query.to <= query.from) {
    return absl::InvalidArgumentError("`to` must be after `from`");
  }
  query.include_events = request.include_events();
  COLLECTIONS_RETURN_IF_ERROR(
      WaitFor(*timeline_, "debtor timeline", request.min_position(), deadline));
  // Everything the answer shows is at or below this position.
  query.as_of = timeline_->checkpoint();
  COLLECTIONS_ASSIGN_OR_RETURN(
      projections::TimelinePage page,
      projections::ReadTimeline(*store_, timeline_->keyspace(), query, log_));
  if (!page.debtor_known) {
    return absl::NotFoundError(
        absl::StrCat("debtor ", request.debtor_id(), " has no cases"));
  }
  // The entries come pre-serialized; the rest of the response is serialized
  // after them (protobuf merges concatenated messages).
  collections::v1::GetDebtorTimelineResponse tail;
  tail.set_as_of_position(query.as_of);
  if (page.next.has_value()) tail.set_next_page_token(page.next->Encode());
  constexpr int kEntriesField =
      collections::v1::GetDebtorTimelineResponse::kEntriesFieldNumber;
  std::string response;
  for (projections::TimelineItem& item : page.items) {
    if (request.include_events() && vault_ != nullptr) {
      // The stored record carries personal data sealed: show it revealed
      // (or erased), never as ciphertext.
      collections::v1::Event event;
      if (!event.ParseFromString(item.event_bytes)) {
        return absl::DataLossError("a timeline event does not parse");
      }
      if (event.has_sealed()) {
        COLLECTIONS_RETURN_IF_ERROR(vault_->Reveal(event));
        item.event_bytes = event.SerializeAsString();
      }
    }
    projections::AppendEncodedEntry(item, request.include_events(),
                                    kEntriesField, &response);
  }
  tail.AppendToString(&response);
  return response;
}

absl::StatusOr<collections::v1::GetWorkQueueResponse>
CaseQueryHandler::GetWorkQueue(
    const collections::v1::GetWorkQueueRequest& request, absl::Time deadline) {
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t page_size,
                               PageSize(request.page_size()));
  if (!request.creditor_id().empty()) {
    COLLECTIONS_RETURN_IF_ERROR(
        domain::CheckId("creditor_id", request.creditor_id()));
  }
  if (!request.page_token().empty() &&
      request.page_token().rfind("wq/", 0) != 0) {
    return absl::InvalidArgumentError(
        "page_token is malformed; pass the next_page_token of the previous "
        "page unchanged");
  }
  const absl::Time as_of =
      request.has_as_of() ? ToTime(request.as_of()) : clock_->Now();
  const int within_days =
      request.limitation_within_days() == 0
          ? 90
          : static_cast<int>(request.limitation_within_days());
  const absl::Time limitation_until = as_of + absl::Hours(24 * within_days);
  // VAT relief is listed for the return period (quarter) of as_of, in UTC.
  const absl::CivilMonth month = absl::ToCivilMonth(as_of, absl::UTCTimeZone());
  const absl::CivilMonth quarter_end(month.year(),
                                     ((month.month() - 1) / 3 + 1) * 3 + 1);
  const absl::Time vat_until =
      absl::FromCivil(quarter_end, absl::UTCTimeZone());
  const absl::Time scan_until =
      std::max({as_of + absl::Nanoseconds(1), limitation_until, vat_until});
  absl::flat_hash_set<int> kinds(request.kinds().begin(),
                                 request.kinds().end());

  COLLECTIONS_RETURN_IF_ERROR(
      WaitFor(*standing_, "case standing", request.min_position(), deadline));
  collections::v1::GetWorkQueueResponse response;
  response.set_as_of_position(standing_->checkpoint());
  std::string after = request.page_token();
  constexpr size_t kChunk = 256;
  constexpr size_t kMaxScanned = 10000;  // bounded time with thin filters
  size_t scanned = 0;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::vector<projections::KeyedWorkItem> chunk,
        projections::ReadWorkQueue(*store_, standing_->keyspace(), scan_until,
                                   after, kChunk));
    for (auto& [key, item] : chunk) {
      after = key;
      ++scanned;
      const absl::Time due = ToTime(item.due_at());
      const absl::Time until =
          item.kind() == collections::v1::WORK_KIND_LIMITATION
              ? limitation_until
          : item.kind() == collections::v1::WORK_KIND_VAT_RELIEF
              ? vat_until
              : as_of + absl::Nanoseconds(1);
      const bool wanted = due < until &&
                          (kinds.empty() || kinds.contains(item.kind())) &&
                          (request.creditor_id().empty() ||
                           item.creditor_id() == request.creditor_id());
      if (wanted) *response.add_items() = std::move(item);
      if (response.items_size() == static_cast<int>(page_size) ||
          scanned == kMaxScanned) {
        response.set_next_page_token(after);  // more may follow
        return response;
      }
    }
    if (chunk.size() < kChunk) break;  // nothing due before scan_until left
  }
  return response;
}

absl::StatusOr<collections::v1::PortfolioKpis>
CaseQueryHandler::GetPortfolioKpis(
    const collections::v1::GetPortfolioKpisRequest& request,
    absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("creditor_id", request.creditor_id()));
  const absl::Time as_of =
      request.has_as_of() ? ToTime(request.as_of()) : clock_->Now();
  COLLECTIONS_RETURN_IF_ERROR(
      WaitFor(*standing_, "case standing", request.min_position(), deadline));
  const std::string keyspace = standing_->keyspace();
  const std::string prefix =
      absl::StrCat("creditor/", request.creditor_id(), "/");
  KpiAccumulator kpis(request.creditor_id(), as_of);
  if (request.has_credit_sales()) {
    if (request.credit_sales().amount_minor() < 0) {
      return absl::InvalidArgumentError("credit_sales is negative");
    }
    kpis.SetCreditSales(request.credit_sales().amount_minor(),
                        request.credit_sales().currency(),
                        request.period_days());
  }
  std::string after;
  bool any = false;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(auto entries,
                                 store_->Scan(keyspace, prefix, after, 500));
    for (const auto& [key, value] : entries) {
      any = true;
      COLLECTIONS_ASSIGN_OR_RETURN(
          projections::CaseWithFigures folded,
          projections::ReadStoredCaseWithFigures(*store_, keyspace,
                                                 key.substr(prefix.size())));
      kpis.Add(folded);
    }
    if (entries.size() < 500) break;
    after = entries.back().first;
  }
  if (!any) {
    return absl::NotFoundError(
        absl::StrCat("creditor ", request.creditor_id(), " has no cases"));
  }
  return kpis.Finish();
}

absl::StatusOr<collections::v1::ListCasesResponse> CaseQueryHandler::ListCases(
    const collections::v1::ListCasesRequest& request, absl::Time deadline) {
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t page_size,
                               PageSize(request.page_size()));
  if (!request.debtor_id().empty()) {
    COLLECTIONS_RETURN_IF_ERROR(
        domain::CheckId("debtor_id", request.debtor_id()));
  }
  std::string after;
  if (!request.page_token().empty()) {
    if (request.page_token()[0] != 'c' ||
        !domain::CheckId("page_token", request.page_token().substr(1)).ok()) {
      return absl::InvalidArgumentError(
          "page_token is malformed; pass the next_page_token of the previous "
          "page unchanged");
    }
    after = request.page_token().substr(1);
  }
  COLLECTIONS_RETURN_IF_ERROR(
      WaitFor(*standing_, "case standing", request.min_position(), deadline));
  collections::v1::ListCasesResponse response;
  response.set_as_of_position(standing_->checkpoint());
  bool more = false;
  COLLECTIONS_ASSIGN_OR_RETURN(
      const std::vector<domain::CaseState> cases,
      projections::ListStoredCases(*store_, standing_->keyspace(), after,
                                   request.debtor_id(), page_size, &more));
  for (const domain::CaseState& state : cases) {
    collections::v1::CaseSummary* summary = response.add_cases();
    summary->set_case_id(state.case_id);
    summary->set_debtor_id(state.debtor_id);
    summary->set_creditor_id(state.creditor_id);
    summary->set_stage(ToProtoStage(state.stage));
    *summary->mutable_outstanding() =
        MoneyOf(state.outstanding_minor(), state.currency);
    summary->set_version(state.version);
  }
  if (more && !cases.empty()) {
    response.set_next_page_token(absl::StrCat("c", cases.back().case_id));
  }
  return response;
}

}  // namespace collections::app
