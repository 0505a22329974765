#include "services/projections/actor_index_projection.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace collections::projections {
namespace {

std::string PositionHex(uint64_t position) {
  return absl::StrFormat("%016x", position);
}

}  // namespace

std::string ActorIndexProjection::ActorPrefix(const std::string& actor_id) {
  return absl::StrFormat("a/%04x%s/", actor_id.size() & 0xffff, actor_id);
}

absl::Status ActorIndexProjection::Apply(const storage::RecordedEvent& recorded,
                                         storage::ProjectionWrite& write) {
  const collections::v1::Event& event = recorded.event;
  write.Put(absl::StrCat(ActorPrefix(event.actor().id()),
                         PositionHex(event.global_position())),
            "");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint64_t>> ReadActorPositions(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& actor_id, uint64_t after, size_t limit, bool* more) {
  const std::string prefix = ActorIndexProjection::ActorPrefix(actor_id);
  const std::string start_after =
      after == 0 ? "" : absl::StrCat(prefix, PositionHex(after));
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
