// audit_bench: what the Merkle tree costs the append path, and how fast
// proofs come out of a large log.
//
//   build/tools/audit_bench                        # full run, ~4 minutes
//   build/tools/audit_bench --proof_events=1000000 --seconds=2   # quicker
//
// 1. Durable appends (sync on) with the tree maintained in every batch and
//    without it, in the same run: for each (writers × batch) case, rounds
//    alternate which side goes first, in fresh directories; medians are
//    reported with their ratio, and the median of each round's own ratio
//    (its two sides ran back to back).
// 2. A log of --proof_events events (written unsynced in batches: it is the
//    input, not what is measured), then --proofs inclusion proofs of random
//    positions in the full tree and consistency proofs between random sizes,
//    each timed alone (p50/p99), and every proof checked with the RFC 9162
//    verifier.
// Prints a table and a final JSON line.
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "storage/merkle.h"
#include "storage/rocksdb_event_log.h"
#include "tools/bench_util/bench_util.h"

ABSL_FLAG(std::string, writers, "16,64", "comma-separated writer counts");
ABSL_FLAG(std::string, batches, "1,100", "comma-separated events per append");
ABSL_FLAG(double, seconds, 3.0, "seconds per measured append run");
ABSL_FLAG(int, rounds, 5, "append runs per case and side (medians)");
ABSL_FLAG(int, event_bytes, 500, "approximate serialized size of one event");
ABSL_FLAG(int64_t, proof_events, 10000000, "events in the log for proofs");
ABSL_FLAG(int, proofs, 10000, "proofs of each kind timed");
ABSL_FLAG(std::string, dir, "", "scratch directory (default: a temp dir)");

namespace collections {
namespace {

namespace v1 = ::collections::v1;

double AppendRate(const std::string& dir, bool tree, int writers, int batch) {
  storage::EventLogOptions options;
  options.merkle_tree = tree;
  auto log = storage::OpenRocksDbEventLog(options, dir);
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    std::exit(1);
  }
  const int event_bytes = absl::GetFlag(FLAGS_event_bytes);
  return bench::RunTimed(
      writers, absl::GetFlag(FLAGS_seconds),
      [&](int t, std::atomic<bool>& stop) {
        std::vector<v1::Event> events(batch, bench::MakeEvent("", event_bytes));
        const std::string stream = absl::StrCat("case-bench-", t);
        uint64_t written = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          for (int i = 0; i < batch; ++i)
            events[i].set_event_id(absl::StrCat(t, "-", written + i));
          if (!(*log)
                   ->Append(stream, storage::ExpectedVersion::Any(), events)
                   .ok()) {
            std::abort();
          }
          written += batch;
        }
        return written;
      });
}

struct AppendCase {
  int writers, batch;
  double with_tree, without_tree;  // medians
  double paired_ratio;  // median over rounds of with/without in the round
};

struct Timings {
  double p50_ms, p99_ms;
};

int Main() {
  std::string root = absl::GetFlag(FLAGS_dir);
  if (root.empty()) {
    root = (std::filesystem::temp_directory_path() /
            absl::StrCat("audit-bench-", ::getpid()))
               .string();
  }
  std::filesystem::create_directories(root);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  // 1. The tree's cost on durable appends.
  std::vector<AppendCase> cases;
  int run = 0;
  std::printf("%8s %6s %18s %18s %8s %10s\n", "writers", "batch",
              "with tree, ev/s", "without, ev/s", "ratio", "paired");
  for (int writers : bench::ParseList(absl::GetFlag(FLAGS_writers))) {
    for (int batch : bench::ParseList(absl::GetFlag(FLAGS_batches))) {
      std::vector<double> with, without, ratios;
      for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
        for (int side = 0; side < 2; ++side) {
          const bool tree = (side + round) % 2 == 0;
          const std::string dir = absl::StrCat(root, "/append-", run++);
          (tree ? with : without)
              .push_back(AppendRate(dir, tree, writers, batch));
          std::filesystem::remove_all(dir);
        }
        // The two sides of one round ran back to back: their ratio is the
        // least disturbed by the disk's slow drifts.
        ratios.push_back(with.back() / without.back());
      }
      AppendCase c{writers, batch, bench::Median(with), bench::Median(without),
                   bench::Median(ratios)};
      std::printf("%8d %6d %18.0f %18.0f %7.2fx %9.2fx\n", c.writers, c.batch,
                  c.with_tree, c.without_tree, c.with_tree / c.without_tree,
                  c.paired_ratio);
      cases.push_back(c);
    }
  }

  // 2. Proofs from a large log.
  const int64_t target = absl::GetFlag(FLAGS_proof_events);
  storage::EventLogOptions options;
  options.sync = false;
  auto log = storage::OpenRocksDbEventLog(options, root + "/proofs");
  if (!log.ok()) return 1;
  const absl::Time write_start = absl::Now();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      std::vector<v1::Event> events(100, bench::MakeEvent("", 300));
      for (uint64_t n = 0;
           static_cast<int64_t>((*log)->HeadPosition()) < target; ++n) {
        for (int i = 0; i < 100; ++i)
          events[i].set_event_id(absl::StrCat(n, "-", i));
        if (!(*log)
                 ->Append(absl::StrCat("case-w", t, "-", n % 1000),
                          storage::ExpectedVersion::Any(), events)
                 .ok()) {
          std::abort();
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  const uint64_t size = (*log)->HeadPosition();
  std::printf("wrote %llu events in %.1f s\n",
              static_cast<unsigned long long>(size),
              absl::ToDoubleSeconds(absl::Now() - write_start));
  auto root_hash = (*log)->TreeRoot(size);
  if (!root_hash.ok()) return 1;

  std::mt19937_64 rng(11);
  std::vector<double> inclusion_ms, consistency_ms;
  int failures = 0;
  storage::LogRead one;
  one.max_events = 1;
  one.max_scanned = 1;
  for (int i = 0; i < absl::GetFlag(FLAGS_proofs); ++i) {
    const uint64_t position = 1 + rng() % size;
    absl::Time start = absl::Now();
    auto proof = (*log)->InclusionProof(position, size);
    inclusion_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    one.from_position = position;
    auto event = (*log)->ReadAll(one);
    if (!proof.ok() || !event.ok() ||
        !storage::merkle::VerifyInclusion(
             position - 1, size, event->events[0].leaf_hash, *proof, *root_hash)
             .ok()) {
      ++failures;
    }
    const uint64_t old_size = 1 + rng() % size;
    start = absl::Now();
    auto consistency = (*log)->ConsistencyProof(old_size, size);
    consistency_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (i % 100 == 0) {  // the old root costs a fold of its own: a sample
      auto old_root = (*log)->TreeRoot(old_size);
      if (!consistency.ok() || !old_root.ok() ||
          !storage::merkle::VerifyConsistency(old_size, size, *old_root,
                                              *root_hash, *consistency)
               .ok()) {
        ++failures;
      }
    }
  }
  const Timings inclusion{bench::Percentile(inclusion_ms, 0.5),
                          bench::Percentile(inclusion_ms, 0.99)};
  const Timings consistency{bench::Percentile(consistency_ms, 0.5),
                            bench::Percentile(consistency_ms, 0.99)};
  std::printf("%-40s %10.3f / %.3f ms  (target p99 <= 1 ms)\n",
              absl::StrCat("inclusion proof at ", size, " p50/p99").c_str(),
              inclusion.p50_ms, inclusion.p99_ms);
  std::printf("%-40s %10.3f / %.3f ms\n",
              absl::StrCat("consistency proof to ", size, " p50/p99").c_str(),
              consistency.p50_ms, consistency.p99_ms);
  std::printf("proofs that failed to verify: %d\n", failures);
  log->reset();
  std::filesystem::remove_all(root);

  std::vector<std::string> json_cases;
  for (const AppendCase& c : cases) {
    json_cases.push_back(absl::StrFormat(
        R"({"writers":%d,"batch":%d,"with_tree_events_per_s":%.0f,"without_tree_events_per_s":%.0f,"ratio":%.3f,"paired_ratio":%.3f})",
        c.writers, c.batch, c.with_tree, c.without_tree,
        c.with_tree / c.without_tree, c.paired_ratio));
  }
  std::printf(
      R"({"benchmark":"audit_bench","append_cases":[%s],"proof_tree_size":%llu,"inclusion_p50_ms":%.4f,"inclusion_p99_ms":%.4f,"consistency_p50_ms":%.4f,"consistency_p99_ms":%.4f,"failed_proofs":%d})"
      "\n",
      absl::StrJoin(json_cases, ",").c_str(),
      static_cast<unsigned long long>(size), inclusion.p50_ms, inclusion.p99_ms,
      consistency.p50_ms, consistency.p99_ms, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace collections

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return collections::Main();
}
