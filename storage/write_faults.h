// WriteFaults: a switch that makes the storage's file writes fail the way a
// full disk does (ENOSPC), for fault tests of the log, the projection store
// and the server above them. Given to EventLogOptions / ProjectionStoreOptions
// (the databases then write through a file system that consults it); absent
// in production, where the options leave it null.
//
// While failing, every write, flush, sync and file creation of those
// databases answers "no space left on device"; reads are unaffected.
// Separately, it can make the disk look nearly full to the event log's
// free-space reserve (disk_space.h), without any write failing.
//
// Thread safety: safe to flip and read from any thread.
#ifndef COLLECTIONS_STORAGE_WRITE_FAULTS_H_
#define COLLECTIONS_STORAGE_WRITE_FAULTS_H_

#include <atomic>
#include <cstdint>

namespace collections::storage {

class WriteFaults {
 public:
  // From now on, writes fail (true) or succeed again (false).
  void FailWrites(bool fail) { failing_.store(fail); }
  bool failing() const { return failing_.load(); }

  // Called by the file system for each write it refuses.
  void CountRefusal() { refused_.fetch_add(1); }
  uint64_t refused() const { return refused_.load(); }

  // The free space the disk reports from now on; -1 (the default) for the
  // real figure.
  void SimulateFreeBytes(int64_t bytes) { simulated_free_bytes_.store(bytes); }
  int64_t simulated_free_bytes() const { return simulated_free_bytes_.load(); }

 private:
  std::atomic<bool> failing_{false};
  std::atomic<uint64_t> refused_{0};
  std::atomic<int64_t> simulated_free_bytes_{-1};
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_WRITE_FAULTS_H_
