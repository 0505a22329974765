// DurableEventLog: a stored event log whole, as its owner holds it: the core
// (EventLog, storage/event_log.h: appends, reads, waits), its Merkle tree
// and signed tree heads (LogTree, storage/log_tree.h) and its administration
// (LogAdministration, storage/log_administration.h), implemented by one
// object. The RocksDB log (OpenRocksDbEventLog, storage/rocksdb_event_log.h)
// and the cluster log (OpenClusterEventLog, storage/cluster_event_log.h) are
// opened as one.
//
// How the parts reach the layers above: the owner (the server's wiring, a
// tool, a test) keeps the std::unique_ptr<DurableEventLog> and hands each
// component a plain pointer to the one part it uses; the conversion is
// implicit:
//
//   std::unique_ptr<DurableEventLog> log = *OpenRocksDbEventLog(options, dir);
//   EventLog* events = log.get();               // use cases, projections
//   LogTree* tree = log.get();                  // signed heads, proofs
//   LogAdministration* administration = log.get();  // backup, metrics
//
// Every such pointer is the same object: the owner must keep it alive
// longer than every component given a part of it. Code that takes a part
// never converts it to another (no dynamic_cast): what it needs, it is given.
//
// Thread safety: as each part's (all methods safe to call concurrently).
#ifndef COLLECTIONS_STORAGE_DURABLE_EVENT_LOG_H_
#define COLLECTIONS_STORAGE_DURABLE_EVENT_LOG_H_

#include "storage/event_log.h"
#include "storage/log_administration.h"
#include "storage/log_tree.h"

namespace collections::storage {

class DurableEventLog : public EventLog,
                        public LogTree,
                        public LogAdministration {
 public:
  ~DurableEventLog() override = default;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_DURABLE_EVENT_LOG_H_
