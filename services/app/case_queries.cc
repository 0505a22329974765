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
#include "services/projections/event_summary.h"
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

using projections::TimelineKey;

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

absl::StatusOr<std::string> CaseQueryHandler::GetDebtorTimeline(
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
  // The directory says whether the debtor had a case as of `as_of`; the
  // timelines may already be a little further.
  const bool known = !directory_->CasesOfDebtor(request.debtor_id()).empty();
  std::optional<projections::DebtorTimelines::Page> page =
      timelines_->Read(request.debtor_id(), after, as_of, page_size);
  if (!known || !page.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("debtor ", request.debtor_id(), " has no cases"));
  }
  // The entries come pre-serialized; the rest of the response is serialized
  // after them (protobuf merges concatenated messages).
  collections::v1::GetDebtorTimelineResponse tail;
  tail.set_as_of_position(as_of);
  if (page->more) {
    tail.set_next_page_token(EncodeTimelineToken(page->entries.back().first));
  }
  constexpr int kEntriesField =
      collections::v1::GetDebtorTimelineResponse::kEntriesFieldNumber;
  std::string response;
  for (const auto& [key, item] : page->entries) {
    projections::AppendEncodedEntry(*item, request.include_events(),
                                    kEntriesField, &response);
  }
  tail.AppendToString(&response);
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
