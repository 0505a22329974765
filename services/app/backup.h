// Backup: an online copy of the event log and the debtors' (wrapped) data
// keys into one directory that is a data directory itself: start
// collectionsd on a copy of it to restore (projections rebuild from the log
// on start). Appends go on while it runs; every event acknowledged before
// Create is in the copy.
//
// Left out on purpose (issue 25), each given to a restored server as the
// original had it:
//   - the master key: a backup holding both the wrapped keys and the key
//     that unwraps them would undo erasure's separation;
//   - the erasure ledger (services/security/erasure_ledger.h): it must
//     outlive every backup, so that keys destroyed after the backup are
//     destroyed again when a restored server starts;
//   - the audit signing key: whoever steals a backup must not be able to
//     sign tree heads (`collectionsctl restore --signing_key_file` puts
//     the original back).
//
// Thread safety: Create may be called concurrently (for distinct
// directories). Everything given must outlive the object.
#ifndef COLLECTIONS_SERVICES_APP_BACKUP_H_
#define COLLECTIONS_SERVICES_APP_BACKUP_H_

#include <string>

#include "absl/status/statusor.h"
#include "collections/v1/operations.pb.h"
#include "services/audit/signed_tree_head.h"
#include "storage/key_store.h"
#include "storage/log_administration.h"

namespace collections::app {

class Backup {
 public:
  Backup(storage::LogAdministration* log, storage::KeyStore* keys,
         audit::TreeHeadSigner* signer);

  // INVALID_ARGUMENT for a relative or empty directory; FAILED_PRECONDITION
  // when it exists; UNAVAILABLE for I/O errors.
  absl::StatusOr<collections::v1::CreateBackupResponse> Create(
      const std::string& directory);

 private:
  storage::LogAdministration* const log_;
  storage::KeyStore* const keys_;
  audit::TreeHeadSigner* const signer_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_BACKUP_H_
