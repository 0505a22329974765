#include "storage/rocksdb_status.h"

#include "absl/strings/str_cat.h"

namespace collections::storage {

absl::Status FromRocksDbStatus(const rocksdb::Status& status,
                               absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError() || status.IsNoSpace() || status.IsBusy() ||
      status.IsTimedOut() || status.IsTryAgain() || status.IsAborted() ||
      status.IsIncomplete() || status.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsNotSupported()) return absl::FailedPreconditionError(message);
  return absl::InternalError(message);
}

}  // namespace collections::storage
