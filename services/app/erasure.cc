#include "services/app/erasure.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "services/domain/case_state.h"
#include "services/domain/command_checks.h"
#include "services/projections/case_standing_projection.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

constexpr absl::Duration kProjectionWait = absl::Seconds(10);

// The erasure records' envelope: the request's reference correlates them.
Envelope EnvelopeOf(const std::string& reference, absl::Time at,
                    const v1::Actor& actor) {
  Envelope envelope;
  envelope.occurred_at = at;
  envelope.actor = actor;
  envelope.correlation_id = reference;
  return envelope;
}

v1::Actor SystemActor() {
  v1::Actor actor;
  actor.set_id("erasure-processor");
  actor.set_role("system");
  return actor;
}

}  // namespace

Erasure::Erasure(storage::EventLog* log, CaseWriter* writer,
                 security::PersonalDataVault* vault,
                 storage::ProjectionStore* store,
                 projections::ManagedProjection* standing)
    : log_(log),
      writer_(writer),
      vault_(vault),
      store_(store),
      standing_(standing) {}

absl::StatusOr<absl::Time> Erasure::RetentionEnd(const std::string& debtor_id) {
  const uint64_t committed = log_->HeadPosition();
  if (standing_->WaitUntil(committed, absl::Now() + kProjectionWait) <
      committed) {
    return absl::UnavailableError(
        "the case standing has not caught up with the log; try again");
  }
  absl::Time last_activity = absl::InfinitePast();
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<domain::CaseState> cases,
                               projections::StoredCasesOfDebtor(
                                   *store_, standing_->keyspace(), debtor_id));
  for (const domain::CaseState& state : cases) {
    last_activity = std::max(last_activity, state.last_activity_at);
  }
  if (last_activity == absl::InfinitePast()) return last_activity;
  const absl::CivilDay day =
      absl::ToCivilDay(last_activity, absl::UTCTimeZone());
  return absl::FromCivil(
      absl::CivilDay(day.year() + kRetentionYears, day.month(), day.day()),
      absl::UTCTimeZone());
}

absl::StatusOr<std::pair<std::string, uint64_t>> Erasure::DestroyAndRecord(
    const std::string& debtor_id, const std::string& reference, absl::Time at,
    const v1::Actor& actor) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::string key_id, vault_->Destroy(debtor_id));
  v1::EventPayload destroyed;
  destroyed.mutable_subject_key_destroyed()->set_key_id(key_id);
  std::vector<DraftEvent> events;
  events.push_back(DraftEvent{std::move(destroyed),
                              absl::StrCat("forget-", reference, "/destroyed"),
                              std::nullopt});
  COLLECTIONS_ASSIGN_OR_RETURN(
      Written written,
      writer_->WriteToDebtor(debtor_id, EnvelopeOf(reference, at, actor),
                             std::move(events)));
  return std::make_pair(key_id, written.last_position);
}

absl::StatusOr<v1::ForgetDebtorResponse> Erasure::Forget(
    const v1::ForgetDebtorRequest& request, const v1::Actor& actor,
    absl::Time now) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("debtor_id", request.debtor_id()));
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("request_reference", request.request_reference()));
  const absl::Time at = request.has_as_of() ? ToTime(request.as_of()) : now;
  if (at > now) {
    return absl::InvalidArgumentError(
        "as_of is in the future: erasure is judged at instants that passed");
  }
  const std::string& debtor = request.debtor_id();
  const std::string& reference = request.request_reference();
  // Nothing readable is left to keep (no key, or destroyed already): no
  // retention to wait for.
  COLLECTIONS_ASSIGN_OR_RETURN(const bool has_key, vault_->HasKey(debtor));
  absl::Time until = absl::InfinitePast();
  if (has_key) {
    COLLECTIONS_ASSIGN_OR_RETURN(until, RetentionEnd(debtor));
  }

  v1::EventPayload requested;
  requested.mutable_erasure_requested()->set_request_reference(reference);
  std::vector<DraftEvent> events;
  events.push_back(DraftEvent{std::move(requested),
                              absl::StrCat("forget-", reference, "/requested"),
                              std::nullopt});
  v1::ForgetDebtorResponse response;
  if (at < until) {
    v1::EventPayload deferred;
    deferred.mutable_erasure_deferred()->set_basis(kRetentionBasis);
    *deferred.mutable_erasure_deferred()->mutable_until() =
        domain::ToLocalDate(absl::ToCivilDay(until, absl::UTCTimeZone()));
    events.push_back(DraftEvent{std::move(deferred),
                                absl::StrCat("forget-", reference, "/deferred"),
                                std::nullopt});
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      Written written,
      writer_->WriteToDebtor(debtor, EnvelopeOf(reference, at, actor),
                             std::move(events)));
  response.set_last_position(written.last_position);
  if (at < until) {
    v1::DeferredErasure erasure;
    erasure.set_debtor_id(debtor);
    erasure.set_basis(kRetentionBasis);
    erasure.set_until_unix_seconds(absl::ToUnixSeconds(until));
    erasure.set_request_reference(reference);
    COLLECTIONS_RETURN_IF_ERROR(vault_->Defer(erasure));
    response.set_outcome(v1::ForgetDebtorResponse::OUTCOME_DEFERRED);
    response.set_basis(kRetentionBasis);
    *response.mutable_until() = ToTimestamp(until);
    return response;
  }
  COLLECTIONS_ASSIGN_OR_RETURN(auto destroyed,
                               DestroyAndRecord(debtor, reference, at, actor));
  response.set_outcome(v1::ForgetDebtorResponse::OUTCOME_DESTROYED);
  response.set_key_id(destroyed.first);
  response.set_last_position(destroyed.second);
  return response;
}

absl::StatusOr<int> Erasure::DestroyDue(absl::Time as_of) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<v1::DeferredErasure> deferred,
                               vault_->Deferred());
  int destroyed = 0;
  for (const v1::DeferredErasure& erasure : deferred) {
    if (absl::FromUnixSeconds(erasure.until_unix_seconds()) > as_of) continue;
    COLLECTIONS_RETURN_IF_ERROR(DestroyAndRecord(erasure.debtor_id(),
                                                 erasure.request_reference(),
                                                 as_of, SystemActor())
                                    .status());
    COLLECTIONS_RETURN_IF_ERROR(vault_->ClearDeferred(erasure.debtor_id()));
    ++destroyed;
  }
  return destroyed;
}

absl::StatusOr<int> Erasure::ReapplyLedger(absl::Time now) {
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<std::string> destroyed,
                               vault_->EnforceLedger());
  for (const std::string& key_id : destroyed) {
    const std::string debtor_id = key_id.substr(0, key_id.rfind('#'));
    v1::EventPayload payload;
    payload.mutable_subject_key_destroyed()->set_key_id(key_id);
    std::vector<DraftEvent> events;
    events.push_back(DraftEvent{
        std::move(payload),
        absl::StrCat("erasure-ledger-", key_id.substr(key_id.rfind('#') + 1),
                     "/destroyed-again"),
        std::nullopt});
    COLLECTIONS_RETURN_IF_ERROR(
        writer_
            ->WriteToDebtor(debtor_id,
                            EnvelopeOf("erasure-ledger", now, SystemActor()),
                            std::move(events))
            .status());
  }
  return static_cast<int>(destroyed.size());
}

}  // namespace collections::app
