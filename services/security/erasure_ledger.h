// The erasure ledger: the ids of every data key ever destroyed, kept
// outside the data directory's backups so that restoring a backup taken
// before an erasure cannot bring the debtor back (issue 25, GDPR art. 17).
//
// The ledger travels with the master key: whoever can read a restored
// copy must hold the master key, and finds the ledger in the same place
// (LedgerPathFor). The vault records a key here, durably, before it
// destroys it; on every start the server destroys any key the ledger
// names that the key store still holds (PersonalDataVault::
// EnforceLedger), so a restore, a copied data directory or a crash between
// the two steps all end with the key gone.
//
// File format: one line per destroyed key, "destroyed <key id>\n",
// appended and fsynced. A last line without its newline (a torn append)
// is cut off on open; that key had not been destroyed yet.
//
// Errors: UNAVAILABLE for I/O errors; DATA_LOSS for a line that is not in
// the format. Thread safety: all methods may be called concurrently.
#ifndef COLLECTIONS_SERVICES_SECURITY_ERASURE_LEDGER_H_
#define COLLECTIONS_SERVICES_SECURITY_ERASURE_LEDGER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace collections::security {

// Where the ledger lives: `ledger_file` when given; else beside the master
// key's file ("<master_key_file>.erasures"); else, for the development
// default (master key from the environment or <data_dir>/master.key),
// "<data_dir>/master.key.erasures" — inside the data directory but never
// in a backup (backups copy the log and the key store only).
std::string LedgerPathFor(const std::string& ledger_file,
                          const std::string& master_key_file,
                          const std::string& data_dir);

class ErasureLedger {
 public:
  // Opens (creating, mode 0600) the ledger at `path`.
  static absl::StatusOr<std::unique_ptr<ErasureLedger>> Open(
      const std::string& path);
  ~ErasureLedger();

  // Appends `key_id` and fsyncs; recording a key twice is harmless.
  absl::Status Record(const std::string& key_id);

  // Every key id recorded, in order.
  std::vector<std::string> DestroyedKeyIds() const;

  const std::string& path() const { return path_; }

 private:
  ErasureLedger(std::string path, int fd, std::vector<std::string> ids);

  const std::string path_;
  const int fd_;
  mutable absl::Mutex mu_;
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_ERASURE_LEDGER_H_
