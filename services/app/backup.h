// Backup: an online copy of everything that cannot be rebuilt — the event
// log, the debtors' data keys and the signing key — into one directory that
// is a data directory itself: start collectionsd on a copy of it to
// restore (projections rebuild from the log on start). Appends go on while
// it runs; every event acknowledged before Create is in the copy.
//
// Left out on purpose: the master key. A backup holding both the wrapped
// keys and the key that unwraps them would undo erasure's separation; a
// restored server is given the master key as the original was
// (--master_key_file or COLLECTIONS_MASTER_KEY).
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
         audit::TreeHeadSigner* signer, std::string signing_key_file);

  // INVALID_ARGUMENT for a relative or empty directory; FAILED_PRECONDITION
  // when it exists; UNAVAILABLE for I/O errors.
  absl::StatusOr<collections::v1::CreateBackupResponse> Create(
      const std::string& directory);

 private:
  storage::LogAdministration* const log_;
  storage::KeyStore* const keys_;
  audit::TreeHeadSigner* const signer_;
  const std::string signing_key_file_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_BACKUP_H_
