#include "services/app/audit_queries.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/audit/evidence_bundle.h"
#include "services/domain/case_state.h"
#include "services/projections/actor_index_projection.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/event_summary.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;
// Events looked at per trail page when no case or debtor narrows it: a
// filter that matches little answers in bounded time, and the token goes on.
constexpr size_t kMaxScannedPerPage = 20000;
// Most events of one case or debtor a trail page or bundle reads.
constexpr size_t kMaxSubjectEvents = 200000;

std::string Bytes(const Sha256Digest& digest) {
  return std::string(AsBytes(digest));
}

// Every event of `streams` (each from version 1), by position.
absl::StatusOr<std::vector<storage::RecordedEvent>> ReadStreams(
    storage::EventLog& log, const std::vector<std::string>& streams) {
  std::vector<storage::RecordedEvent> events;
  for (const std::string& stream : streams) {
    for (uint64_t from = 1;;) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          std::vector<storage::RecordedEvent> page,
          log.ReadStream(stream, from, storage::ReadDirection::kForward, 1000));
      for (auto& e : page) events.push_back(std::move(e));
      if (page.size() < 1000) break;
      from += page.size();
      if (events.size() > kMaxSubjectEvents) {
        return absl::FailedPreconditionError(
            absl::StrCat("the subject has more than ", kMaxSubjectEvents,
                         " events; narrow the trail by case"));
      }
    }
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.event.global_position() < b.event.global_position();
  });
  return events;
}

}  // namespace

AuditQueries::AuditQueries(storage::EventLog* log, storage::LogTree* tree,
                           audit::TreeHeadSigner* signer,
                           storage::ProjectionStore* store,
                           projections::ManagedProjection* standing,
                           projections::ManagedProjection* actors,
                           const Clock* clock)
    : log_(log),
      tree_(tree),
      signer_(signer),
      store_(store),
      standing_(standing),
      actors_(actors),
      clock_(clock) {}

absl::StatusOr<v1::SignedTreeHead> AuditQueries::SignedHead(bool fresh) {
  if (!fresh) {
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<v1::SignedTreeHead> latest,
                                 signer_->Latest());
    if (latest.has_value()) return *latest;
  }
  return signer_->SignLatest();
}

v1::PublicKey AuditQueries::PublicKey() const {
  v1::PublicKey key;
  key.set_pem(signer_->key().public_key().Pem());
  key.set_fingerprint(signer_->key().public_key().Fingerprint());
  return key;
}

absl::StatusOr<v1::InclusionProof> AuditQueries::Inclusion(
    const v1::GetInclusionProofRequest& request) {
  v1::InclusionProof proof;
  uint64_t tree_size = request.tree_size();
  if (tree_size == 0) {
    COLLECTIONS_ASSIGN_OR_RETURN(v1::SignedTreeHead head, SignedHead(false));
    if (head.tree_size() < request.position()) {
      COLLECTIONS_ASSIGN_OR_RETURN(head, SignedHead(true));
    }
    tree_size = head.tree_size();
    *proof.mutable_head() = std::move(head);
  } else {
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<v1::SignedTreeHead> head,
                                 signer_->At(tree_size));
    if (head.has_value()) *proof.mutable_head() = *std::move(head);
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::vector<Sha256Digest> path,
      tree_->InclusionProof(request.position(), tree_size));
  storage::LogRead read;
  read.from_position = request.position();
  read.max_events = 1;
  read.max_scanned = 1;
  COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult event,
                               log_->ReadAll(read));
  if (event.events.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no event at position ", request.position()));
  }
  proof.set_position(request.position());
  proof.set_tree_size(tree_size);
  proof.set_leaf_hash(Bytes(event.events[0].leaf_hash));
  for (const Sha256Digest& hash : path) proof.add_path(Bytes(hash));
  return proof;
}

absl::StatusOr<v1::ConsistencyProof> AuditQueries::Consistency(
    const v1::GetConsistencyProofRequest& request) {
  v1::ConsistencyProof proof;
  uint64_t new_size = request.new_size();
  if (new_size == 0) {
    COLLECTIONS_ASSIGN_OR_RETURN(v1::SignedTreeHead head, SignedHead(false));
    new_size = head.tree_size();
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::vector<Sha256Digest> path,
      tree_->ConsistencyProof(request.old_size(), new_size));
  proof.set_old_size(request.old_size());
  proof.set_new_size(new_size);
  for (const Sha256Digest& hash : path) proof.add_path(Bytes(hash));
  COLLECTIONS_ASSIGN_OR_RETURN(auto old_head, signer_->At(request.old_size()));
  if (old_head.has_value()) *proof.mutable_old_head() = *std::move(old_head);
  COLLECTIONS_ASSIGN_OR_RETURN(auto new_head, signer_->At(new_size));
  if (new_head.has_value()) *proof.mutable_new_head() = *std::move(new_head);
  return proof;
}

absl::StatusOr<std::vector<std::string>> AuditQueries::StreamsOfDebtor(
    const std::string& debtor_id) {
  std::vector<std::string> streams;
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<domain::CaseState> cases,
                               projections::StoredCasesOfDebtor(
                                   *store_, standing_->keyspace(), debtor_id));
  for (const domain::CaseState& state : cases) {
    streams.push_back(domain::CaseStreamId(state.case_id));
  }
  if (streams.empty()) {
    return absl::NotFoundError(
        absl::StrCat("debtor ", debtor_id, " has no cases"));
  }
  return streams;
}

absl::StatusOr<v1::EvidenceBundle> AuditQueries::Bundle(
    const v1::GetEvidenceBundleRequest& request) {
  std::vector<std::string> streams;
  std::string subject;
  switch (request.subject_case()) {
    case v1::GetEvidenceBundleRequest::kCaseId: {
      if (request.case_id().empty())
        return absl::InvalidArgumentError("case_id is empty");
      const std::string stream = domain::CaseStreamId(request.case_id());
      COLLECTIONS_ASSIGN_OR_RETURN(auto head, log_->GetStreamHead(stream));
      if (!head.has_value()) {
        return absl::NotFoundError(
            absl::StrCat("case ", request.case_id(), " does not exist"));
      }
      streams.push_back(stream);
      subject = absl::StrCat("case ", request.case_id());
      break;
    }
    case v1::GetEvidenceBundleRequest::kDebtorId: {
      if (request.debtor_id().empty())
        return absl::InvalidArgumentError("debtor_id is empty");
      COLLECTIONS_ASSIGN_OR_RETURN(streams,
                                   StreamsOfDebtor(request.debtor_id()));
      subject = absl::StrCat("debtor ", request.debtor_id());
      break;
    }
    default:
      return absl::InvalidArgumentError(
          "an evidence bundle needs a case_id or a debtor_id");
  }
  COLLECTIONS_ASSIGN_OR_RETURN(v1::SignedTreeHead head, signer_->SignLatest());
  return audit::BuildEvidenceBundle(*log_, *tree_, head,
                                    signer_->key().public_key(), streams,
                                    subject, clock_->Now());
}

absl::StatusOr<v1::ListAuditTrailResponse> AuditQueries::Trail(
    const v1::ListAuditTrailRequest& request) {
  const uint32_t page_size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size is at most ", kMaxPageSize));
  }
  uint64_t after = 0;
  if (!request.page_token().empty() &&
      !absl::SimpleAtoi(request.page_token(), &after)) {
    return absl::InvalidArgumentError(
        "page_token is not one this service returned");
  }
  const absl::flat_hash_set<std::string> types(request.event_types().begin(),
                                               request.event_types().end());
  const absl::Time from = request.has_recorded_from()
                              ? ToTime(request.recorded_from())
                              : absl::InfinitePast();
  const absl::Time to = request.has_recorded_to()
                            ? ToTime(request.recorded_to())
                            : absl::InfiniteFuture();
  auto matches = [&](const v1::Event& event) {
    if (!request.actor_id().empty() && event.actor().id() != request.actor_id())
      return false;
    if (!types.empty() && !types.contains(event.type())) return false;
    const absl::Time recorded = ToTime(event.recorded_at());
    if (recorded < from || recorded >= to) return false;
    return true;
  };

  v1::ListAuditTrailResponse response;
  response.set_head_position(log_->HeadPosition());
  auto add = [&](const storage::RecordedEvent& recorded) {
    const v1::Event& event = recorded.event;
    v1::AuditEntry* entry = response.add_entries();
    entry->set_position(event.global_position());
    entry->set_stream_id(event.stream_id());
    entry->set_stream_version(event.stream_version());
    entry->set_event_type(event.type());
    entry->set_event_id(event.event_id());
    *entry->mutable_actor() = event.actor();
    *entry->mutable_occurred_at() = event.occurred_at();
    *entry->mutable_recorded_at() = event.recorded_at();
    if (absl::StartsWith(event.stream_id(), domain::kCaseStreamPrefix))
      entry->set_case_id(domain::CaseIdOfStream(event.stream_id()));
    entry->set_summary(projections::SummarizeEvent(event));
    entry->set_leaf_hash(Bytes(recorded.leaf_hash));
  };

  if (!request.case_id().empty() || !request.debtor_id().empty()) {
    std::vector<std::string> streams;
    if (!request.case_id().empty()) {
      streams.push_back(domain::CaseStreamId(request.case_id()));
    } else {
      COLLECTIONS_ASSIGN_OR_RETURN(streams,
                                   StreamsOfDebtor(request.debtor_id()));
    }
    COLLECTIONS_ASSIGN_OR_RETURN(std::vector<storage::RecordedEvent> events,
                                 ReadStreams(*log_, streams));
    for (const storage::RecordedEvent& recorded : events) {
      const uint64_t position = recorded.event.global_position();
      if (position <= after || !matches(recorded.event)) continue;
      if (response.entries_size() == static_cast<int>(page_size)) {
        response.set_next_page_token(
            absl::StrCat(response.entries().rbegin()->position()));
        break;
      }
      add(recorded);
    }
    return response;
  }

  if (!request.actor_id().empty()) {
    // The actor's own entries, from the index, once it has caught up.
    const uint64_t head = log_->HeadPosition();
    if (actors_->WaitUntil(head, absl::Now() + absl::Seconds(1)) < head) {
      return absl::UnavailableError(
          "the actor index is behind the log; retry shortly");
    }
    size_t looked_at = 0;
    bool more = true;
    storage::LogRead one;
    one.max_events = 1;
    one.max_scanned = 1;
    while (more && looked_at < kMaxScannedPerPage &&
           response.entries_size() < static_cast<int>(page_size)) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          std::vector<uint64_t> positions,
          projections::ReadActorPositions(
              *store_, actors_->keyspace(), request.actor_id(), after,
              page_size - response.entries_size(), &more));
      for (uint64_t position : positions) {
        one.from_position = position;
        COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult event,
                                     log_->ReadAll(one));
        if (event.events.empty()) {
          return absl::DataLossError(absl::StrCat(
              "the actor index names position ", position, " beyond the log"));
        }
        if (matches(event.events[0].event)) add(event.events[0]);
        after = position;
        ++looked_at;
      }
    }
    if (more) response.set_next_page_token(absl::StrCat(after));
    return response;
  }

  // The whole log, from the token on: a page looks at a bounded number of
  // events, and the token continues after the last one looked at.
  storage::LogRead read;
  read.from_position = after + 1;
  read.filter.event_types.assign(types.begin(), types.end());
  size_t scanned = 0;
  while (scanned < kMaxScannedPerPage &&
         response.entries_size() < static_cast<int>(page_size)) {
    read.max_events = page_size - response.entries_size();
    read.max_scanned = kMaxScannedPerPage - scanned;
    COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult result,
                                 log_->ReadAll(read));
    for (const storage::RecordedEvent& recorded : result.events) {
      if (matches(recorded.event)) add(recorded);
    }
    scanned += result.next_position - read.from_position;
    read.from_position = result.next_position;
    if (result.next_position > result.head_position) {
      return response;  // the whole log is looked at
    }
  }
  response.set_next_page_token(absl::StrCat(read.from_position - 1));
  return response;
}

}  // namespace collections::app
