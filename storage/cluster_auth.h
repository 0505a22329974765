// ClusterMessageAuth: who may write the cluster's log (deploy/CLUSTER.md,
// "Trust model"). A NATS credential lets a client publish on the cluster's
// subjects; it must not let it write events. So every message a collectionsd
// node publishes is signed with that node's own Ed25519 key, and every
// replica checks the signature against the cluster's configured node keys
// before it applies the message. A message that fails (no signature, an
// unknown node, a signature that does not match) is applied as nothing on
// every node alike, so positions stay the same everywhere; the replica
// counts it and reports it (ClusterLogOptions::on_rejected) and goes on.
//
// The storage layer only calls this interface; the server implements it
// over its key files (services/security/cluster_node_keys.h).
//
// What is signed: SignedPayload(stream id, serialized ReplicatedAppend):
// a fixed context string, the subject's stream id, and the append, so a
// signed append cannot be replayed onto another subject or mistaken for
// another kind of signed thing. (A replay of the same message on its own
// subject is a retry: its event ids are applied already, and it changes
// nothing.)
//
// Thread safety: implementations are immutable after construction; every
// method may be called from any thread.
#ifndef COLLECTIONS_STORAGE_CLUSTER_AUTH_H_
#define COLLECTIONS_STORAGE_CLUSTER_AUTH_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace collections::storage {

class ClusterMessageAuth {
 public:
  virtual ~ClusterMessageAuth() = default;
  // This node's id, named in every message it publishes.
  virtual const std::string& node_id() const = 0;
  // This node's signature of `payload`.
  virtual std::string Sign(absl::string_view payload) const = 0;
  // OK when `signature` is node `node_id`'s signature of `payload` and the
  // node is one of the cluster's; PERMISSION_DENIED saying which part
  // failed otherwise.
  virtual absl::Status Verify(absl::string_view node_id,
                              absl::string_view payload,
                              absl::string_view signature) const = 0;
};

// The bytes a node signs for an append published on `stream_id`'s subject.
inline std::string SignedPayload(absl::string_view stream_id,
                                 absl::string_view append) {
  return absl::StrCat("collections.cluster.append.v1",
                      absl::string_view("\0", 1), stream_id,
                      absl::string_view("\0", 1), append);
}

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_CLUSTER_AUTH_H_
