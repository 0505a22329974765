// Opening the RocksDB database behind the event log: column families and
// their tuning, format-version checks, and recovery of the log head.
// Internal to storage/: only rocksdb_event_log.cc uses it.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_DATABASE_H_
#define COLLECTIONS_STORAGE_ROCKSDB_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "storage/merkle.h"
#include "storage/rocksdb_event_log.h"

namespace collections::storage {

// An open database. Owns the DB and its column family handles (indexed by
// ColumnFamily); Close() releases them and must be called before destruction
// of a database that was opened successfully.
struct EventLogDatabase {
  // The Env the DB writes through when faults are injected (declared first:
  // destroyed after the DB).
  std::unique_ptr<rocksdb::Env> fault_env;
  std::unique_ptr<rocksdb::DB> db;
  std::string dir;  // the data directory
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  uint64_t head_position = 0;  // last key of "events"; 0 when empty
  // The tree's right edge at head_position; the log moves it out on open.
  merkle::Frontier frontier;

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return handles[static_cast<int>(family)];
  }
  // Destroys the handles and closes the DB. Idempotent.
  void Close();
};

// Opens or creates the database in `dir` with every column family of
// key_encoding.h, checks the format version (writing it on creation) and
// reads the log head. Errors as OpenRocksDbEventLog.
absl::StatusOr<EventLogDatabase> OpenEventLogDatabase(
    const EventLogOptions& options, absl::string_view dir);

// A complete node of the log's Merkle tree: a leaf hash (level 0) from
// "events", any other from "merkle". NOT_FOUND when absent.
absl::StatusOr<Sha256Digest> ReadMerkleNode(const EventLogDatabase& database,
                                            merkle::NodeId id);

// The last key of "events" (0 for an empty log).
absl::StatusOr<uint64_t> ReadLastPosition(const EventLogDatabase& database);

// Every sub-batch of a group commit carries the group's position range under
// this metadata key (value: first:u64 last:u64). Only the last group can be
// partly written (a crash or failed write between its sub-batches); this
// finds out whether it was and, if so, removes what of it survived.
inline constexpr absl::string_view kLastGroupKey = "last_group";

// How far a replicated log has applied its source (ReplicatedLog), as a
// u64, written in the same batch as the writes it covers.
inline constexpr absl::string_view kReplicaCursorKey = "replica_cursor";

// Completes recovery of the last group commit: if its events are not all in
// the database, keeps the contiguous prefix and deletes every survivor after
// the first gap, with their index entries, and restores the affected stream
// heads, in one synced batch. None of the deleted events was acknowledged: a
// group is acknowledged only once all of it is written and synced.
// Sets *repaired when it removed anything. Errors: DATA_LOSS for undecodable
// records, UNAVAILABLE for I/O.
absl::Status RepairPartialGroup(const EventLogDatabase& database,
                                bool* repaired);

// A RocksDB snapshot released when it goes out of scope. `db` must outlive
// it. Not copyable.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db)
      : db_(db), snapshot_(db->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* const db_;
  const rocksdb::Snapshot* const snapshot_;
};

// RocksDB speaks std::string_view / Slice; Debian's Abseil has its own
// string_view type. These convert at the boundary.
inline absl::string_view View(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}
inline rocksdb::Slice ToSlice(absl::string_view view) {
  return {view.data(), view.size()};
}

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_DATABASE_H_
