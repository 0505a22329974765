// The cluster's key store (issue 28, point 3): a KeyStore (key_store.h) on a
// NATS JetStream key-value bucket, replicated like the log, so that every
// node reads the same debtors' data keys (wrapped by the shared master
// key), a key is created once for the whole cluster (PutIfAbsent is the
// bucket's create-if-absent: two nodes making a debtor's first key
// concurrently end up with the same one), and an erasure is a purge of the
// key in the bucket that every node sees.
//
//   - Put / PutIfAbsent / Erase answer once a majority of the bucket's
//     replicas has the write (JetStream's acknowledgement).
//   - Erase purges the key: JetStream removes every stored revision of it
//     and keeps a purge marker. Whether the removed bytes are overwritten
//     on the NATS servers' disks is the server's business (deploy/
//     CLUSTER.md); what they held was wrapped by the master key.
//   - erasures_seen() counts the purges and deletes this node has seen in
//     the bucket, its own and other nodes' (a watcher follows the bucket),
//     so a node's cache of keys drops a key another node erased within
//     moments.
//   - Keys are escaped to the characters a bucket key allows ('=' and two
//     hex digits for any other byte), which keeps prefixes (Scan).
//   - Checkpoint copies the bucket's entries into a RocksDB key store in
//     `dir` (a node's backup then holds the keys as they were).
//
// Errors: UNAVAILABLE when NATS or a majority of the bucket's replicas
// cannot be reached; DATA_LOSS for an entry that cannot be read back.
//
// Thread safety: all methods may be called concurrently. The JetStreamLog
// whose connection it uses must outlive it.
#ifndef COLLECTIONS_STORAGE_JETSTREAM_KEY_STORE_H_
#define COLLECTIONS_STORAGE_JETSTREAM_KEY_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/jetstream_log.h"
#include "storage/key_store.h"

namespace collections::storage {

struct JetStreamKeyStoreOptions {
  std::string bucket = "COLLECTIONS_KEYS";
  int replicas = 3;  // when this node creates the bucket
  // How long opening keeps trying (a cluster electing the bucket's leader,
  // just after a server was lost, answers with errors for a few seconds).
  absl::Duration connect_timeout = absl::Seconds(30);
};

// Binds the bucket (creating it when missing) over `nats`'s connection.
absl::StatusOr<std::unique_ptr<KeyStore>> OpenJetStreamKeyStore(
    JetStreamLog* nats, const JetStreamKeyStoreOptions& options);

// The bucket key for a store key, and back (exposed for tests).
std::string EscapeBucketKey(absl::string_view key);
std::string UnescapeBucketKey(absl::string_view escaped);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_JETSTREAM_KEY_STORE_H_
