// DiskSpace: how much room the disk under a data directory has left, and
// the reserve the event log keeps free.
//
// Why a reserve: RocksDB stops accepting writes after a write fails for
// want of space, and (RocksDB 7.8, Debian 12) does not always resume once
// space returns: an automatic recovery attempted while the disk is still
// full leaves the database refusing writes until it is reopened. So the log
// refuses appends itself, with UNAVAILABLE, while free space is below the
// reserve, before RocksDB ever runs out; appends resume on their own as
// soon as space is back above it. (A disk that fails writes for another
// reason still reaches RocksDB's error handling; see rocksdb_event_log.h.)
#ifndef COLLECTIONS_STORAGE_DISK_SPACE_H_
#define COLLECTIONS_STORAGE_DISK_SPACE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/write_faults.h"

namespace collections::storage {

// Bytes available to an unprivileged writer on the file system holding
// `dir` (statvfs). UNAVAILABLE when it cannot be read.
absl::StatusOr<uint64_t> FreeDiskBytes(const std::string& dir);

// OK when the disk under `dir` has at least `reserve_bytes` free (always
// when reserve_bytes is 0); UNAVAILABLE saying how much is free and what is
// needed otherwise. `faults`, when not null and simulating, stands in for
// the disk's answer.
absl::Status CheckFreeSpace(const std::string& dir, uint64_t reserve_bytes,
                            const WriteFaults* faults);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_DISK_SPACE_H_
