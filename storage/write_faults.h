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
// Simulated power loss (issue 27): with TrackSyncs(true) the file system
// remembers, per file, how many bytes were synced. A "crash" is: FailWrites
// (so nothing more reaches the disk), close the databases, then
// DropUnsyncedData, which cuts every tracked file back to what was synced
// (the page cache a power cut loses) — or, in the harsher mode, keeps a
// random prefix of the unsynced tail, as a disk that wrote part of it —
// and removes files created since tracking began that were never synced.
// Reopening then sees the disk a power cut would leave.
//
// A slow disk (issue 27): with SlowSyncs(min, max) every sync and fsync of
// those databases first waits a random time in [min, max] (as a disk with a
// deep queue or a failing cache would), then syncs for real; nothing is
// lost, only late.
//
// Thread safety: safe to flip and read from any thread.
#ifndef COLLECTIONS_STORAGE_WRITE_FAULTS_H_
#define COLLECTIONS_STORAGE_WRITE_FAULTS_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace collections::storage {

class WriteFaults {
 public:
  // Files as the power-loss simulation knows them (under mu_).
  struct TrackedFile {
    uint64_t size = 0;    // bytes written (appended) so far
    uint64_t synced = 0;  // bytes known durable
    bool ever_synced = false;
  };

  void TrackSyncs(bool track) {
    std::lock_guard<std::mutex> lock(mu_);
    tracking_ = track;
    if (!track) files_.clear();
  }
  bool tracking() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tracking_;
  }
  // Called by the file system.
  void OnCreate(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    if (tracking_) files_[path] = TrackedFile{};
  }
  // A file that existed and is written on: what it held counts as synced.
  void OnReopen(const std::string& path, uint64_t existing_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (tracking_)
      files_[path] = TrackedFile{existing_bytes, existing_bytes, true};
  }
  void OnAppend(const std::string& path, uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (tracking_) files_[path].size += bytes;
  }
  void OnSync(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!tracking_) return;
    TrackedFile& file = files_[path];
    file.synced = file.size;
    file.ever_synced = true;
  }
  void OnRename(const std::string& from, const std::string& to) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return;
    files_[to] = it->second;
    files_.erase(it);
  }
  void OnDelete(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(path);
  }
  // The power cut, after the databases are closed: cuts each tracked file
  // to its synced size plus `keep_unsynced(unsynced bytes)` of its tail
  // (return 0 for a clean cut), deletes tracked files never synced, and
  // starts tracking afresh. Returns how many bytes were dropped.
  template <typename KeepFn>
  uint64_t DropUnsyncedData(KeepFn keep_unsynced) {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t dropped = 0;
    for (const auto& [path, file] : files_) {
      std::error_code error;
      const uint64_t actual = std::filesystem::file_size(path, error);
      if (error) continue;  // deleted meanwhile
      if (!file.ever_synced) {
        dropped += actual;
        std::filesystem::remove(path, error);
        continue;
      }
      const uint64_t unsynced = actual > file.synced ? actual - file.synced : 0;
      const uint64_t keep =
          std::min<uint64_t>(unsynced, keep_unsynced(unsynced));
      if (file.synced + keep < actual) {
        dropped += actual - (file.synced + keep);
        std::filesystem::resize_file(path, file.synced + keep, error);
      }
    }
    files_.clear();
    return dropped;
  }

  // The power cut itself (CutPower(true)): from then on every write, sync,
  // file creation, rename and deletion "succeeds" without reaching the disk,
  // as it would in a process that does not know the power is gone, so the
  // databases close as usual; what they wrote before stays as the tracker
  // says (DropUnsyncedData). CutPower(false) when the power is back.
  void CutPower(bool cut) {
    cut_countdown_.store(0);
    power_cut_.store(cut);
  }
  bool power_cut() const { return power_cut_.load(); }
  // Cuts the power right after the `appends`-th file append from now has
  // reached its file (so that write, at least, is never synced).
  void CutPowerAfterAppends(uint64_t appends) { cut_countdown_.store(appends); }
  // Called by the file system after each append reached its file.
  void AppendWritten() {
    uint64_t left = cut_countdown_.load();
    while (left > 0 && !cut_countdown_.compare_exchange_weak(left, left - 1)) {
    }
    if (left == 1) power_cut_.store(true);
  }

  // From now on every sync waits a random time in [min, max] first;
  // SlowSyncs(0, 0) makes syncs prompt again.
  void SlowSyncs(std::chrono::milliseconds min, std::chrono::milliseconds max) {
    std::lock_guard<std::mutex> lock(mu_);
    sync_delay_min_ = min;
    sync_delay_max_ = std::max(min, max);
  }
  // Called by the file system before each sync: waits the delay, if any.
  void DelaySync() {
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (sync_delay_max_.count() == 0) return;
      delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(
          sync_delay_min_.count(), sync_delay_max_.count())(random_));
    }
    delayed_syncs_.fetch_add(1);
    std::this_thread::sleep_for(delay);
  }
  uint64_t delayed_syncs() const { return delayed_syncs_.load(); }

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
  std::atomic<bool> power_cut_{false};
  std::atomic<uint64_t> cut_countdown_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<int64_t> simulated_free_bytes_{-1};
  std::atomic<uint64_t> delayed_syncs_{0};
  mutable std::mutex mu_;
  std::chrono::milliseconds sync_delay_min_{0};  // under mu_
  std::chrono::milliseconds sync_delay_max_{0};  // under mu_
  std::mt19937_64 random_{27};                   // under mu_
  bool tracking_ = false;
  std::map<std::string, TrackedFile> files_;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_WRITE_FAULTS_H_
