#include "services/app/backup.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace collections::app {

Backup::Backup(storage::LogAdministration* log, storage::KeyStore* keys,
               audit::TreeHeadSigner* signer)
    : log_(log), keys_(keys), signer_(signer) {}

absl::StatusOr<collections::v1::CreateBackupResponse> Backup::Create(
    const std::string& directory) {
  if (directory.empty() || directory.front() != '/') {
    return absl::InvalidArgumentError(
        "directory must be an absolute path on the server's host");
  }
  // A head signed first: the copy holds it and every event it covers.
  COLLECTIONS_ASSIGN_OR_RETURN(collections::v1::SignedTreeHead head,
                               signer_->SignLatest());
  COLLECTIONS_RETURN_IF_ERROR(log_->Checkpoint(directory));
  COLLECTIONS_RETURN_IF_ERROR(keys_->Checkpoint(directory + "/keys"));
  collections::v1::CreateBackupResponse response;
  response.set_directory(directory);
  response.set_signed_tree_size(head.tree_size());
  return response;
}

}  // namespace collections::app
