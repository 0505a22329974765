// PersonalDataVault: the debtors' data keys and what is done with them.
//   - Seal: before an append, each event's personal values are sealed with
//     its debtor's key (made, wrapped by the master key and stored durably
//     the first time a debtor has any).
//   - Reveal: on the read paths that show personal data, sealed values are
//     decrypted; once the debtor's key is destroyed they read as kErased.
//   - Destroy: the debtor's key is erased from the key store's files
//     (storage/key_store.h); every event sealed with it is unreadable
//     forever, while the log's bytes, hashes and proofs stay as they were.
//   - Deferred erasures (a forget request inside a retention period) are
//     kept here too, until they fall due.
//
// Key ids are "<debtor id>#<generation>": a debtor who comes back after
// erasure gets a new key, and the old events stay erased.
//
// Thread safety: all methods may be called concurrently. The key store
// must outlive the vault.
#ifndef COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_VAULT_H_
#define COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_VAULT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collections/v1/events.pb.h"
#include "services/security/erasure_ledger.h"
#include "services/security/personal_data.h"
#include "storage/key_store.h"

namespace collections::security {

// The master key: 64 hex digits from the environment variable
// COLLECTIONS_MASTER_KEY, else from `file`; with neither, from
// <data_dir>/master.key, created (mode 0600) on the first start — a
// development default: in production keep the master key off the data
// volume. INVALID_ARGUMENT for a malformed key.
// The master key's id, recorded with every key it wraps: the first 16 hex
// digits of SHA-256("collections.v1.master-key-id\n" + key). It names the
// key without revealing it, so a server started with the wrong master key
// says which one its data keys need.
std::string MasterKeyId(const std::string& master_key);

// Re-wraps every data key in `store` from `old_master` to `new_master`
// (rotation; offline, with the server stopped: `collectionsctl
// rewrap-keys`). Keys already under the new master are left as they are,
// so a run that stopped halfway can be run again. Returns how many keys it
// re-wrapped. FAILED_PRECONDITION naming the ids when a key is under
// neither master; DATA_LOSS for a key that does not open.
absl::StatusOr<int> RewrapDataKeys(storage::KeyStore& store,
                                   const std::string& old_master,
                                   const std::string& new_master);

absl::StatusOr<std::string> LoadMasterKey(const std::string& file,
                                          const std::string& data_dir);

class PersonalDataVault {
 public:
  // `ledger` (may be null: tests of sealing alone) records every key before
  // it is destroyed; it must outlive the vault.
  PersonalDataVault(storage::KeyStore* store, std::string master_key,
                    ErasureLedger* ledger = nullptr);

  // Seals every event of `events` that has personal values, as it will be
  // stored at first_version + i of `stream_id`, with `debtor_id`'s key.
  absl::Status Seal(const std::string& debtor_id, const std::string& stream_id,
                    uint64_t first_version,
                    std::vector<collections::v1::Event>& events);

  // Decrypts the event's sealed values, or marks them erased when the key
  // is gone. DATA_LOSS when they do not decrypt with a key that exists.
  absl::Status Reveal(collections::v1::Event& event);

  // Whether the debtor has a key now (some personal data is readable).
  absl::StatusOr<bool> HasKey(const std::string& debtor_id);
  // Whether the debtor had a key that was destroyed and has none now.
  absl::StatusOr<bool> WasErased(const std::string& debtor_id);

  // HMAC-SHA256 of `label` under the debtor's current key: a secret that
  // exists exactly as long as the key (seeds for sealing to a recipient,
  // recipient_sealing.h). nullopt when the debtor has no key.
  absl::StatusOr<std::optional<std::string>> DerivedSecret(
      const std::string& debtor_id, absl::string_view label);

  // Destroys the debtor's current key, recorded in the ledger first.
  // Returns its id ("" when the debtor had none).
  absl::StatusOr<std::string> Destroy(const std::string& debtor_id);

  // Destroys every key the ledger names that the store still holds (a
  // restored backup, a copied data directory, a crash between recording
  // and destroying), and raises each debtor's key generation past the
  // destroyed one so no new key reuses its id. Returns the ids of the keys
  // it destroyed now (each debtor whose data had come back).
  absl::StatusOr<std::vector<std::string>> EnforceLedger();

  absl::Status Defer(const collections::v1::DeferredErasure& erasure);
  absl::StatusOr<std::vector<collections::v1::DeferredErasure>> Deferred();
  absl::Status ClearDeferred(const std::string& debtor_id);

 private:
  absl::StatusOr<DataKey> KeyFor(const std::string& debtor_id);
  // nullopt when the key was destroyed (or never existed).
  absl::StatusOr<std::optional<DataKey>> Find(const std::string& key_id);
  absl::StatusOr<std::optional<DataKey>> LoadCurrent(
      const std::string& debtor_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::KeyStore* const store_;
  const std::string master_key_;
  ErasureLedger* const ledger_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, DataKey> cache_ ABSL_GUARDED_BY(mu_);
  // The store's erasures_seen() when the cache was last checked.
  uint64_t erasures_seen_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_VAULT_H_
