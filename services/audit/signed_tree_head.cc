#include "services/audit/signed_tree_head.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "storage/key_encoding.h"

namespace collections::audit {
namespace {

namespace v1 = ::collections::v1;

constexpr absl::string_view kSigningLabel = "collections.v1.SignedTreeHead\n";

absl::StatusOr<std::optional<v1::SignedTreeHead>> Parse(
    absl::StatusOr<std::optional<std::string>> stored) {
  COLLECTIONS_RETURN_IF_ERROR(stored.status());
  if (!stored->has_value()) return std::nullopt;
  v1::SignedTreeHead head;
  if (!head.ParseFromString(**stored)) {
    return absl::DataLossError("a kept signed tree head does not parse");
  }
  return head;
}

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

}  // namespace

std::string TreeHeadSigningInput(uint64_t tree_size, const Sha256Digest& root,
                                 int64_t timestamp_unix_millis) {
  std::string input(kSigningLabel);
  storage::PutU64(&input, tree_size);
  storage::PutU64(&input, static_cast<uint64_t>(timestamp_unix_millis));
  input.append(reinterpret_cast<const char*>(root.data()), root.size());
  return input;
}

v1::SignedTreeHead SignTreeHead(const SigningKey& key, uint64_t tree_size,
                                const Sha256Digest& root, absl::Time at) {
  const int64_t millis = absl::ToUnixMillis(at);
  v1::SignedTreeHead head;
  head.set_tree_size(tree_size);
  head.set_root_hash(std::string(AsBytes(root)));
  // The signed input holds whole milliseconds; the head's time says the same.
  *head.mutable_timestamp() = ToTimestamp(absl::FromUnixMillis(millis));
  head.set_signature(key.Sign(TreeHeadSigningInput(tree_size, root, millis)));
  head.set_key_fingerprint(key.public_key().Fingerprint());
  return head;
}

absl::StatusOr<Sha256Digest> RootOf(const v1::SignedTreeHead& head) {
  Sha256Digest root;
  if (!DigestFromBytes(head.root_hash(), &root)) {
    return absl::FailedPreconditionError(
        "the signed head's root hash is not 32 bytes");
  }
  return root;
}

absl::Status VerifyTreeHead(const v1::SignedTreeHead& head,
                            const VerifyingKey& key) {
  if (head.key_fingerprint() != key.Fingerprint()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the head was signed by key ", head.key_fingerprint(),
                     ", not by the given key ", key.Fingerprint()));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest root, RootOf(head));
  if (!key.Verify(TreeHeadSigningInput(head.tree_size(), root,
                                       Millis(head.timestamp())),
                  head.signature())) {
    return absl::FailedPreconditionError(
        "the head's signature does not verify with the given key");
  }
  return absl::OkStatus();
}

TreeHeadSigner::TreeHeadSigner(storage::EventLog* log, storage::LogTree* tree,
                               SigningKey key, const Clock* clock)
    : log_(log), tree_(tree), key_(std::move(key)), clock_(clock) {}

absl::StatusOr<v1::SignedTreeHead> TreeHeadSigner::SignLatest() {
  absl::MutexLock lock(&sign_mu_);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<v1::SignedTreeHead> latest,
                               Latest());
  const uint64_t size = log_->HeadPosition();
  if (latest.has_value() && latest->tree_size() >= size) return *latest;
  COLLECTIONS_ASSIGN_OR_RETURN(Sha256Digest root, tree_->TreeRoot(size));
  v1::SignedTreeHead head = SignTreeHead(key_, size, root, clock_->Now());
  COLLECTIONS_RETURN_IF_ERROR(
      tree_->SaveTreeHead(size, head.SerializeAsString()));
  return head;
}

absl::StatusOr<std::optional<v1::SignedTreeHead>> TreeHeadSigner::Latest() {
  return Parse(tree_->LatestTreeHead());
}

absl::StatusOr<std::optional<v1::SignedTreeHead>> TreeHeadSigner::At(
    uint64_t tree_size) {
  return Parse(tree_->ReadTreeHead(tree_size));
}

}  // namespace collections::audit
