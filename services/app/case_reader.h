// CaseReader: a case's state folded from the log, as commands see it: the
// case writer (case_writer.h) decides every act on it, and whoever must
// judge or scope an act without running one (agency access, placement,
// seeding) reads it here. A load takes the cached state (if any) and folds
// only the events appended since, read from the log, so it is always as
// fresh as the log's acknowledged events, even when another writer appended
// them; deciding a command does not refold a case's whole stream each time.
// Queries over many cases read the case standing projection instead.
//
// Bounded: at most `capacity` cases are kept; beyond that an arbitrary entry
// is dropped (it is refolded from the log on its next load).
//
// Thread safety: safe to call concurrently. The log must outlive the cache.
#ifndef COLLECTIONS_SERVICES_APP_CASE_READER_H_
#define COLLECTIONS_SERVICES_APP_CASE_READER_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/domain/case_state.h"
#include "storage/event_log.h"

namespace collections::app {

class CaseReader {
 public:
  static constexpr size_t kDefaultCapacity = 100000;
  explicit CaseReader(storage::EventLog* log,
                      size_t capacity = kDefaultCapacity)
      : log_(log), capacity_(capacity) {}
  CaseReader(const CaseReader&) = delete;
  CaseReader& operator=(const CaseReader&) = delete;

  // The case folded up to the log's latest acknowledged event of its
  // stream, with its debtor's profile (LoadDebtor) in `debtor`; `exists` is
  // false for a case never opened. Errors: the log's (DATA_LOSS…).
  //
  // The debtor's facts are as fresh as the log at the load: a debtor
  // command acknowledged before a case command starts binds it; one racing
  // a case command may land just after that command was decided.
  absl::StatusOr<domain::CaseState> Load(const std::string& case_id);

  // The debtor's profile folded from the debtor's stream (version 0 and
  // nothing registered for a debtor with no debtor events). Errors: the
  // log's.
  absl::StatusOr<collections::v1::DebtorProfile> LoadDebtor(
      const std::string& debtor_id);

  // Takes `state` (the case folded through events its writer just had
  // acknowledged) as the cached fold, unless the cache already holds a
  // newer version: the next Load of the case then reads nothing back from
  // the log that this process wrote itself. `state.debtor` is not kept
  // (Load adds the debtor's current profile).
  void Remember(const std::string& case_id,
                std::shared_ptr<domain::CaseState> state);

 private:
  // Puts `fresh` in the cache unless it holds a newer version; drops an
  // arbitrary other entry beyond capacity.
  void Cache(const std::string& case_id,
             std::shared_ptr<const domain::CaseState> fresh)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The case alone (its cached fold caught up), without the debtor.
  absl::StatusOr<domain::CaseState> LoadCase(const std::string& case_id);

  storage::EventLog* const log_;
  const size_t capacity_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const domain::CaseState>>
      states_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string,
                      std::shared_ptr<const collections::v1::DebtorProfile>>
      debtors_ ABSL_GUARDED_BY(mu_);
};

// Folds the stream's events from `state.version + 1` on into `state`.
absl::Status CatchUpCase(storage::EventLog* log, const std::string& stream,
                         domain::CaseState& state);

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_READER_H_
