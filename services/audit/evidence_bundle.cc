#include "services/audit/evidence_bundle.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/merkle.h"

namespace collections::audit {
namespace {

namespace v1 = ::collections::v1;

constexpr size_t kReadPage = 1000;

std::string Bytes(const Sha256Digest& digest) {
  return std::string(AsBytes(digest));
}

std::string EventName(const v1::BundleEvent& event) {
  return absl::StrCat("position ", event.position(), " (", event.stream_id(),
                      " v", event.stream_version(), ")");
}

}  // namespace

absl::StatusOr<v1::EvidenceBundle> BuildEvidenceBundle(
    storage::EventLog& log, storage::LogTree& tree,
    const v1::SignedTreeHead& head, const VerifyingKey& key,
    const std::vector<std::string>& stream_ids, const std::string& subject,
    absl::Time now) {
  const uint64_t tree_size = head.tree_size();
  v1::EvidenceBundle bundle;
  bundle.set_format(1);
  bundle.set_subject(subject);
  bundle.mutable_created_at()->set_seconds(absl::ToUnixSeconds(now));
  *bundle.mutable_head() = head;
  bundle.set_public_key_pem(key.Pem());
  bundle.set_key_fingerprint(key.Fingerprint());
  for (const std::string& stream_id : stream_ids) {
    v1::StreamChain chain;
    chain.set_stream_id(stream_id);
    uint64_t from = 1;
    for (bool more = true; more;) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          std::vector<storage::RecordedEvent> page,
          log.ReadStream(stream_id, from, storage::ReadDirection::kForward,
                         kReadPage));
      more = page.size() == kReadPage;
      for (storage::RecordedEvent& recorded : page) {
        const v1::Event& event = recorded.event;
        if (event.global_position() > tree_size) {
          more = false;  // positions grow with versions: the rest is later
          break;
        }
        COLLECTIONS_ASSIGN_OR_RETURN(
            std::vector<Sha256Digest> path,
            tree.InclusionProof(event.global_position(), tree_size));
        v1::BundleEvent* out = bundle.add_events();
        out->set_position(event.global_position());
        out->set_stream_id(stream_id);
        out->set_stream_version(event.stream_version());
        out->set_chain_hash(Bytes(recorded.chain_hash));
        for (const Sha256Digest& hash : path)
          out->add_inclusion_path(Bytes(hash));
        *out->mutable_event() = std::move(recorded.event);
        out->set_record(std::move(recorded.record));
        chain.set_last_version(out->stream_version());
        chain.set_last_chain_hash(out->chain_hash());
        from = out->stream_version() + 1;
      }
    }
    if (chain.last_version() > 0) *bundle.add_streams() = std::move(chain);
  }
  if (bundle.events().empty()) {
    return absl::NotFoundError(absl::StrCat("no events of ", subject,
                                            " within tree size ", tree_size));
  }
  std::sort(bundle.mutable_events()->begin(), bundle.mutable_events()->end(),
            [](const v1::BundleEvent& a, const v1::BundleEvent& b) {
              return a.position() < b.position();
            });
  return bundle;
}

VerificationReport VerifyEvidenceBundle(const v1::EvidenceBundle& bundle,
                                        const VerifyingKey& key) {
  VerificationReport report;
  const v1::SignedTreeHead& head = bundle.head();
  if (absl::Status signed_head = VerifyTreeHead(head, key); !signed_head.ok()) {
    report.failures.push_back(
        absl::StrCat("signed head: ", signed_head.message()));
    return report;  // nothing else can be trusted without it
  }
  const Sha256Digest root = *RootOf(head);
  report.holds.push_back(
      absl::StrCat("the signed head of tree size ", head.tree_size(), " (root ",
                   ToHex(root), ") is signed by key ", key.Fingerprint()));

  // Per event: its leaf is in the signed tree where it claims to be.
  size_t included = 0;
  std::map<std::string, std::map<uint64_t, const v1::BundleEvent*>> streams;
  std::map<uint64_t, Sha256Digest> leaves;
  size_t withheld = 0;
  for (const v1::BundleEvent& event : bundle.events()) {
    const std::string name = EventName(event);
    Sha256Digest leaf;
    v1::Event decoded;
    if (!event.withheld_leaf_hash().empty()) {
      if (!event.record().empty() || event.has_event() ||
          !DigestFromBytes(event.withheld_leaf_hash(), &leaf)) {
        report.failures.push_back(absl::StrCat(
            name,
            ": withheld, but with a record or a leaf hash that is not "
            "32 bytes"));
        continue;
      }
      ++withheld;
    } else if (leaf = LeafHash(event.record());
               !decoded.ParseFromString(event.record())) {
      report.failures.push_back(
          absl::StrCat(name, ": the record does not decode as an event"));
      continue;
    }
    if (!event.withheld_leaf_hash().empty()) {
      // Only the leaf: inclusion and chain below.
    } else if (decoded.global_position() != event.position() ||
               decoded.stream_id() != event.stream_id() ||
               decoded.stream_version() != event.stream_version()) {
      report.failures.push_back(absl::StrCat(
          name, ": the record says it is position ", decoded.global_position(),
          " (", decoded.stream_id(), " v", decoded.stream_version(), ")"));
      continue;
    }
    if (event.withheld_leaf_hash().empty() &&
        decoded.SerializeAsString() != event.event().SerializeAsString()) {
      report.failures.push_back(absl::StrCat(
          name, ": the decoded form differs from the stored record"));
    }
    std::vector<Sha256Digest> path;
    bool path_ok = true;
    for (const std::string& hash : event.inclusion_path()) {
      Sha256Digest digest;
      path_ok &= DigestFromBytes(hash, &digest);
      path.push_back(digest);
    }
    absl::Status inclusion =
        !path_ok ? absl::FailedPreconditionError(
                       "a hash of the inclusion proof is not 32 bytes")
        : event.position() == 0
            ? absl::FailedPreconditionError("position 0 does not exist")
            : storage::merkle::VerifyInclusion(
                  event.position() - 1, head.tree_size(), leaf, path, root);
    if (!inclusion.ok()) {
      report.failures.push_back(absl::StrCat(
          name, ": not included in the signed tree: ", inclusion.message()));
      continue;
    }
    ++included;
    leaves[event.position()] = leaf;
    if (!streams[event.stream_id()]
             .emplace(event.stream_version(), &event)
             .second) {
      report.failures.push_back(
          absl::StrCat(name, ": the version appears twice"));
    }
  }
  if (withheld > 0) {
    report.holds.push_back(
        absl::StrCat(withheld,
                     " events are withheld from this bundle (not its reader's "
                     "to see): proven by their leaf hashes, content not "
                     "disclosed"));
  }
  if (included > 0) {
    report.holds.push_back(
        absl::StrCat(included,
                     " events are included in the signed tree at their "
                     "positions, and each record names its own position"));
  }

  // Per stream: versions 1..last, no gap, and the chain recomputes.
  for (const v1::StreamChain& chain : bundle.streams()) {
    const auto& versions = streams[chain.stream_id()];
    Sha256Digest previous{};
    uint64_t expected = 1;
    bool intact = true;
    for (const auto& [version, event] : versions) {
      if (version != expected) {
        report.failures.push_back(absl::StrCat(chain.stream_id(), ": version ",
                                               expected, " is missing before ",
                                               EventName(*event)));
        intact = false;
        break;
      }
      previous = ChainHash(previous, leaves[event->position()]);
      if (AsBytes(previous) != event->chain_hash()) {
        report.failures.push_back(absl::StrCat(
            EventName(*event), ": the chain hash does not recompute"));
        intact = false;
        break;
      }
      ++expected;
    }
    if (!intact) continue;
    if (expected - 1 != chain.last_version() ||
        AsBytes(previous) != chain.last_chain_hash()) {
      report.failures.push_back(absl::StrCat(
          chain.stream_id(), ": the bundle has versions 1..", expected - 1,
          " but names version ", chain.last_version(), " as the last"));
      continue;
    }
    report.holds.push_back(absl::StrCat(
        chain.stream_id(), ": versions 1..", chain.last_version(),
        " are all present, in order, and their chain hashes recompute"));
  }
  for (const auto& [stream_id, versions] : streams) {
    bool named = false;
    for (const v1::StreamChain& chain : bundle.streams())
      named |= chain.stream_id() == stream_id;
    if (!named) {
      report.failures.push_back(absl::StrCat(
          stream_id, ": has events in the bundle but no chain entry"));
    }
  }
  return report;
}

void WithholdEvent(v1::BundleEvent& event) {
  if (!event.withheld_leaf_hash().empty()) return;
  event.set_withheld_leaf_hash(std::string(AsBytes(LeafHash(event.record()))));
  event.clear_record();
  event.clear_event();
}

}  // namespace collections::audit
