// storage_bench: durable append throughput of the event log against raw
// RocksDB, measured in the same run on the same disk.
//
// For every (writers × batch size) case it runs, each for --seconds:
//   raw  one WriteBatch of `batch` puts (~event_bytes values) per call,
//        written with sync, from `writers` threads: RocksDB's own group
//        commit and nothing else. The baseline.
//   log  EventLog::Append of `batch` events of ~event_bytes each per call,
//        from `writers` threads, each to its own stream.
// and prints a table and a final JSON line with events/s and log/raw ratios.
//
//   build/tools/storage_bench --writers=1,16,64 --batches=1,10,100
//       --seconds=3 --rounds=3        (one command line)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/rocksdb_event_log.h"
#include "tools/bench_util/bench_util.h"

ABSL_FLAG(std::string, writers, "1,16,64",
          "comma-separated concurrent writer counts");
ABSL_FLAG(std::string, batches, "1,10,100",
          "comma-separated events per append");
ABSL_FLAG(double, seconds, 3.0, "seconds per measured run");
ABSL_FLAG(int, rounds, 1,
          "runs per case and side, alternating which side goes first; "
          "the medians are reported");
ABSL_FLAG(int, event_bytes, 500, "approximate serialized size of one event");
ABSL_FLAG(bool, sync, true, "sync the WAL on every write (both sides)");
ABSL_FLAG(std::string, only, "",
          "run only \"raw\" or \"log\" (for profiling); default both");
ABSL_FLAG(std::string, dir, "",
          "scratch directory (default: a fresh temp dir)");

namespace collections::storage {
namespace {

using bench::MakeEvent;
using bench::Median;
using bench::ParseList;
using bench::RunTimed;

double RunRaw(const std::string& dir, int writers, int batch, double seconds,
              int event_bytes, bool sync) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 20;
  options.max_background_jobs = 2;
  options.compression = rocksdb::kLZ4Compression;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    std::fprintf(stderr, "raw open failed: %s\n", status.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  const double rate =
      RunTimed(writers, seconds, [&](int t, std::atomic<bool>& stop) {
        std::string value(event_bytes, 'v');
        uint64_t written = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          rocksdb::WriteBatch wb;
          for (int i = 0; i < batch; ++i) {
            char key[16];
            std::snprintf(key, sizeof(key), "%03d%012llu", t,
                          static_cast<unsigned long long>(written + i));
            wb.Put(rocksdb::Slice(key, 15), value);
          }
          if (!db->Write(write_options, &wb).ok()) std::abort();
          written += batch;
        }
        return written;
      });
  db->Close().PermitUncheckedError();
  return rate;
}

double RunLog(const std::string& dir, int writers, int batch, double seconds,
              int event_bytes, bool sync) {
  EventLogOptions options;
  options.sync = sync;
  auto log = OpenRocksDbEventLog(options, dir);
  if (!log.ok()) {
    std::fprintf(stderr, "log open failed: %s\n",
                 log.status().ToString().c_str());
    std::exit(1);
  }
  return RunTimed(writers, seconds, [&](int t, std::atomic<bool>& stop) {
    const std::string stream = absl::StrCat("case-bench-", t);
    uint64_t written = 0;
    // Like the raw case's value, the events are built once; each append
    // only gives them fresh ids.
    std::vector<collections::v1::Event> events(batch,
                                               MakeEvent("", event_bytes));
    while (!stop.load(std::memory_order_relaxed)) {
      for (int i = 0; i < batch; ++i) {
        events[i].set_event_id(absl::StrCat(t, "-", written + i));
      }
      auto result = (*log)->Append(stream, ExpectedVersion::Any(), events);
      if (!result.ok()) {
        std::fprintf(stderr, "append failed: %s\n",
                     result.status().ToString().c_str());
        std::abort();
      }
      written += batch;
    }
    return written;
  });
}

struct CaseResult {
  int writers;
  int batch;
  double raw;
  double log;
};

int Main() {
  const std::vector<int> writer_counts =
      ParseList(absl::GetFlag(FLAGS_writers));
  const std::vector<int> batch_sizes = ParseList(absl::GetFlag(FLAGS_batches));
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int event_bytes = absl::GetFlag(FLAGS_event_bytes);
  const bool sync = absl::GetFlag(FLAGS_sync);
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  std::string root = absl::GetFlag(FLAGS_dir);
  if (root.empty()) {
    root = (std::filesystem::temp_directory_path() /
            absl::StrCat("storage-bench-", ::getpid()))
               .string();
  }
  std::filesystem::create_directories(root);

  std::printf(
      "storage_bench: sync=%s event_bytes=%d seconds=%.1f rounds=%d dir=%s\n",
      sync ? "on" : "off", event_bytes, seconds, rounds, root.c_str());
  std::printf("%8s %6s %16s %16s %8s\n", "writers", "batch", "raw events/s",
              "log events/s", "ratio");
  std::vector<CaseResult> results;
  int run = 0;
  for (int writers : writer_counts) {
    for (int batch : batch_sizes) {
      CaseResult r{writers, batch, 0, 0};
      const std::string only = absl::GetFlag(FLAGS_only);
      // Each round runs both sides in a fresh directory; odd rounds run the
      // log first, so neither side always inherits the other's background
      // work (flushes, compactions, page-cache writeback). The medians are
      // reported.
      std::vector<double> raw_rates, log_rates;
      for (int round = 0; round < rounds; ++round) {
        const std::string raw_dir = absl::StrCat(root, "/raw-", run);
        const std::string log_dir = absl::StrCat(root, "/log-", run);
        ++run;
        auto run_raw = [&] {
          if (only != "log")
            raw_rates.push_back(
                RunRaw(raw_dir, writers, batch, seconds, event_bytes, sync));
        };
        auto run_log = [&] {
          if (only != "raw")
            log_rates.push_back(
                RunLog(log_dir, writers, batch, seconds, event_bytes, sync));
        };
        if (round % 2 == 0) {
          run_raw();
          run_log();
        } else {
          run_log();
          run_raw();
        }
        std::filesystem::remove_all(raw_dir);
        std::filesystem::remove_all(log_dir);
      }
      r.raw = Median(raw_rates);
      r.log = Median(log_rates);
      std::printf("%8d %6d %16.0f %16.0f %7.2fx\n", r.writers, r.batch, r.raw,
                  r.log, r.log / r.raw);
      std::fflush(stdout);
      results.push_back(r);
    }
  }
  std::filesystem::remove_all(root);

  std::vector<std::string> cases;
  for (const CaseResult& r : results) {
    cases.push_back(absl::StrFormat(
        R"({"writers":%d,"batch":%d,"raw_events_per_s":%.0f,"log_events_per_s":%.0f,"ratio":%.3f})",
        r.writers, r.batch, r.raw, r.log, r.log / r.raw));
  }
  std::printf(
      R"({"benchmark":"storage_append","sync":%s,"event_bytes":%d,"seconds":%.1f,"rounds":%d,"cases":[%s]})"
      "\n",
      sync ? "true" : "false", event_bytes, seconds, rounds,
      absl::StrJoin(cases, ",").c_str());
  return 0;
}

}  // namespace
}  // namespace collections::storage

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return collections::storage::Main();
}
