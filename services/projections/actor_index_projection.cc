#include "services/projections/actor_index_projection.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/fixed_hex.h"
#include "common/status_macros.h"

namespace collections::projections {
namespace {

// "%016x" of the position, after the prefix in `key`.
std::string WithPosition(std::string key, uint64_t position) {
  AppendFixedHex(position, 16, &key);
  return key;
}

}  // namespace

std::string ActorIndexProjection::ActorPrefix(const std::string& actor_id) {
  // "a/%04x%s/" of the id's length (its low 16 bits) and the id, with the
  // room for the position a key adds to it.
  std::string prefix;
  prefix.reserve(2 + 4 + actor_id.size() + 1 + 16);
  prefix.append("a/");
  AppendFixedHex(actor_id.size(), 4, &prefix);
  prefix.append(actor_id);
  prefix.push_back('/');
  return prefix;
}

absl::Status ActorIndexProjection::Apply(const storage::RecordedEvent& recorded,
                                         storage::ProjectionWrite& write) {
  const collections::v1::Event& event = recorded.event;
  write.Put(
      WithPosition(ActorPrefix(event.actor().id()), event.global_position()),
      "");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint64_t>> ReadActorPositions(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& actor_id, uint64_t after, size_t limit, bool* more) {
  const std::string prefix = ActorIndexProjection::ActorPrefix(actor_id);
  const std::string start_after = after == 0 ? "" : WithPosition(prefix, after);
  COLLECTIONS_ASSIGN_OR_RETURN(
      auto entries, store.Scan(keyspace, prefix, start_after, limit + 1));
  *more = entries.size() > limit;
  if (*more) entries.pop_back();
  std::vector<uint64_t> positions;
  positions.reserve(entries.size());
  for (const auto& [key, unused] : entries) {
    uint64_t position = 0;
    if (!absl::SimpleHexAtoi(absl::string_view(key).substr(prefix.size()),
                             &position)) {
      return absl::DataLossError(absl::StrCat("bad actor index key ", key));
    }
    positions.push_back(position);
  }
  return positions;
}

}  // namespace collections::projections
