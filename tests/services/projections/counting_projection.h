// CountingProjection: a stored projection for runner tests. It counts
// events per stream and keeps the sum of their positions, so any lost or
// doubled event changes its state; it can be told to fail at one position.
#ifndef COLLECTIONS_TESTS_SERVICES_PROJECTIONS_COUNTING_PROJECTION_H_
#define COLLECTIONS_TESTS_SERVICES_PROJECTIONS_COUNTING_PROJECTION_H_

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/projections/projection_runner.h"

namespace collections::projections {

class CountingProjection final : public StoredProjection {
 public:
  explicit CountingProjection(int version = 1, uint64_t fail_at = 0)
      : version_(version), fail_at_(fail_at) {}
  std::string name() const override { return "counting"; }
  int version() const override { return version_; }
  absl::Status Apply(const storage::RecordedEvent& recorded,
                     storage::ProjectionWrite& write) override {
    const collections::v1::Event& event = recorded.event;
    if (event.global_position() == fail_at_) {
      return absl::InternalError("cannot apply this event");
    }
    for (const std::string& key :
         {std::string("count/") + event.stream_id(), std::string("sum")}) {
      absl::StatusOr<std::optional<std::string>> value = write.Get(key);
      if (!value.ok()) return value.status();
      uint64_t n = 0;
      if (value->has_value()) (void)absl::SimpleAtoi(**value, &n);
      n += key == "sum" ? event.global_position() : 1;
      write.Put(key, absl::StrCat(n));
    }
    return absl::OkStatus();
  }

 private:
  const int version_;
  const uint64_t fail_at_;
};

}  // namespace collections::projections

#endif  // COLLECTIONS_TESTS_SERVICES_PROJECTIONS_COUNTING_PROJECTION_H_
