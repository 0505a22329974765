// A stored projection that fails at one log position, as if the process
// were killed there: for tests that a projection resumes from any point to
// the same state as a fresh build.
#ifndef COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_
#define COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_

#include <cstdint>
#include <string>

#include "services/projections/projection_runner.h"

namespace collections::projections {

template <typename Projection>
class FailingAt final : public StoredProjection {
 public:
  explicit FailingAt(uint64_t position) : position_(position) {}
  std::string name() const override { return inner_.name(); }
  int version() const override { return inner_.version(); }
  storage::LogFilter filter() const override { return inner_.filter(); }
  bool reads_own_writes() const override { return inner_.reads_own_writes(); }
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override {
    if (recorded.event.global_position() == position_)
      return absl::AbortedError("killed");
    return inner_.Apply(recorded, write);
  }
  absl::Status Flush(storage::ProjectionWrite& write) override {
    return inner_.Flush(write);
  }
  void Reset() override { inner_.Reset(); }

 private:
  Projection inner_;
  const uint64_t position_;
};

}  // namespace collections::projections

#endif  // COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_
