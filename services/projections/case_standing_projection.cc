#include "services/projections/case_standing_projection.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/domain/case_snapshot.h"
#include "services/domain/debtor_profile.h"
#include "services/domain/due_events.h"
#include "services/projections/case_work_items.h"

namespace collections::projections {

storage::LogFilter CaseStandingProjection::filter() const {
  // Case streams and debtor streams (whose facts bind the debtor's cases):
  // no one prefix covers both, so Apply skips the rest.
  return storage::LogFilter{};
}

std::string CaseStandingProjection::DebtorProfileKey(
    const std::string& debtor_id) {
  return absl::StrCat("dprof/", debtor_id);
}

absl::StatusOr<std::optional<collections::v1::DebtorProfile>> ReadStoredDebtor(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& debtor_id) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store.Get(keyspace, CaseStandingProjection::DebtorProfileKey(debtor_id)));
  if (!bytes.has_value()) return std::nullopt;
  collections::v1::DebtorProfile profile;
  if (!profile.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("the stored profile of debtor ", debtor_id,
                     " does not parse; rebuild the projection"));
  }
  return profile;
}

std::string CaseStandingProjection::CaseKey(const std::string& case_id) {
  return absl::StrCat("case/", case_id);
}

std::string CaseStandingProjection::DebtorPrefix(const std::string& debtor_id) {
  return absl::StrCat("debtor/", debtor_id, "/");
}

absl::StatusOr<CaseWithFigures> ReadStoredCaseWithFigures(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& case_id) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store.Get(keyspace, CaseStandingProjection::CaseKey(case_id)));
  if (!bytes.has_value()) return CaseWithFigures{};
  collections::v1::CaseSnapshot snapshot;
  if (!snapshot.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("the stored standing of case ", case_id,
                     " does not parse; rebuild the projection"));
  }
  return CaseWithFigures{domain::FromSnapshot(snapshot),
                         KpiFiguresOf(snapshot)};
}

absl::StatusOr<domain::CaseState> ReadStoredCase(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& case_id) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      CaseWithFigures stored,
      ReadStoredCaseWithFigures(store, keyspace, case_id));
  return std::move(stored.state);
}

absl::StatusOr<std::vector<domain::CaseState>> ListStoredCases(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& after, const std::string& debtor_id, size_t limit,
    bool* more) {
  std::vector<domain::CaseState> cases;
  *more = false;
  const std::string prefix =
      debtor_id.empty() ? std::string("case/")
                        : CaseStandingProjection::DebtorPrefix(debtor_id);
  COLLECTIONS_ASSIGN_OR_RETURN(
      auto entries,
      store.Scan(keyspace, prefix,
                 after.empty() ? "" : absl::StrCat(prefix, after), limit + 1));
  if (entries.size() > limit) {
    *more = true;
    entries.pop_back();
  }
  for (const auto& [key, value] : entries) {
    const std::string case_id = key.substr(prefix.size());
    if (!debtor_id.empty()) {  // an index entry: read the case itself
      COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state,
                                   ReadStoredCase(store, keyspace, case_id));
      cases.push_back(std::move(state));
      continue;
    }
    collections::v1::CaseSnapshot snapshot;
    if (!snapshot.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("the stored standing of case ",
                                              case_id, " does not parse"));
    }
    cases.push_back(domain::FromSnapshot(snapshot));
  }
  return cases;
}

absl::StatusOr<std::vector<domain::CaseState>> StoredCasesOfDebtor(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& debtor_id) {
  std::vector<domain::CaseState> all;
  std::string after;
  for (bool more = true; more;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        std::vector<domain::CaseState> page,
        ListStoredCases(store, keyspace, after, debtor_id, 500, &more));
    if (page.empty()) break;
    after = page.back().case_id;
    for (auto& state : page) all.push_back(std::move(state));
  }
  return all;
}

namespace {

// "wq/<16 hex due nanos>/<case>/<kind, 2 digits>/<reference>": due order.
std::string WorkKey(const collections::v1::WorkItem& item) {
  const int64_t nanos =
      item.due_at().seconds() * 1000000000LL + item.due_at().nanos();
  return absl::StrFormat(
      "wq/%016x/%s/%02d/%s", static_cast<uint64_t>(nanos) ^ (1ULL << 63),
      item.case_id(), static_cast<int>(item.kind()), item.reference());
}

std::string WorkBound(absl::Time until) {
  const uint64_t nanos =
      static_cast<uint64_t>(absl::ToUnixNanos(until)) ^ (1ULL << 63);
  return absl::StrFormat("wq/%016x/", nanos);
}

}  // namespace

absl::Status CaseStandingProjection::WriteWork(
    const domain::CaseState& state, storage::ProjectionWrite& write) {
  const std::string index_key = absl::StrCat("wqc/", state.case_id);
  WrittenWork items;
  for (const collections::v1::WorkItem& item : WorkItemsOf(state)) {
    items.emplace(WorkKey(item), item.SerializeAsString());
  }
  auto kept = written_work_.find(state.case_id);
  if (kept == written_work_.end()) {
    // Not written by this instance yet: what the store holds, by its index
    // (values unknown, so every item is written).
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> previous,
                                 write.Get(index_key));
    WrittenWork stored;
    if (previous.has_value()) {
      for (absl::string_view old : absl::StrSplit(*previous, '\n')) {
        if (!old.empty()) stored.emplace(std::string(old), std::nullopt);
      }
    }
    kept = written_work_.emplace(state.case_id, std::move(stored)).first;
  }
  WrittenWork& before = kept->second;
  bool keys_changed = before.size() != items.size();
  for (const auto& [key, value] : before) {
    if (!items.contains(key)) {
      write.Delete(key);
      keys_changed = true;
    }
  }
  for (const auto& [key, value] : items) {
    auto old = before.find(key);
    if (old == before.end()) {
      keys_changed = true;
    } else if (old->second == value) {
      continue;  // stored as it is
    }
    write.Put(key, *value);
  }
  if (keys_changed) {
    if (items.empty()) {
      write.Delete(index_key);
    } else {
      std::string index;
      for (const auto& [key, value] : items) {
        absl::StrAppend(&index, index.empty() ? "" : "\n", key);
      }
      write.Put(index_key, index);
    }
  }
  before = std::move(items);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<KeyedWorkItem>> ReadWorkQueue(
    storage::ProjectionStore& store, const std::string& keyspace,
    absl::Time until, const std::string& after, size_t limit) {
  const std::string bound = WorkBound(until);
  COLLECTIONS_ASSIGN_OR_RETURN(auto entries,
                               store.Scan(keyspace, "wq/", after, limit));
  std::vector<KeyedWorkItem> items;
  for (auto& [key, value] : entries) {
    if (key >= bound) break;  // due later
    collections::v1::WorkItem item;
    if (!item.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("bad work item ", key));
    }
    items.emplace_back(std::move(key), std::move(item));
  }
  return items;
}

absl::StatusOr<std::vector<std::string>> ListOpenCaseIds(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& after, size_t limit) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      auto entries,
      store.Scan(keyspace, "open/",
                 after.empty() ? "" : absl::StrCat("open/", after), limit));
  std::vector<std::string> ids;
  for (const auto& [key, value] : entries) ids.push_back(key.substr(5));
  return ids;
}

absl::StatusOr<CaseWithFigures*> CaseStandingProjection::Load(
    const std::string& case_id, storage::ProjectionWrite& write) {
  auto it = cached_.find(case_id);
  if (it != cached_.end()) return &it->second;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                               write.Get(CaseKey(case_id)));
  CaseWithFigures folded;
  if (bytes.has_value()) {
    collections::v1::CaseSnapshot snapshot;
    if (!snapshot.ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat("the stored standing of case ",
                                              case_id, " does not parse"));
    }
    folded.state = domain::FromSnapshot(snapshot);
    folded.kpis = KpiFiguresOf(snapshot);
  }
  return &cached_.emplace(case_id, std::move(folded)).first->second;
}

absl::StatusOr<collections::v1::DebtorProfile*>
CaseStandingProjection::LoadDebtor(const std::string& debtor_id,
                                   storage::ProjectionWrite& write) {
  auto it = debtors_.find(debtor_id);
  if (it != debtors_.end()) return &it->second;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                               write.Get(DebtorProfileKey(debtor_id)));
  collections::v1::DebtorProfile profile;
  profile.set_debtor_id(debtor_id);
  if (bytes.has_value() && !profile.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("the stored profile of debtor ",
                                            debtor_id, " does not parse"));
  }
  return &debtors_.emplace(debtor_id, std::move(profile)).first->second;
}

// A debtor event: fold it into the profile and hand the new profile to
// every case of the debtor ("dcases/<debtor>" lists them, newline-separated:
// readable within the write, unlike a scan).
absl::Status CaseStandingProjection::ApplyDebtorEvent(
    const collections::v1::Event& event, storage::ProjectionWrite& write) {
  const std::string debtor_id = domain::DebtorIdOfStream(event.stream_id());
  COLLECTIONS_ASSIGN_OR_RETURN(collections::v1::DebtorProfile * profile,
                               LoadDebtor(debtor_id, write));
  if (event.stream_version() != profile->version() + 1) {
    return absl::DataLossError(absl::StrCat(
        "debtor ", debtor_id, " is at version ", profile->version(),
        " but the next event has version ", event.stream_version()));
  }
  domain::FoldDebtor(*profile, event);
  dirty_debtors_.insert(debtor_id);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> cases,
                               write.Get(absl::StrCat("dcases/", debtor_id)));
  if (!cases.has_value()) return absl::OkStatus();
  for (absl::string_view case_id : absl::StrSplit(*cases, '\n')) {
    if (case_id.empty()) continue;
    COLLECTIONS_ASSIGN_OR_RETURN(CaseWithFigures * folded,
                                 Load(std::string(case_id), write));
    folded->state.debtor = *profile;
    dirty_.insert(std::string(case_id));
  }
  return absl::OkStatus();
}

absl::Status CaseStandingProjection::Apply(
    const storage::RecordedEvent& recorded, storage::ProjectionWrite& write) {
  const collections::v1::Event& event = recorded.event;
  if (absl::StartsWith(event.stream_id(), domain::kDebtorStreamPrefix))
    return ApplyDebtorEvent(event, write);
  if (!absl::StartsWith(event.stream_id(), domain::kCaseStreamPrefix))
    return absl::OkStatus();
  const std::string case_id = domain::CaseIdOfStream(event.stream_id());
  COLLECTIONS_ASSIGN_OR_RETURN(CaseWithFigures * folded, Load(case_id, write));
  const domain::CaseState* state = &folded->state;
  if (event.stream_version() != state->version + 1) {
    // Never skip, never double: the stream must continue where it stopped.
    return absl::DataLossError(absl::StrCat(
        "case ", case_id, " is at version ", state->version,
        " but the next event has version ", event.stream_version()));
  }
  FoldCase(*folded, event);
  if (event.payload().has_case_opened()) {
    write.Put(absl::StrCat(DebtorPrefix(state->debtor_id), case_id), "");
    write.Put(absl::StrCat("creditor/", state->creditor_id, "/", case_id), "");
    // The debtor's facts recorded before the case opened bind it too.
    COLLECTIONS_ASSIGN_OR_RETURN(collections::v1::DebtorProfile * profile,
                                 LoadDebtor(state->debtor_id, write));
    folded->state.debtor = *profile;
    const std::string cases_key = absl::StrCat("dcases/", state->debtor_id);
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> cases,
                                 write.Get(cases_key));
    write.Put(cases_key, cases.has_value() && !cases->empty()
                             ? absl::StrCat(*cases, "\n", case_id)
                             : case_id);
  }
  dirty_.insert(case_id);
  return absl::OkStatus();
}

absl::Status CaseStandingProjection::Flush(storage::ProjectionWrite& write) {
  std::string bytes;
  for (const std::string& case_id : dirty_) {
    bytes.clear();
    const CaseWithFigures& folded = cached_.at(case_id);
    const domain::CaseState& state = folded.state;
    collections::v1::CaseSnapshot snapshot = domain::ToSnapshot(state);
    AddToSnapshot(folded.kpis, snapshot);
    snapshot.SerializeToString(&bytes);
    write.Put(CaseKey(case_id), bytes);
    // "open/" lists the cases the due-time processor visits.
    if (!domain::AwaitsDueEvents(state)) {
      write.Delete(absl::StrCat("open/", case_id));
    } else {
      write.Put(absl::StrCat("open/", case_id), "");
    }
    COLLECTIONS_RETURN_IF_ERROR(WriteWork(state, write));
  }
  dirty_.clear();
  for (const std::string& debtor_id : dirty_debtors_) {
    write.Put(DebtorProfileKey(debtor_id),
              debtors_.at(debtor_id).SerializeAsString());
  }
  dirty_debtors_.clear();
  if (cached_.size() > kMaxCached) {  // all written: reload
    cached_.clear();
    written_work_.clear();
  }
  if (debtors_.size() > kMaxCached) debtors_.clear();
  return absl::OkStatus();
}

void CaseStandingProjection::Reset() {
  cached_.clear();
  written_work_.clear();
  dirty_.clear();
  debtors_.clear();
  dirty_debtors_.clear();
}

}  // namespace collections::projections
