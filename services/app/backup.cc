#include "services/app/backup.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace collections::app {

Backup::Backup(storage::LogAdministration* log, storage::KeyStore* keys,
               audit::TreeHeadSigner* signer, std::string signing_key_file)
    : log_(log),
      keys_(keys),
      signer_(signer),
      signing_key_file_(std::move(signing_key_file)) {}

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
  std::error_code error;
  const std::filesystem::path key_copy =
      std::filesystem::path(directory) / "audit_signing_key.pem";
  std::filesystem::copy_file(signing_key_file_, key_copy, error);
  if (!error) {
    std::filesystem::permissions(key_copy,
                                 std::filesystem::perms::owner_read |
                                     std::filesystem::perms::owner_write,
                                 error);
  }
  if (error) {
    return absl::UnavailableError(absl::StrCat(
        "copying the signing key into ", directory, ": ", error.message()));
  }
  collections::v1::CreateBackupResponse response;
  response.set_directory(directory);
  response.set_signed_tree_size(head.tree_size());
  return response;
}

}  // namespace collections::app
