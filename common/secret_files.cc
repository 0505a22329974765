#include "common/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collections {

absl::Status CreateSecretFile(const std::string& path,
                              absl::string_view contents,
                              absl::string_view what) {
  const std::string temporary = absl::StrCat(path, ".tmp.", ::getpid());
  ::unlink(temporary.c_str());  // a crashed earlier attempt of this pid
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot create the ", what,
                                               " file ", temporary, ": ",
                                               std::strerror(errno)));
  }
  const bool written = ::write(fd, contents.data(), contents.size()) ==
                           static_cast<ssize_t>(contents.size()) &&
                       ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write the ", what, " file ", temporary));
  }
  // link() never replaces: an existing key is never overwritten.
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat("the ", what, " file ", path, " exists already"));
    }
    return absl::UnavailableError(absl::StrCat("cannot create the ", what,
                                               " file ", path, ": ",
                                               std::strerror(link_errno)));
  }
  // The new name must survive a crash too: keys wrapped by this one may be
  // stored the moment this returns.
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
  if (dir_fd >= 0) ::close(dir_fd);
  if (!synced) {
    return absl::UnavailableError(absl::StrCat(
        "cannot sync the directory of the ", what, " file ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ReadSecretFile(
    const std::string& path, absl::string_view what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    return absl::UnavailableError(absl::StrCat(
        "cannot read the ", what, " file ", path, ": ", std::strerror(errno)));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot stat the ", what, " file ", path));
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrFormat(
        "the %s file %s may be read or written by others (mode %04o): "
        "chmod 600 %s",
        what, path, info.st_mode & 07777, path));
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      ::close(fd);
      return absl::UnavailableError(
          absl::StrCat("cannot read the ", what, " file ", path));
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

}  // namespace collections
