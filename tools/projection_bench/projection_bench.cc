// projection_bench: how fast the stored projections rebuild, whether reads
// stay as cheap as the log grows, and how far behind live appends they lag.
//
//   build/tools/projection_bench                       # 1M then 10M events
//   build/tools/projection_bench --small=200000 --large=1000000   # quicker
//
// It writes a synthetic portfolio straight into a fresh event log (cases of
// ~20 events: opening, calls, letters, promises, payments), then:
//   1. at --small events, rebuilds the case standing and the debtor
//      timeline from position 0 into a fresh store, timing each (events/s);
//   2. grows the log to --large events and rebuilds both again into a
//      second store (events/s at that size);
//   3. reads random timeline pages (100 entries) and case standings (with
//      the acts allowed now) from both stores in 20 interleaved rounds,
//      uniformly over all cases and from a hot set of --hot_set cases, so
//      noise on this shared machine falls on both sides alike; the p50
//      ratio large/small is the figure;
//   4. appends single events from --appenders threads at full speed for
//      --lag_seconds while the large store's projections follow, and
//      measures for a sample of appends the time from acknowledgement to
//      applied (p99).
// Prints a table and a final JSON line.
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
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "services/app/case_standing.h"
#include "services/observability/json_text.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/projection_runner.h"
#include "services/projections/timeline_projection.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"

ABSL_FLAG(int64_t, small, 1000000, "events in the log for the first reads");
ABSL_FLAG(int64_t, large, 10000000, "events in the log for the second reads");
ABSL_FLAG(int, events_per_case, 20, "events per synthetic case");
ABSL_FLAG(int, reads, 2000, "reads of each kind per measurement");
ABSL_FLAG(int, appenders, 32, "threads appending single events (lag)");
ABSL_FLAG(double, lag_seconds, 5, "seconds of live appends for the lag");
ABSL_FLAG(std::string, dir, "", "scratch directory (default: a temp dir)");
ABSL_FLAG(int, hot_set, 1000,
          "cases in the hot set for the cached-read measurement");
ABSL_FLAG(int, settle_seconds, 10,
          "pause before the reads, after the stores have settled, for the "
          "log's compactions");

ABSL_FLAG(bool, diagnose, false,
          "also time the parts of a timeline read (snapshot, index, chunk)");
ABSL_FLAG(bool, prefix_filters, false,
          "prefix bloom filters in the projection store");

namespace collections {
namespace {

namespace v1 = ::collections::v1;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

// The events of synthetic case `n`: opened, then calls, letters, a promise
// and payments, a day apart, with business times spread over two years.
std::vector<v1::Event> CaseEvents(int64_t n, int count) {
  std::vector<v1::Event> events;
  const int64_t start = 1735689600 + (n % 700) * 86400;  // from 2025-01-01
  for (int i = 0; i < count; ++i) {
    v1::Event event;
    event.set_event_id(absl::StrCat("e", i));
    event.mutable_occurred_at()->set_seconds(start + i * 86400 + 36000);
    event.mutable_actor()->set_id("bench");
    v1::EventPayload* payload = event.mutable_payload();
    if (i == 0) {
      event.set_type("CaseOpened");
      auto* opened = payload->mutable_case_opened();
      opened->set_case_id(absl::StrCat("c", n));
      opened->set_debtor_id(absl::StrCat("d", n / 2));  // two cases each
      opened->set_creditor_id(absl::StrCat("cr", n % 10));
      opened->set_currency("EUR");
      opened->set_rule_pack("nl-consumer");
      opened->set_time_zone("Europe/Amsterdam");
      auto* line = opened->add_claim_lines();
      line->set_invoice_number(absl::StrCat("INV-", n));
      *line->mutable_due_date() = domain::ToLocalDate(
          absl::ToCivilDay(absl::FromUnixSeconds(start), absl::UTCTimeZone()));
      *line->mutable_gross() = Eur(10000 + n % 90000);
      *line->mutable_vat() = Eur((10000 + n % 90000) * 21 / 121);
    } else if (i % 5 == 0) {
      event.set_type("LetterIssued");
      auto* letter = payload->mutable_letter_issued();
      letter->set_letter_id(absl::StrCat("L", i));
      letter->set_level(v1::LETTER_LEVEL_REMINDER);
      *letter->mutable_amount_stated() = Eur(10000);
    } else if (i % 7 == 0) {
      event.set_type("PaymentReceived");
      auto* paid = payload->mutable_payment_received();
      paid->set_payment_id(absl::StrCat("P", i));
      *paid->mutable_amount() = Eur(100);
      *paid->mutable_allocation()->mutable_principal() = Eur(100);
    } else {
      event.set_type("CallLogged");
      auto* call = payload->mutable_call_logged();
      call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
      call->set_outcome(i % 3 == 0 ? v1::CALL_OUTCOME_CONVERSATION
                                   : v1::CALL_OUTCOME_NO_ANSWER);
      call->set_time_zone("Europe/Amsterdam");
    }
    events.push_back(std::move(event));
  }
  return events;
}

// Appends cases until the log holds `target` events; returns cases written.
int64_t Grow(storage::EventLog& log, int64_t next_case, int64_t target,
             int per_case) {
  std::vector<std::thread> threads;
  std::atomic<int64_t> case_number{next_case};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (static_cast<int64_t>(log.HeadPosition()) < target) {
        const int64_t n = case_number.fetch_add(1);
        auto events = CaseEvents(n, per_case);
        auto appended =
            log.Append(absl::StrCat("case-c", n),
                       storage::ExpectedVersion::NoStream(), events);
        if (!appended.ok()) {
          std::fprintf(stderr, "append: %s\n",
                       appended.status().ToString().c_str());
          return;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return case_number.load();
}

struct Percentiles {
  double p50 = 0, p99 = 0;
};
Percentiles Of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  if (ms.empty()) return {};
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// Read latencies of one store, sampled across interleaved rounds.
struct Samples {
  std::vector<double> timeline_ms, standing_ms;
};

// A projection store filled from the log up to some size, with the
// runners that filled it.
struct Side {
  std::string name;
  std::unique_ptr<storage::ProjectionStore> store;
  projections::CaseStandingProjection standing_projection;
  projections::TimelineProjection timeline_projection;
  std::unique_ptr<projections::ProjectionRunner> standing, timeline;
  int64_t cases = 0;
  double standing_rate = 0, timeline_rate = 0;  // rebuild, events/s
  std::vector<int64_t> hot_set;
  Samples cold, hot;
};

// --diagnose: the parts of a timeline read, timed alone over the hot set:
// the snapshot, the index read, its parse, and the chunk read for debtors
// whose timeline is not inline in the index.
void DiagnoseTimelineReads(const Side& side) {
  std::vector<double> snapshot_ms, index_ms, parse_ms, chunk_ms;
  for (int round = 0; round < 3; ++round) {
    for (int64_t n : side.hot_set) {
      const std::string debtor = absl::StrCat("d", n / 2);
      absl::Time start = absl::Now();
      auto view = side.store->Snapshot("timeline");
      snapshot_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      start = absl::Now();
      auto index = (*view)->Get(absl::StrCat("th/", debtor));
      index_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      start = absl::Now();
      v1::TimelineIndex parsed;
      if (index.ok() && index->has_value()) parsed.ParseFromString(**index);
      parse_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      if (parsed.has_inline_chunk() || parsed.chunks().empty()) continue;
      start = absl::Now();
      auto chunk = (*view)->Get(
          absl::StrFormat("tc/%s/%08x", debtor, parsed.chunks(0).id()));
      chunk_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    }
  }
  std::printf(
      "diagnose %s p50 ms: snapshot %.4f index %.4f parse %.4f chunk %.4f "
      "(%zu of %zu reads needed a chunk)\n",
      side.name.c_str(), Of(snapshot_ms).p50, Of(index_ms).p50,
      Of(parse_ms).p50, Of(chunk_ms).p50, chunk_ms.size(), index_ms.size());
}

// Reads `count` random cases' standings and their debtors' timeline pages
// (100 entries) from `side`, from its hot set when `hot`, else uniformly
// over all its cases, adding the latencies to `out`.
void SampleReads(Side& side, int count, bool hot, std::mt19937_64& rng,
                 Samples* out) {
  const absl::Time as_of = absl::FromUnixSeconds(1798761600);  // 2027-01-01
  for (int i = 0; i < count; ++i) {
    const int64_t n = hot ? side.hot_set[rng() % side.hot_set.size()]
                          : static_cast<int64_t>(rng() % side.cases);
    projections::TimelineQuery query;
    query.debtor_id = absl::StrCat("d", n / 2);
    query.limit = 100;
    absl::Time start = absl::Now();
    auto page = projections::ReadTimeline(*side.store, "timeline", query);
    const double timeline = absl::ToDoubleMilliseconds(absl::Now() - start);
    if (!page.ok() || page->items.empty()) {
      std::fprintf(stderr, "timeline read failed for %s\n",
                   query.debtor_id.c_str());
    }
    start = absl::Now();
    auto state = projections::ReadStoredCase(*side.store, "standing",
                                             absl::StrCat("c", n));
    if (state.ok()) {
      auto standing = app::StandingAt(*state, as_of);
      if (standing.actions_size() == 0) std::fprintf(stderr, "no actions\n");
    }
    const double standing = absl::ToDoubleMilliseconds(absl::Now() - start);
    if (out != nullptr) {
      out->timeline_ms.push_back(timeline);
      out->standing_ms.push_back(standing);
    }
  }
}

// Opens a fresh store in `dir`, rebuilds both projections from the log's
// start to its head (timing each), and lets the store settle: memtables
// written out and no compaction pending.
bool Build(Side& side, storage::EventLog& log, const std::string& dir,
           int64_t cases, const Clock* clock) {
  storage::ProjectionStoreOptions options;
  options.prefix_filters = absl::GetFlag(FLAGS_prefix_filters);
  auto store = storage::OpenRocksDbProjectionStore(options, dir);
  if (!store.ok()) return false;
  side.store = *std::move(store);
  side.cases = cases;
  side.standing = std::make_unique<projections::ProjectionRunner>(
      &log, side.store.get(), &side.standing_projection, "standing", clock);
  side.timeline = std::make_unique<projections::ProjectionRunner>(
      &log, side.store.get(), &side.timeline_projection, "timeline", clock);
  const double events = static_cast<double>(log.HeadPosition());
  absl::Time start = absl::Now();
  if (!side.standing->CatchUp().ok()) return false;
  side.standing_rate = events / absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  if (!side.timeline->CatchUp().ok()) return false;
  side.timeline_rate = events / absl::ToDoubleSeconds(absl::Now() - start);
  absl::Status settled = side.store->Settle(absl::Minutes(5));
  if (!settled.ok()) std::fprintf(stderr, "%s\n", settled.ToString().c_str());
  std::printf("%s: %lld events rebuilt; store layout:\n%s", side.name.c_str(),
              static_cast<long long>(log.HeadPosition()),
              side.store->DescribeLayout().c_str());
  std::mt19937_64 rng(7);
  const int hot = absl::GetFlag(FLAGS_hot_set);
  for (int i = 0; i < hot; ++i)
    side.hot_set.push_back(static_cast<int64_t>(rng() % cases));
  return true;
}

// Live single-event appends for --lag_seconds while `side`'s runners
// follow; the time from acknowledgement to applied, for a sample.
Percentiles MeasureLag(storage::EventLog& log, Side& side,
                       double* append_rate) {
  side.standing->Start();
  side.timeline->Start();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> appended{0};
  absl::Mutex mu;
  std::vector<double> lag_ms;
  std::vector<std::thread> appenders;
  for (int t = 0; t < absl::GetFlag(FLAGS_appenders); ++t) {
    appenders.emplace_back([&, t] {
      int64_t i = 0;
      std::vector<v1::Event> one = CaseEvents(t, 2);
      one.erase(one.begin());  // a call, to an existing case
      while (!stop.load()) {
        one[0].set_event_id(absl::StrCat("live-", t, "-", ++i));
        auto result = log.Append(absl::StrCat("case-c", t),
                                 storage::ExpectedVersion::Any(), one);
        if (!result.ok()) continue;
        const int64_t n = appended.fetch_add(1);
        if (n % 50 != 0) continue;  // a sample
        const absl::Time acked = absl::Now();
        side.standing->WaitUntil(result->last_position,
                                 acked + absl::Seconds(10));
        side.timeline->WaitUntil(result->last_position,
                                 acked + absl::Seconds(10));
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - acked);
        absl::MutexLock lock(&mu);
        lag_ms.push_back(ms);
      }
    });
  }
  const absl::Duration window = absl::Seconds(absl::GetFlag(FLAGS_lag_seconds));
  absl::SleepFor(window);
  stop.store(true);
  for (auto& thread : appenders) thread.join();
  side.standing->Stop();
  side.timeline->Stop();
  *append_rate =
      static_cast<double>(appended.load()) / absl::ToDoubleSeconds(window);
  return Of(lag_ms);
}

int Run() {
  const int per_case = absl::GetFlag(FLAGS_events_per_case);
  std::string dir = absl::GetFlag(FLAGS_dir);
  const bool scratch = dir.empty();
  if (scratch) {
    char pattern[] = "/tmp/projection_bench.XXXXXX";
    dir = mkdtemp(pattern);
  }
  // A fresh temp dir is removed at the end (it holds gigabytes at 10M).
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (!dir.empty()) std::filesystem::remove_all(dir);
    }
  } cleanup{scratch ? dir : ""};
  storage::EventLogOptions log_options;
  log_options.sync = false;  // the log is input here, not what is measured
  auto log = storage::OpenRocksDbEventLog(log_options, dir + "/log");
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come
  if (!log.ok()) {
    std::fprintf(stderr, "open failed\n");
    return 1;
  }
  Clock* clock = Clock::Real();

  // Two stores: one rebuilt when the log holds --small events, one when it
  // holds --large. Both stay open, so their reads can be interleaved.
  Side small, large;
  small.name = "small";
  large.name = "large";
  absl::Time start = absl::Now();
  int64_t cases = Grow(**log, 0, absl::GetFlag(FLAGS_small), per_case);
  std::printf("wrote %lld events (%lld cases) in %.1f s\n",
              static_cast<long long>((*log)->HeadPosition()),
              static_cast<long long>(cases),
              absl::ToDoubleSeconds(absl::Now() - start));
  // Each rebuild starts from a quiet log: the bulk write above leaves
  // compactions behind that would otherwise compete for the two cores.
  auto settle_log = [&] {
    absl::Status settled = (*log)->Settle(absl::Minutes(10));
    if (!settled.ok()) std::fprintf(stderr, "%s\n", settled.ToString().c_str());
  };
  settle_log();
  if (!Build(small, **log, dir + "/projections-small", cases, clock)) return 1;
  start = absl::Now();
  cases = Grow(**log, cases, absl::GetFlag(FLAGS_large), per_case);
  std::printf("grew to %lld events in %.1f s\n",
              static_cast<long long>((*log)->HeadPosition()),
              absl::ToDoubleSeconds(absl::Now() - start));
  settle_log();
  if (!Build(large, **log, dir + "/projections-large", cases, clock)) return 1;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_settle_seconds)));

  // Reads in interleaved rounds (the order alternating), so that whatever
  // else the machine does falls on both stores alike.
  std::mt19937_64 rng(7);
  for (Side* side : {&small, &large}) {
    SampleReads(*side, static_cast<int>(side->hot_set.size()), true, rng,
                nullptr);  // warm the hot sets
  }
  const int rounds = 20;
  const int per_round = std::max(1, absl::GetFlag(FLAGS_reads) / rounds);
  for (int round = 0; round < rounds; ++round) {
    Side* order[2] = {&small, &large};
    if (round % 2 == 1) std::swap(order[0], order[1]);
    for (Side* side : order) {
      SampleReads(*side, per_round, false, rng, &side->cold);
      SampleReads(*side, per_round, true, rng, &side->hot);
    }
  }
  if (absl::GetFlag(FLAGS_diagnose)) {
    DiagnoseTimelineReads(small);
    DiagnoseTimelineReads(large);
  }
  small.store.reset();  // its runners are idle; only the large one follows

  double append_rate = 0;
  const Percentiles lag = MeasureLag(**log, large, &append_rate);

  const Percentiles cold_timeline[2] = {Of(small.cold.timeline_ms),
                                        Of(large.cold.timeline_ms)};
  const Percentiles cold_standing[2] = {Of(small.cold.standing_ms),
                                        Of(large.cold.standing_ms)};
  const Percentiles hot_timeline[2] = {Of(small.hot.timeline_ms),
                                       Of(large.hot.timeline_ms)};
  const Percentiles hot_standing[2] = {Of(small.hot.standing_ms),
                                       Of(large.hot.standing_ms)};
  auto ratio = [](const Percentiles(&p)[2]) { return p[1].p50 / p[0].p50; };
  std::printf("\n%-42s %16s %12s\n", "", "value", "target");
  for (const Side* side : {&small, &large}) {
    std::printf(
        "%-42s %16.0f %12s\n",
        absl::StrCat("rebuild case_standing (", side->name, "), events/s")
            .c_str(),
        side->standing_rate, ">= 200000");
    std::printf(
        "%-42s %16.0f %12s\n",
        absl::StrCat("rebuild debtor_timeline (", side->name, "), events/s")
            .c_str(),
        side->timeline_rate, ">= 200000");
  }
  auto row = [&](const char* what, const Percentiles(&p)[2]) {
    std::printf("%-42s %7.4f / %.4f\n", absl::StrCat(what, " p50 ms").c_str(),
                p[0].p50, p[1].p50);
    std::printf("%-42s %16.2f %12s\n", absl::StrCat(what, " ratio").c_str(),
                ratio(p), "<= 1.3");
  };
  row("timeline page, uniform", cold_timeline);
  row("case standing, uniform", cold_standing);
  row("timeline page, hot set", hot_timeline);
  row("case standing, hot set", hot_standing);
  std::printf("%-42s %16.0f\n", "live appends/s during lag test", append_rate);
  std::printf("%-42s %9.1f / %.1f %9s\n", "lag p50/p99 ms", lag.p50, lag.p99,
              "p99 < 100");
  const nlohmann::ordered_json summary = {
      {"benchmark", "projection_bench"},
      {"small_events", absl::GetFlag(FLAGS_small)},
      {"large_events", absl::GetFlag(FLAGS_large)},
      {"rebuild_standing_events_per_s",
       {small.standing_rate, large.standing_rate}},
      {"rebuild_timeline_events_per_s",
       {small.timeline_rate, large.timeline_rate}},
      {"timeline_p50_ms", {cold_timeline[0].p50, cold_timeline[1].p50}},
      {"timeline_p50_ratio", ratio(cold_timeline)},
      {"standing_p50_ms", {cold_standing[0].p50, cold_standing[1].p50}},
      {"standing_p50_ratio", ratio(cold_standing)},
      {"hot_timeline_p50_ratio", ratio(hot_timeline)},
      {"hot_standing_p50_ratio", ratio(hot_standing)},
      {"live_appends_per_s", append_rate},
      {"lag_p50_ms", lag.p50},
      {"lag_p99_ms", lag.p99}};
  std::printf("%s\n", observability::JsonText(summary).c_str());
  return 0;
}

}  // namespace
}  // namespace collections

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return collections::Run();
}
