#include "services/projections/case_directory.h"

#include <algorithm>

namespace collections::projections {

void CaseDirectory::Apply(const collections::v1::Event& event) {
  absl::MutexLock lock(&mu_);
  applied_position_ = std::max(applied_position_, event.global_position());
  std::string case_id;
  if (event.payload().has_case_opened()) {
    case_id = event.payload().case_opened().case_id();
    stream_to_case_[event.stream_id()] = case_id;
    auto& list = debtor_cases_[event.payload().case_opened().debtor_id()];
    list.insert(std::lower_bound(list.begin(), list.end(), case_id), case_id);
  } else {
    auto it = stream_to_case_.find(event.stream_id());
    if (it == stream_to_case_.end()) return;  // not a case stream
    case_id = it->second;
  }
  domain::CaseState& state = cases_[case_id];
  domain::Evolve(state, event);
  state.recent_calls.clear();  // contact rules read it on the command side
}

void CaseDirectory::AdvanceTo(uint64_t position) {
  absl::MutexLock lock(&mu_);
  applied_position_ = std::max(applied_position_, position);
}

uint64_t CaseDirectory::applied_position() const {
  absl::MutexLock lock(&mu_);
  return applied_position_;
}

uint64_t CaseDirectory::WaitUntilApplied(uint64_t position,
                                         absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return applied_position_ >= position;
  };
  mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return applied_position_;
}

std::optional<domain::CaseState> CaseDirectory::GetCase(
    const std::string& case_id) const {
  absl::MutexLock lock(&mu_);
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> CaseDirectory::CasesOfDebtor(
    const std::string& debtor_id) const {
  absl::MutexLock lock(&mu_);
  auto it = debtor_cases_.find(debtor_id);
  if (it == debtor_cases_.end()) return {};
  return it->second;
}

std::vector<domain::CaseState> CaseDirectory::ListCases(
    const std::string& after_case_id, const std::string& debtor_id,
    size_t limit, bool* more) const {
  absl::MutexLock lock(&mu_);
  std::vector<domain::CaseState> page;
  *more = false;
  if (!debtor_id.empty()) {
    auto it = debtor_cases_.find(debtor_id);
    if (it == debtor_cases_.end()) return page;
    for (const std::string& case_id : it->second) {
      if (case_id <= after_case_id) continue;
      if (page.size() == limit) {
        *more = true;
        break;
      }
      page.push_back(cases_.at(case_id));
    }
    return page;
  }
  for (auto it = cases_.upper_bound(after_case_id); it != cases_.end(); ++it) {
    if (page.size() == limit) {
      *more = true;
      break;
    }
    page.push_back(it->second);
  }
  return page;
}

}  // namespace collections::projections
