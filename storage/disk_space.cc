#include "storage/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace collections::storage {

absl::StatusOr<uint64_t> FreeDiskBytes(const std::string& dir) {
  struct statvfs stats;
  if (statvfs(dir.c_str(), &stats) != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read the free space of ", dir, ": ", std::strerror(errno)));
  }
  return static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
}

absl::Status CheckFreeSpace(const std::string& dir, uint64_t reserve_bytes,
                            const WriteFaults* faults) {
  if (reserve_bytes == 0) return absl::OkStatus();
  uint64_t free_bytes;
  if (faults != nullptr && faults->simulated_free_bytes() >= 0) {
    free_bytes = static_cast<uint64_t>(faults->simulated_free_bytes());
  } else {
    absl::StatusOr<uint64_t> measured = FreeDiskBytes(dir);
    if (!measured.ok()) return measured.status();
    free_bytes = *measured;
  }
  if (free_bytes >= reserve_bytes) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "the disk of the data directory ", dir, " is nearly full: ",
      free_bytes >> 20, " MiB free, appends need ", reserve_bytes >> 20,
      " MiB; nothing was appended: retry with the same event ids once "
      "space is freed"));
}

}  // namespace collections::storage
