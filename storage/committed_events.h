// CommittedEventsSink: where a log hands the events it has just made
// durable, already decoded, so that readers following the log's head (the
// projection runners, through projections::RecentEvents) take them from
// memory instead of reading and parsing them back from storage. Under
// 100-event writes the runners' read-back (RocksDB iteration, protobuf
// parse, and the destruction of the parsed copies) was ~10% of the
// server's CPU (docs/performance.md).
//
// A feed is an optimisation only: a log may skip groups (replicated writes,
// a failed group), and the sink must then treat the next call as starting
// after a gap; whoever needs the skipped events reads them from the log.
#ifndef COLLECTIONS_STORAGE_COMMITTED_EVENTS_H_
#define COLLECTIONS_STORAGE_COMMITTED_EVENTS_H_

#include <memory>
#include <vector>

#include "storage/event_log.h"

namespace collections::storage {

using SharedRecordedEvent = std::shared_ptr<const RecordedEvent>;

class CommittedEventsSink {
 public:
  virtual ~CommittedEventsSink() = default;

  // `events` hold consecutive global positions (one or more whole groups,
  // in log order), each exactly as ReadAll returns it: the decoded envelope
  // with its log-assigned fields, the stored record, its leaf and chain
  // hashes. Called on the log's own thread once the events are durable,
  // before the log's HeadPosition covers them and before their appends are
  // acknowledged; a later call never holds an earlier position. Must be
  // quick, must not block on the log and must not call into it.
  virtual void Committed(std::vector<SharedRecordedEvent> events) = 0;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_COMMITTED_EVENTS_H_
