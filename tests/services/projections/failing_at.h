// A stored projection that fails at one log position, as if the process
// were killed there, and the test that a projection resumes from any such
// point to the same state as a fresh build.
#ifndef COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_
#define COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "gtest/gtest.h"
#include "services/projections/projection_runner.h"
#include "storage/event_log.h"
#include "storage/projection_store.h"

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

// Builds `Projection` from the whole log into keyspace "fresh"; then, for
// every position of the log, stops a build into "resumed" at that position
// (expecting it to have committed everything before it) and resumes it with
// a healthy projection: the resumed keyspace must equal the fresh one, key
// for key. Commits of `events_per_commit` events.
template <typename Projection>
void ExpectResumesToAFreshBuildFromAnyEvent(storage::EventLog& log,
                                            storage::ProjectionStore& store,
                                            const Clock& clock,
                                            size_t events_per_commit) {
  ProjectionRunner::Options options;
  options.events_per_commit = events_per_commit;
  Projection fresh_projection;
  ProjectionRunner fresh(&log, &store, &fresh_projection, "fresh", &clock,
                         options);
  ASSERT_TRUE(fresh.CatchUp().ok());
  auto expected = store.Scan("fresh", "", "", 1000000);
  ASSERT_TRUE(expected.ok());
  for (uint64_t stop_at = 1; stop_at <= log.HeadPosition(); ++stop_at) {
    SCOPED_TRACE(stop_at);
    ASSERT_TRUE(store.Drop("resumed").ok());
    {
      FailingAt<Projection> failing(stop_at);
      ProjectionRunner runner(&log, &store, &failing, "resumed", &clock,
                              options);
      EXPECT_EQ(runner.CatchUp().code(), absl::StatusCode::kAborted);
      EXPECT_EQ(runner.status().checkpoint, stop_at - 1);
    }
    Projection healthy;
    ProjectionRunner resumed(&log, &store, &healthy, "resumed", &clock,
                             options);
    ASSERT_TRUE(resumed.CatchUp().ok());
    auto state = store.Scan("resumed", "", "", 1000000);
    ASSERT_TRUE(state.ok());
    ASSERT_EQ(*state, *expected);
  }
}

}  // namespace collections::projections

#endif  // COLLECTIONS_TESTS_SERVICES_PROJECTIONS_FAILING_AT_H_
