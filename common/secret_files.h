// Secret files (the master key, the audit signing key): created so no one
// else can ever read them, and refused when someone else could.
//
//   CreateSecretFile  writes `contents` to a fresh temporary file opened
//                     with O_CREAT|O_EXCL and mode 0600 (never an existing
//                     file, never wider than the owner), fsyncs it, links
//                     it into place and fsyncs the directory (durable when
//                     it returns): ALREADY_EXISTS when `path`
//                     exists (a concurrent creator won: read theirs).
//   ReadSecretFile    nullopt when `path` does not exist; FAILED_PRECONDITION
//                     when group or others may read or write it (naming the
//                     mode and the chmod that fixes it); UNAVAILABLE when it
//                     cannot be read.
//
// Thread safety: no shared state.
#ifndef COLLECTIONS_COMMON_SECRET_FILES_H_
#define COLLECTIONS_COMMON_SECRET_FILES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collections {

absl::Status CreateSecretFile(const std::string& path,
                              absl::string_view contents,
                              absl::string_view what);

absl::StatusOr<std::optional<std::string>> ReadSecretFile(
    const std::string& path, absl::string_view what);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_SECRET_FILES_H_
