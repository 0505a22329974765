// Helpers shared by the benchmarks in tools/: synthetic events, timed
// multi-threaded runs and robust summaries.
#ifndef COLLECTIONS_TOOLS_BENCH_UTIL_BENCH_UTIL_H_
#define COLLECTIONS_TOOLS_BENCH_UTIL_BENCH_UTIL_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "collections/v1/events.pb.h"

namespace collections::bench {

// A CallLogged event with id `id`, padded with notes to about
// `approx_bytes` serialized.
collections::v1::Event MakeEvent(const std::string& id, int approx_bytes);

// The median of `values` (0 when empty): robust against one noisy round.
double Median(std::vector<double> values);

// The p-quantile (0..1) of `values` (0 when empty).
double Percentile(std::vector<double> values, double p);

// Positive integers of a comma-separated list ("1,16,64").
std::vector<int> ParseList(const std::string& text);

// Runs `body(thread, stop)` on `threads` threads for `seconds`; returns the
// sum of what the bodies return (units done) per second.
template <typename Body>
double RunTimed(int threads, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::vector<uint64_t> counts(threads, 0);
  std::vector<std::thread> running;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] { counts[t] = body(t, stop); });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop.store(true);
  for (auto& thread : running) thread.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  return static_cast<double>(total) / elapsed;
}

}  // namespace collections::bench

#endif  // COLLECTIONS_TOOLS_BENCH_UTIL_BENCH_UTIL_H_
