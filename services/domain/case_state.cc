#include "services/domain/case_state.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace collections::domain {
namespace {

using ::collections::v1::Event;
using ::collections::v1::EventPayload;

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::CivilDay ToCivilDay(const collections::v1::LocalDate& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

void OpenCase(CaseState& state, const collections::v1::CaseOpened& opened,
              absl::Time at) {
  state.exists = true;
  state.case_id = opened.case_id();
  state.debtor_id = opened.debtor_id();
  state.creditor_id = opened.creditor_id();
  state.debtor_kind = opened.debtor_kind();
  state.currency = opened.currency();
  state.rule_pack = opened.rule_pack();
  state.jurisdiction = opened.jurisdiction();
  state.opened_at = at;
  // Due dates are in the creditor's calendar; UTC is close enough to tell
  // "already overdue when opened" until rule packs bring the creditor's zone.
  const absl::CivilDay today = absl::ToCivilDay(at, absl::UTCTimeZone());
  bool overdue = false;
  for (const auto& line : opened.claim_lines()) {
    state.claim_lines.push_back(line);
    state.claimed_minor += line.gross().amount_minor();
    if (line.has_due_date() && ToCivilDay(line.due_date()) < today)
      overdue = true;
  }
  state.stage = overdue ? CaseStage::kOverdue : CaseStage::kOpen;
}

CaseStage StageAfterLetter(CaseStage current,
                           collections::v1::LetterLevel level) {
  switch (level) {
    case collections::v1::LETTER_LEVEL_REMINDER:
      return std::max(current, CaseStage::kReminded);
    case collections::v1::LETTER_LEVEL_DUNNING:
    case collections::v1::LETTER_LEVEL_FOURTEEN_DAY:
      return std::max(current, CaseStage::kDunned);
    case collections::v1::LETTER_LEVEL_FINAL_NOTICE:
      return std::max(current, CaseStage::kFinalNotice);
    default:
      return current;
  }
}

}  // namespace

std::string CaseStreamId(const std::string& case_id) {
  return kCaseStreamPrefix + case_id;
}

std::string CaseIdOfStream(const std::string& stream_id) {
  const std::string prefix = kCaseStreamPrefix;
  return stream_id.compare(0, prefix.size(), prefix) == 0
             ? stream_id.substr(prefix.size())
             : stream_id;
}

void Evolve(CaseState& state, const Event& event) {
  state.version = event.stream_version();
  state.last_position = event.global_position();
  const absl::Time at = ToTime(event.occurred_at());
  state.last_activity_at = std::max(state.last_activity_at, at);
  const EventPayload& payload = event.payload();
  switch (payload.kind_case()) {
    case EventPayload::kCaseOpened:
      OpenCase(state, payload.case_opened(), at);
      break;
    case EventPayload::kClaimLineAdded:
      state.claim_lines.push_back(payload.claim_line_added().line());
      state.claimed_minor +=
          payload.claim_line_added().line().gross().amount_minor();
      break;
    case EventPayload::kCallLogged:
      ++state.calls_logged;
      break;
    case EventPayload::kPromiseMade:
      state.open_promise = payload.promise_made();
      state.paid_since_promise_minor = 0;
      break;
    case EventPayload::kPaymentReceived: {
      const int64_t amount = payload.payment_received().amount().amount_minor();
      state.paid_minor += amount;
      if (state.open_promise.has_value()) {
        state.paid_since_promise_minor += amount;
        if (state.paid_since_promise_minor >=
            state.open_promise->amount().amount_minor()) {
          state.open_promise.reset();  // kept
        }
      }
      break;
    }
    case EventPayload::kHandedToAgency:
      if (state.stage != CaseStage::kPlaced)
        state.stage_before_placement = state.stage;
      state.stage = CaseStage::kPlaced;
      state.agency_id = payload.handed_to_agency().agency_id();
      break;
    case EventPayload::kPaymentPlanAgreed:
      state.plan = payload.payment_plan_agreed();
      if (state.stage != CaseStage::kClosed)
        state.stage = CaseStage::kArrangement;
      break;
    case EventPayload::kLetterIssued:
      ++state.letters_issued;
      state.last_letter = payload.letter_issued().level();
      if (state.stage != CaseStage::kClosed &&
          state.stage != CaseStage::kPlaced)
        state.stage = StageAfterLetter(state.stage, state.last_letter);
      break;
    case EventPayload::kDisputeRaised:
      state.open_dispute_ids.push_back(payload.dispute_raised().dispute_id());
      break;
    case EventPayload::kDisputeResolved: {
      auto& ids = state.open_dispute_ids;
      ids.erase(std::remove(ids.begin(), ids.end(),
                            payload.dispute_resolved().dispute_id()),
                ids.end());
      state.written_off_minor +=
          payload.dispute_resolved().amount_dropped().amount_minor();
      break;
    }
    case EventPayload::kRecallRequested:
      if (state.stage == CaseStage::kPlaced)
        state.stage = state.stage_before_placement;
      state.agency_id.clear();
      break;
    case EventPayload::kWriteOffApproved: {
      const auto& amount = payload.write_off_approved().amount();
      state.written_off_minor +=
          amount.costs().amount_minor() + amount.interest().amount_minor() +
          amount.principal().amount_minor() + amount.fees().amount_minor();
      break;
    }
    case EventPayload::kCaseClosed:
      state.stage = CaseStage::kClosed;
      state.closure_reason = payload.case_closed().reason();
      state.open_promise.reset();
      break;
    case EventPayload::KIND_NOT_SET:
      break;
  }
}

}  // namespace collections::domain
