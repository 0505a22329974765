// Opens the RocksDB implementation of the event log: a DurableEventLog
// (storage/durable_event_log.h), the core EventLog with its LogTree and its
// LogAdministration in one object.
//
// Appends go through a two-stage pipeline with group commit. The caller's
// thread does the expensive per-event work (validation, serialising the
// body, hashing it, the idempotency lookup) and queues the append. The
// committer thread takes everything queued as one group, assigns positions
// and versions, writes it as one RocksDB batch (events, indexes, stream
// heads, chain hashes, the group marker), makes it durable with one WAL
// sync, publishes the new head and acknowledges the group's appends in
// order; what arrives meanwhile forms the next group. No thread waits per
// append:
// AppendAsync returns at once, and a caller of Append waits only for its own
// outcome. storage/FORMAT.md describes the bytes and the recovery of a partly
// written group. The heads of streams written lately are answered from
// memory; with a sink fed (FeedCommittedEvents), each durable group's
// events go to it decoded, before the head moves.
//
// Only the server and tools link this; the upper layers see the part they
// use (EventLog, LogTree or LogAdministration).
#ifndef COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_H_
#define COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "storage/append_checks.h"
#include "storage/durable_event_log.h"
#include "storage/event_log.h"
#include "storage/log_observer.h"
#include "storage/write_faults.h"

namespace collections::storage {

// The limits of what an append may hold are AppendLimits'
// (storage/append_checks.h: stream and event id lengths, event size, events
// per append), with their defaults.
struct EventLogOptions : AppendLimits {
  // Sync the write-ahead log before acknowledging an append. Default on:
  // acknowledged means durable. Off, an append is acknowledged once it is in
  // the OS page cache: a process crash loses nothing, but an OS crash or power
  // loss can lose the most recent acknowledged appends (never reorder them or
  // leave a gap: what survives is always a prefix of the log).
  bool sync = true;

  // Create the data directory and database when absent. Default on.
  bool create_if_missing = true;

  // Group commit stops gathering further appends into one write once the
  // group holds this many bytes. Default 8 MiB. Larger groups amortise the
  // WAL sync further but hold the first caller in the group longer.
  size_t max_group_bytes = 8 * 1024 * 1024;

  // What RocksDB holds in memory for the log (storage/rocksdb_memory.h):
  // one block cache of memory_bytes for every column family, holding data,
  // index and filter blocks and a reservation for the memtables, which
  // together flush (the largest first) once they reach memtable_bytes.
  // Defaults 160 MiB and 96 MiB: with the projection store's 128 MiB, the
  // server stays under 512 MiB resident with 10M events in the log
  // (docs/performance.md; docs/operations.md, "Memory").
  size_t memory_bytes = size_t{160} << 20;
  size_t memtable_bytes = size_t{96} << 20;

  // RocksDB memtable size per column family (a single column family's
  // memtable flushes at this size even below memtable_bytes). Default
  // 64 MiB.
  size_t write_buffer_bytes = 64 * 1024 * 1024;

  // Maintain the Merkle tree in every append's batch. Default on. Off only
  // as a benchmark's baseline: such a log cannot be proven, and opening it
  // with the tree on fails with DATA_LOSS.
  bool merkle_tree = true;

  // Source of recorded_at. Default the wall clock. Must outlive the log.
  const Clock* clock = Clock::Real();

  // Appends are refused with UNAVAILABLE while the data directory's disk
  // has less than this free (disk_space.h says why), and accepted again as
  // soon as it has. 0 turns the check off. Default 256 MiB: what RocksDB may
  // still claim at once after the check passed, for the log and the
  // projection store each: the next write-ahead-log chunk it preallocates
  // (1.1 x write_buffer_bytes, 70 MiB) and a memtable flush (up to 64 MiB).
  uint64_t min_free_disk_bytes = uint64_t{256} << 20;

  // Told about every group commit (metrics: group sizes, WAL sync time).
  // Null: no one. Must outlive the log.
  LogObserver* observer = nullptr;

  // Fault tests only: writes fail while this switch is on (write_faults.h).
  // Null in production. Must outlive the log.
  WriteFaults* write_faults = nullptr;
};

// Opens (or creates) the event log in `dir` and restores every head.
//
// Errors:
//   INVALID_ARGUMENT     empty dir or options out of range;
//   FAILED_PRECONDITION  the directory was written by a newer format, or is
//                        held open by another process;
//   NOT_FOUND            the directory has no database and create_if_missing
//                        is off;
//   DATA_LOSS            the database is corrupt (a damaged SST file, or a
//                        damaged record in the write-ahead log before its
//                        last one): the message names the file;
//   UNAVAILABLE          I/O error.
absl::StatusOr<std::unique_ptr<DurableEventLog>> OpenRocksDbEventLog(
    const EventLogOptions& options, absl::string_view dir);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_EVENT_LOG_H_
