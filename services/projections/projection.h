// Projection: a read model fed from the log, one committed event at a time,
// in global position order (by LogFollower).
#ifndef COLLECTIONS_SERVICES_PROJECTIONS_PROJECTION_H_
#define COLLECTIONS_SERVICES_PROJECTIONS_PROJECTION_H_

#include "collections/v1/events.pb.h"

namespace collections::projections {

class Projection {
 public:
  virtual ~Projection() = default;
  // Applies one committed event; its global position is above that of every
  // event applied before. Must not fail: a projection skips what it does not
  // model.
  virtual void Apply(const collections::v1::Event& event) = 0;
};

}  // namespace collections::projections

#endif  // COLLECTIONS_SERVICES_PROJECTIONS_PROJECTION_H_
