#include "services/app/case_queries.h"

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/domain/command_checks.h"
#include "storage/status_macros.h"

namespace collections::app {
namespace {

using ::collections::v1::Event;
using ::collections::v1::EventPayload;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  if (t == absl::InfinitePast()) return ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

collections::v1::Money MakeMoney(int64_t minor, const std::string& currency) {
  collections::v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency(currency);
  return money;
}

std::string FormatMoney(const collections::v1::Money& money) {
  const int64_t minor = money.amount_minor();
  const int64_t abs_minor = minor < 0 ? -minor : minor;
  return absl::StrFormat("%s %s%d.%02d", money.currency(), minor < 0 ? "-" : "",
                         abs_minor / 100, abs_minor % 100);
}

collections::v1::CaseStage ToProtoStage(domain::CaseStage stage) {
  switch (stage) {
    case domain::CaseStage::kOpen:
      return collections::v1::CASE_STAGE_OPEN;
    case domain::CaseStage::kOverdue:
      return collections::v1::CASE_STAGE_OVERDUE;
    case domain::CaseStage::kReminded:
      return collections::v1::CASE_STAGE_REMINDED;
    case domain::CaseStage::kDunned:
      return collections::v1::CASE_STAGE_DUNNED;
    case domain::CaseStage::kFinalNotice:
      return collections::v1::CASE_STAGE_FINAL_NOTICE;
    case domain::CaseStage::kArrangement:
      return collections::v1::CASE_STAGE_ARRANGEMENT;
    case domain::CaseStage::kPlaced:
      return collections::v1::CASE_STAGE_PLACED;
    case domain::CaseStage::kLegal:
      return collections::v1::CASE_STAGE_LEGAL;
    case domain::CaseStage::kClosed:
      return collections::v1::CASE_STAGE_CLOSED;
  }
  return collections::v1::CASE_STAGE_UNSPECIFIED;
}

absl::StatusOr<uint32_t> PageSize(uint32_t requested) {
  if (requested == 0) return CaseQueryHandler::kDefaultPageSize;
  if (requested > CaseQueryHandler::kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", requested, " is above the maximum of ",
                     CaseQueryHandler::kMaxPageSize));
  }
  return requested;
}

// Timeline order: business time, then log position.
struct TimelineKey {
  int64_t occurred_nanos = 0;
  uint64_t position = 0;
  bool operator<(const TimelineKey& o) const {
    return occurred_nanos != o.occurred_nanos
               ? occurred_nanos < o.occurred_nanos
               : position < o.position;
  }
};

TimelineKey KeyOf(const Event& event) {
  return {
      event.occurred_at().seconds() * 1000000000 + event.occurred_at().nanos(),
      event.global_position()};
}

std::string EncodeTimelineToken(const TimelineKey& key) {
  return absl::StrCat("t", key.occurred_nanos, ".", key.position);
}

absl::StatusOr<TimelineKey> DecodeTimelineToken(const std::string& token) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  TimelineKey key;
  if (token.size() < 2 || token[0] != 't' || parts.size() != 2 ||
      !absl::SimpleAtoi(parts[0].substr(1), &key.occurred_nanos) ||
      !absl::SimpleAtoi(parts[1], &key.position)) {
    return absl::InvalidArgumentError(
        "page_token is malformed; pass the next_page_token of the previous "
        "page unchanged");
  }
  return key;
}

}  // namespace

std::string SummarizeEvent(const Event& event) {
  const EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case EventPayload::kCaseOpened:
      return absl::StrCat("Case ", p.case_opened().case_id(), " opened for ",
                          p.case_opened().claim_lines_size(),
                          " invoice(s) of creditor ",
                          p.case_opened().creditor_id());
    case EventPayload::kClaimLineAdded:
      return absl::StrCat(
          "Invoice ", p.claim_line_added().line().invoice_number(), " of ",
          FormatMoney(p.claim_line_added().line().gross()), " added");
    case EventPayload::kCallLogged:
      return absl::StrCat(
          p.call_logged().direction() == collections::v1::CALL_DIRECTION_INBOUND
              ? "Inbound"
              : "Outbound",
          " call: ",
          collections::v1::CallOutcome_Name(p.call_logged().outcome())
              .substr(13));
    case EventPayload::kPromiseMade:
      return absl::StrFormat("Promise to pay %s by %04d-%02d-%02d",
                             FormatMoney(p.promise_made().amount()),
                             p.promise_made().promised_date().year(),
                             p.promise_made().promised_date().month(),
                             p.promise_made().promised_date().day());
    case EventPayload::kPaymentReceived:
      return absl::StrCat(
          "Payment of ", FormatMoney(p.payment_received().amount()), " (",
          collections::v1::PaymentMethod_Name(p.payment_received().method())
              .substr(15),
          ")");
    case EventPayload::kHandedToAgency:
      return absl::StrCat("Handed to agency ",
                          p.handed_to_agency().agency_id());
    case EventPayload::kPaymentPlanAgreed:
      return absl::StrCat(
          "Payment plan of ", p.payment_plan_agreed().installments_size(),
          " installments, total ", FormatMoney(p.payment_plan_agreed().total()),
          " agreed");
    case EventPayload::kLetterIssued:
      return absl::StrCat(
          "Letter sent: ",
          collections::v1::LetterLevel_Name(p.letter_issued().level())
              .substr(13),
          " stating ", FormatMoney(p.letter_issued().amount_stated()));
    case EventPayload::kDisputeRaised:
      return absl::StrCat("Dispute raised: ", p.dispute_raised().reason());
    case EventPayload::kDisputeResolved:
      return absl::StrCat(
          "Dispute resolved: ",
          collections::v1::DisputeOutcome_Name(p.dispute_resolved().outcome())
              .substr(16));
    case EventPayload::kRecallRequested:
      return absl::StrCat("Recalled from agency ",
                          p.recall_requested().agency_id());
    case EventPayload::kWriteOffApproved:
      return absl::StrCat(
          "Write-off approved: ",
          collections::v1::WriteOffReason_Name(p.write_off_approved().reason())
              .substr(17));
    case EventPayload::kCaseClosed:
      return absl::StrCat("Case closed: ", collections::v1::ClosureReason_Name(
                                               p.case_closed().reason())
                                               .substr(15));
    case EventPayload::KIND_NOT_SET:
      break;
  }
  return event.type();
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
  view.set_stage(ToProtoStage(state.stage));
  if (!state.open_dispute_ids.empty())
    view.add_holds(collections::v1::CASE_HOLD_DISPUTE);
  if (state.open_promise.has_value())
    view.add_holds(collections::v1::CASE_HOLD_ACTIVE_PROMISE);
  if (!state.agency_id.empty())
    view.add_holds(collections::v1::CASE_HOLD_PLACED_WITH_AGENCY);
  *view.mutable_claimed() = MakeMoney(state.claimed_minor, state.currency);
  *view.mutable_paid() = MakeMoney(state.paid_minor, state.currency);
  *view.mutable_written_off() =
      MakeMoney(state.written_off_minor, state.currency);
  *view.mutable_outstanding() =
      MakeMoney(state.outstanding_minor(), state.currency);
  for (const auto& line : state.claim_lines) *view.add_claim_lines() = line;
  view.set_calls_logged(state.calls_logged);
  view.set_letters_issued(state.letters_issued);
  view.set_last_letter(state.last_letter);
  if (state.open_promise.has_value())
    *view.mutable_open_promise() = *state.open_promise;
  if (state.plan.has_value()) *view.mutable_plan() = *state.plan;
  view.set_agency_id(state.agency_id);
  for (const auto& id : state.open_dispute_ids) view.add_open_dispute_ids(id);
  view.set_closure_reason(state.closure_reason);
  *view.mutable_opened_at() = ToTimestamp(state.opened_at);
  *view.mutable_last_activity_at() = ToTimestamp(state.last_activity_at);
  view.set_version(state.version);
  view.set_last_position(state.last_position);
  return view;
}

absl::Status CaseQueryHandler::WaitForLog(uint64_t min_position,
                                          absl::Time deadline) {
  if (min_position == 0) return absl::OkStatus();
  const uint64_t reached = log_->WaitForPosition(min_position, deadline);
  if (reached < min_position) {
    return absl::DeadlineExceededError(
        absl::StrCat("the log reached position ", reached, ", not ",
                     min_position, ", before the deadline"));
  }
  return absl::OkStatus();
}

absl::Status CaseQueryHandler::WaitForDirectory(uint64_t min_position,
                                                absl::Time deadline) {
  if (min_position == 0) return absl::OkStatus();
  const uint64_t reached = directory_->WaitUntilApplied(min_position, deadline);
  if (reached < min_position) {
    return absl::DeadlineExceededError(
        absl::StrCat("the case directory reached position ", reached, ", not ",
                     min_position, ", before the deadline"));
  }
  return absl::OkStatus();
}

absl::StatusOr<domain::CaseState> CaseQueryHandler::LoadCase(
    const std::string& case_id) {
  const std::string stream = domain::CaseStreamId(case_id);
  domain::CaseState state;
  uint64_t from = 1;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::vector<storage::RecordedEvent> events,
        log_->ReadStream(stream, from, storage::ReadDirection::kForward, 1000));
    for (const auto& recorded : events) domain::Evolve(state, recorded.event);
    if (events.size() < 1000) break;
    from = state.version + 1;
  }
  if (!state.exists) {
    return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  }
  return state;
}

absl::StatusOr<collections::v1::GetCaseResponse> CaseQueryHandler::GetCase(
    const collections::v1::GetCaseRequest& request, absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("case_id", request.case_id()));
  COLLECTIONS_RETURN_IF_ERROR(WaitForLog(request.min_position(), deadline));
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state,
                               LoadCase(request.case_id()));
  collections::v1::GetCaseResponse response;
  *response.mutable_case_() = ToCaseView(state);
  return response;
}

absl::StatusOr<collections::v1::GetDebtorTimelineResponse>
CaseQueryHandler::GetDebtorTimeline(
    const collections::v1::GetDebtorTimelineRequest& request,
    absl::Time deadline) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("debtor_id", request.debtor_id()));
  COLLECTIONS_ASSIGN_OR_RETURN(uint32_t page_size,
                               PageSize(request.page_size()));
  std::optional<TimelineKey> after;
  if (!request.page_token().empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(after,
                                 DecodeTimelineToken(request.page_token()));
  }
  COLLECTIONS_RETURN_IF_ERROR(
      WaitForDirectory(request.min_position(), deadline));
  // Everything the answer shows is at or below this position.
  const uint64_t as_of = directory_->applied_position();
  const std::vector<std::string> case_ids =
      directory_->CasesOfDebtor(request.debtor_id());
  if (case_ids.empty()) {
    return absl::NotFoundError(
        absl::StrCat("debtor ", request.debtor_id(), " has no cases"));
  }
  std::vector<Event> events;
  for (const std::string& case_id : case_ids) {
    const std::string stream = domain::CaseStreamId(case_id);
    uint64_t from = 1;
    for (;;) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          std::vector<storage::RecordedEvent> page,
          log_->ReadStream(stream, from, storage::ReadDirection::kForward,
                           1000));
      for (auto& recorded : page) {
        if (recorded.event.global_position() > as_of) continue;
        if (after.has_value() && !(*after < KeyOf(recorded.event))) continue;
        events.push_back(std::move(recorded.event));
      }
      if (page.size() < 1000) break;
      from += page.size();
    }
  }
  const size_t shown = std::min<size_t>(events.size(), page_size);
  std::partial_sort(
      events.begin(), events.begin() + shown, events.end(),
      [](const Event& a, const Event& b) { return KeyOf(a) < KeyOf(b); });
  collections::v1::GetDebtorTimelineResponse response;
  response.set_as_of_position(as_of);
  for (size_t i = 0; i < shown; ++i) {
    Event& event = events[i];
    collections::v1::TimelineEntry* entry = response.add_entries();
    entry->set_case_id(event.stream_id().substr(5));  // "case-"
    *entry->mutable_occurred_at() = event.occurred_at();
    *entry->mutable_recorded_at() = event.recorded_at();
    entry->set_type(event.type());
    entry->set_summary(SummarizeEvent(event));
    *entry->mutable_actor() = event.actor();
    entry->set_global_position(event.global_position());
    *entry->mutable_event() = std::move(event);
  }
  if (events.size() > shown) {
    response.set_next_page_token(
        EncodeTimelineToken(KeyOf(response.entries(shown - 1).event())));
  }
  return response;
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
      WaitForDirectory(request.min_position(), deadline));
  collections::v1::ListCasesResponse response;
  response.set_as_of_position(directory_->applied_position());
  bool more = false;
  const std::vector<domain::CaseState> cases =
      directory_->ListCases(after, request.debtor_id(), page_size, &more);
  for (const domain::CaseState& state : cases) {
    collections::v1::CaseSummary* summary = response.add_cases();
    summary->set_case_id(state.case_id);
    summary->set_debtor_id(state.debtor_id);
    summary->set_creditor_id(state.creditor_id);
    summary->set_stage(ToProtoStage(state.stage));
    *summary->mutable_outstanding() =
        MakeMoney(state.outstanding_minor(), state.currency);
    summary->set_version(state.version);
  }
  if (more && !cases.empty()) {
    response.set_next_page_token(absl::StrCat("c", cases.back().case_id));
  }
  return response;
}

}  // namespace collections::app
