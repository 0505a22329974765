// ActorIndexProjection: every event's position under the actor who did it,
// so "what did this person or service do" is a scan of their own entries,
// not of the whole log:
//   "a/<actor id length, 4 hex><actor id>/<position, 16 hex>" → ""
// (the length prefix keeps one actor's keys from being a prefix of
// another's whatever characters ids hold). The events themselves are read
// from the log by position.
//
// Thread safety: driven by one ProjectionRunner; ReadActorPositions from
// any thread.
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_ACTOR_INDEX_PROJECTION_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_ACTOR_INDEX_PROJECTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/projections/projection_runner.h"

namespace collections::projections {

class ActorIndexProjection final : public StoredProjection {
 public:
  static constexpr char kName[] = "audit_actors";
  static constexpr int kVersion = 1;

  std::string name() const override { return kName; }
  int version() const override { return kVersion; }
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override;
  bool reads_own_writes() const override { return false; }

  static std::string ActorPrefix(const std::string& actor_id);
};

// Up to `limit` positions of `actor_id`'s events after position `after`, in
// log order; *more says whether any follow.
absl::StatusOr<std::vector<uint64_t>> ReadActorPositions(
    storage::ProjectionStore& store, const std::string& keyspace,
    const std::string& actor_id, uint64_t after, size_t limit, bool* more);

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_ACTOR_INDEX_PROJECTION_H_
