// LogAdministration: what an operator, a backup or a benchmark does to the
// store under a log rather than with its events: bring it to rest, copy it
// online, read its engine's figures. One of the three parts of a durable log
// (storage/durable_event_log.h); the core, appends and reads, is
// storage/event_log.h.
//
// Thread safety: all methods are safe to call concurrently, with appends in
// flight. The log must outlive every call.
#ifndef COLLECTIONS_STORAGE_LOG_ADMINISTRATION_H_
#define COLLECTIONS_STORAGE_LOG_ADMINISTRATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storage/log_observer.h"

namespace collections::storage {

class LogAdministration {
 public:
  virtual ~LogAdministration() = default;

  // Writes buffered data out and waits (up to `timeout`) until the store
  // has no background work pending: the quiet state benchmarks start from,
  // and a moment an operator may want before a file-level backup.
  // DEADLINE_EXCEEDED when the work outlasts `timeout`; UNAVAILABLE for I/O
  // errors.
  virtual absl::Status Settle(absl::Duration timeout) = 0;

  // An online, consistent copy of the log in `dir` (which must not exist),
  // taken while appends go on: every event acknowledged before the call is
  // in it, and it opens as a log of its own (a RocksDB checkpoint: hard
  // links where the file system allows). FAILED_PRECONDITION when `dir`
  // exists; UNAVAILABLE for I/O errors.
  virtual absl::Status Checkpoint(const std::string& dir) = 0;

  // The storage engine's figures now (compaction debt, memtables, write
  // stalls), for metrics. Cheap; no I/O; never fails.
  virtual StorageFigures Figures() const = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_LOG_ADMINISTRATION_H_
