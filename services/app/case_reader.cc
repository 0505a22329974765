#include "services/app/case_reader.h"

#include <vector>

#include "common/status_macros.h"
#include "services/domain/debtor_profile.h"

namespace collections::app {

absl::Status CatchUpCase(storage::EventLog* log, const std::string& stream,
                         domain::CaseState& state) {
  constexpr size_t kChunk = 1000;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::vector<storage::RecordedEvent> events,
        log->ReadStream(stream, state.version + 1,
                        storage::ReadDirection::kForward, kChunk));
    for (const auto& recorded : events) domain::Evolve(state, recorded.event);
    if (events.size() < kChunk) return absl::OkStatus();
  }
}

absl::StatusOr<collections::v1::DebtorProfile> CaseReader::LoadDebtor(
    const std::string& debtor_id) {
  std::shared_ptr<const collections::v1::DebtorProfile> cached;
  {
    absl::MutexLock lock(&mu_);
    auto it = debtors_.find(debtor_id);
    if (it != debtors_.end()) cached = it->second;
  }
  const std::string stream = domain::DebtorStreamId(debtor_id);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<storage::StreamHead> head,
                               log_->GetStreamHead(stream));
  const uint64_t head_version = head.has_value() ? head->version : 0;
  if (cached != nullptr && cached->version() == head_version) return *cached;
  collections::v1::DebtorProfile profile;
  if (!head.has_value()) {
    // No debtor stream (the debtor was never registered apart from its
    // cases): nothing to fold and nothing to cache.
    profile.set_debtor_id(debtor_id);
    return profile;
  }
  if (cached != nullptr) profile = *cached;
  profile.set_debtor_id(debtor_id);
  constexpr size_t kChunk = 1000;
  for (;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::vector<storage::RecordedEvent> events,
        log_->ReadStream(stream, profile.version() + 1,
                         storage::ReadDirection::kForward, kChunk));
    for (const auto& recorded : events)
      domain::FoldDebtor(profile, recorded.event);
    if (events.size() < kChunk) break;
  }
  if (profile.version() > 0) {
    auto fresh =
        std::make_shared<const collections::v1::DebtorProfile>(profile);
    absl::MutexLock lock(&mu_);
    auto& slot = debtors_[debtor_id];
    if (slot == nullptr || slot->version() < fresh->version()) slot = fresh;
    if (debtors_.size() > capacity_) {
      auto victim = debtors_.begin();
      if (victim->first == debtor_id) ++victim;
      if (victim != debtors_.end()) debtors_.erase(victim);
    }
  }
  return profile;
}

absl::StatusOr<domain::CaseState> CaseReader::Load(const std::string& case_id) {
  COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state, LoadCase(case_id));
  if (state.exists && !state.debtor_id.empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(state.debtor, LoadDebtor(state.debtor_id));
  }
  return state;
}

absl::StatusOr<domain::CaseState> CaseReader::LoadCase(
    const std::string& case_id) {
  std::shared_ptr<const domain::CaseState> cached;
  {
    absl::MutexLock lock(&mu_);
    auto it = states_.find(case_id);
    if (it != states_.end()) cached = it->second;
  }
  const std::string stream = domain::CaseStreamId(case_id);
  if (cached != nullptr) {
    // A point read of the head is cheaper than opening an iterator to find
    // nothing new: the common case for a case decided here last.
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<storage::StreamHead> head,
                                 log_->GetStreamHead(stream));
    if (head.has_value() && head->version == cached->version) return *cached;
  }
  domain::CaseState state = cached != nullptr ? *cached : domain::CaseState{};
  const uint64_t cached_version = state.version;
  COLLECTIONS_RETURN_IF_ERROR(CatchUpCase(log_, stream, state));
  if (state.exists && state.version != cached_version) {
    Cache(case_id, std::make_shared<const domain::CaseState>(state));
  }
  return state;
}

void CaseReader::Remember(const std::string& case_id,
                          std::shared_ptr<domain::CaseState> state) {
  if (state == nullptr || !state->exists) return;
  state->debtor.Clear();
  Cache(case_id, std::move(state));
}

void CaseReader::Cache(const std::string& case_id,
                       std::shared_ptr<const domain::CaseState> fresh) {
  absl::MutexLock lock(&mu_);
  auto& slot = states_[case_id];
  if (slot == nullptr || slot->version < fresh->version)
    slot = std::move(fresh);
  if (states_.size() > capacity_) {
    auto victim = states_.begin();
    if (victim->first == case_id) ++victim;
    if (victim != states_.end()) states_.erase(victim);
  }
}

}  // namespace collections::app
