#include "tools/bench_util/bench_util.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace collections::bench {

collections::v1::Event MakeEvent(const std::string& id, int approx_bytes) {
  collections::v1::Event event;
  event.set_event_id(id);
  event.set_type("CallLogged");
  event.mutable_occurred_at()->set_seconds(1767225600);
  event.mutable_actor()->set_id("bench");
  event.set_schema_version(1);
  auto* call = event.mutable_payload()->mutable_call_logged();
  call->set_outcome(collections::v1::CALL_OUTCOME_CONVERSATION);
  call->set_time_zone("Europe/Amsterdam");
  const int used = static_cast<int>(event.ByteSizeLong());
  if (approx_bytes > used + 3)
    call->set_notes(std::string(approx_bytes - used - 3, 'n'));
  return event;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid]
                                : (values[mid - 1] + values[mid]) / 2;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index =
      std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

std::vector<int> ParseList(const std::string& text) {
  std::vector<int> values;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int value = 0;
    if (absl::SimpleAtoi(part, &value) && value > 0) values.push_back(value);
  }
  return values;
}

}  // namespace collections::bench
