#include "services/security/erasure_ledger.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace collections::security {
namespace {

constexpr char kLinePrefix[] = "destroyed ";

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " the erasure ledger ", path,
                                             ": ", std::strerror(errno)));
}

}  // namespace

std::string LedgerPathFor(const std::string& ledger_file,
                          const std::string& master_key_file,
                          const std::string& data_dir) {
  if (!ledger_file.empty()) return ledger_file;
  if (!master_key_file.empty())
    return absl::StrCat(master_key_file, ".erasures");
  return absl::StrCat(data_dir, "/master.key.erasures");
}

ErasureLedger::ErasureLedger(std::string path, int fd,
                             std::vector<std::string> ids)
    : path_(std::move(path)), fd_(fd), ids_(std::move(ids)) {}

ErasureLedger::~ErasureLedger() { ::close(fd_); }

absl::StatusOr<std::unique_ptr<ErasureLedger>> ErasureLedger::Open(
    const std::string& path) {
  struct stat before;
  const bool created = ::stat(path.c_str(), &before) != 0;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot open the erasure ledger ", path, ": ", std::strerror(errno),
        " (give --erasure_ledger_file a writable path outside the data "
        "directory)"));
  }
  if (created) {
    // The new file's name is durable before any key depends on it.
    const std::string directory = std::filesystem::path(path).parent_path();
    const int dir = ::open(directory.empty() ? "." : directory.c_str(),
                           O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = dir >= 0 && ::fsync(dir) == 0;
    if (dir >= 0) ::close(dir);
    if (!synced) {
      const absl::Status error = IoError("cannot sync the directory of", path);
      ::close(fd);
      return error;
    }
  }
  std::string contents;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, contents.size());
    if (n < 0) {
      const absl::Status error = IoError("cannot read", path);
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  // A torn last append: that key was not destroyed (the vault records
  // before it destroys), so the fragment is dropped.
  const size_t complete =
      contents.rfind('\n') == std::string::npos ? 0 : contents.rfind('\n') + 1;
  if (complete != contents.size()) {
    if (::ftruncate(fd, static_cast<off_t>(complete)) != 0 ||
        ::fsync(fd) != 0) {
      const absl::Status error = IoError("cannot repair", path);
      ::close(fd);
      return error;
    }
    contents.resize(complete);
  }
  std::vector<std::string> ids;
  for (absl::string_view line :
       absl::StrSplit(contents, '\n', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&line, kLinePrefix) || line.empty() ||
        absl::StrContains(line, ' ')) {
      ::close(fd);
      return absl::DataLossError(absl::StrCat("the erasure ledger ", path,
                                              " has a line not of the form "
                                              "\"destroyed <key id>\": ",
                                              line));
    }
    ids.emplace_back(line);
  }
  return std::unique_ptr<ErasureLedger>(
      new ErasureLedger(path, fd, std::move(ids)));
}

absl::Status ErasureLedger::Record(const std::string& key_id) {
  if (key_id.empty() || absl::StrContains(key_id, ' ') ||
      absl::StrContains(key_id, '\n')) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a key id for the erasure ledger: ", key_id));
  }
  const std::string line = absl::StrCat(kLinePrefix, key_id, "\n");
  absl::MutexLock lock(&mu_);
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n =
        ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot append to", path_);
    written += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return IoError("cannot sync", path_);
  ids_.push_back(key_id);
  return absl::OkStatus();
}

std::vector<std::string> ErasureLedger::DestroyedKeyIds() const {
  absl::MutexLock lock(&mu_);
  return ids_;
}

}  // namespace collections::security
