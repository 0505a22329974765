// ClusterNodeKeys: the cluster's node keys (storage/cluster_auth.h) from
// the operator's files, for cluster mode's signed messages.
//
//   - This node's key: an Ed25519 private key in PEM (PKCS#8), created on
//     first start when missing (mode 0600), like the tree-head signing key;
//     `openssl genpkey -algorithm ed25519` makes one too.
//   - The cluster's node keys: a text file of lines "<node id> <public key
//     as 64 hex digits>" ('#' starts a comment). The hex is the raw 32-byte
//     key: `openssl pkey -in node.pem -pubout -outform DER | tail -c 32 |
//     xxd -p -c 64`, or the line collectionsd logs at start ("cluster node
//     key"). Every node gets the same file; a node whose own key is not in
//     it refuses to start (storage::OpenClusterEventLog).
//
// Errors (Load): NOT_FOUND / INVALID_ARGUMENT naming the file and line;
// INVALID_ARGUMENT for an empty or malformed node id, or one listed twice.
//
// Thread safety: immutable after Load; every method from any thread.
#ifndef COLLECTIONS_SERVICES_AUDIT_CLUSTER_NODE_KEYS_H_
#define COLLECTIONS_SERVICES_AUDIT_CLUSTER_NODE_KEYS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/audit/ed25519_keys.h"
#include "storage/cluster_auth.h"

namespace collections::audit {

class ClusterNodeKeys final : public storage::ClusterMessageAuth {
 public:
  static absl::StatusOr<std::unique_ptr<ClusterNodeKeys>> Load(
      const std::string& node_id, const std::string& node_key_file,
      const std::string& node_keys_file);
  // The same from keys in memory (tests, tools).
  static absl::StatusOr<std::unique_ptr<ClusterNodeKeys>> FromKeys(
      const std::string& node_id, SigningKey own,
      std::map<std::string, VerifyingKey> cluster);

  // Parses a node keys file's text; INVALID_ARGUMENT naming the line.
  static absl::StatusOr<std::map<std::string, VerifyingKey>> ParseKeys(
      absl::string_view text);
  // The line naming `node_id` and `key` in a node keys file.
  static std::string KeyLine(absl::string_view node_id,
                             const VerifyingKey& key);

  const std::string& node_id() const override { return node_id_; }
  std::string Sign(absl::string_view payload) const override;
  absl::Status Verify(absl::string_view node_id, absl::string_view payload,
                      absl::string_view signature) const override;
  const VerifyingKey& public_key() const { return own_.public_key(); }

 private:
  ClusterNodeKeys(std::string node_id, SigningKey own,
                  std::map<std::string, VerifyingKey> cluster);
  const std::string node_id_;
  const SigningKey own_;
  const std::map<std::string, VerifyingKey, std::less<>> cluster_;
};

}  // namespace collections::audit

#endif  // COLLECTIONS_SERVICES_AUDIT_CLUSTER_NODE_KEYS_H_
