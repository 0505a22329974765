#include "services/audit/log_verification.h"

#include "absl/strings/str_cat.h"
#include "collections/v1/audit.pb.h"
#include "services/audit/signed_tree_head.h"

namespace collections::audit {

VerificationReport JudgeLogIntegrity(const storage::LogIntegrity& integrity,
                                     const VerifyingKey& key) {
  VerificationReport report;
  report.failures = integrity.problems;
  if (integrity.problems.empty()) {
    report.holds.push_back(absl::StrCat(
        integrity.events, " events at positions 1..", integrity.events,
        " without a gap; every record hashes to its leaf, names its own "
        "position, and its stream's chain (",
        integrity.streams, " streams) and tree nodes recompute"));
  }
  size_t valid_heads = 0;
  for (const auto& [size, bytes] : integrity.tree_heads) {
    collections::v1::SignedTreeHead head;
    if (!head.ParseFromString(bytes)) {
      report.failures.push_back(
          absl::StrCat("the kept head of tree size ", size, " does not parse"));
      continue;
    }
    if (absl::Status signature = VerifyTreeHead(head, key); !signature.ok()) {
      report.failures.push_back(absl::StrCat("the kept head of tree size ",
                                             size, ": ", signature.message()));
      continue;
    }
    auto recomputed = integrity.recomputed_roots.find(size);
    if (recomputed == integrity.recomputed_roots.end()) {
      report.failures.push_back(
          absl::StrCat("the head of tree size ", size,
                       " cannot be checked: the log's first ", size,
                       " events are not all there"));
      continue;
    }
    if (AsBytes(recomputed->second) != head.root_hash()) {
      report.failures.push_back(
          absl::StrCat("the records of positions 1..", size,
                       " do not give the root the server signed for tree size ",
                       size, ": an event at or below position ", size,
                       " was changed after the head was signed"));
      continue;
    }
    ++valid_heads;
    if (size == integrity.tree_heads.rbegin()->first) {
      report.holds.push_back(absl::StrCat(
          "the latest signed head (tree size ", size, ", key ",
          key.Fingerprint(), ") matches the root recomputed from the records"));
    }
  }
  if (integrity.tree_heads.empty()) {
    report.failures.push_back(
        "no signed tree head is kept: nothing ties the log to the key");
  } else if (valid_heads > 0) {
    report.holds.push_back(absl::StrCat(valid_heads, " of ",
                                        integrity.tree_heads.size(),
                                        " kept heads verify"));
  }
  return report;
}

}  // namespace collections::audit
