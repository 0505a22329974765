// projection_bench: how fast the stored projections rebuild, whether reads
// stay as cheap as the log grows, and how far behind live appends they lag.
//
//   build/tools/projection_bench                       # 1M then 10M events
//   build/tools/projection_bench --small=200000 --large=1000000   # quicker
//
// It writes a synthetic portfolio straight into a fresh event log (cases of
// ~20 events: opening, calls, letters, promises, payments), then:
//   1. rebuilds the case standing and the debtor timeline from position 0
//      at --small events, timing each (events/s);
//   2. reads random timeline pages (100 entries) and case standings (with
//      the acts allowed now) at --small events, p50: uniformly over all
//      cases (cold: mostly cache misses) and from a hot set of --hot_set
//      cases (cached), after the store has settled;
//   3. grows the log to --large events, brings the projections up to date,
//      and reads again; the p50 ratio large/small is the figure;
//   4. appends single events from --appenders threads at full speed for
//      --lag_seconds while both projections follow, and measures for a
//      sample of appends the time from acknowledgement to applied (p99).
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
#include "services/app/case_standing.h"
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
          "pause before each read measurement, after the projection store "
          "has settled, for the log's compactions");

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

struct Reads {
  Percentiles timeline, standing;
};

// --diagnose: the parts of a timeline read, timed alone over the hot set.
void DiagnoseTimelineReads(storage::ProjectionStore& store, int64_t cases,
                           int hot) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> hot_set;
  for (int i = 0; i < hot; ++i)
    hot_set.push_back(static_cast<int64_t>(rng() % cases));
  std::vector<double> snapshot_ms, index_ms, chunk_ms, parse_ms;
  for (int round = 0; round < 3; ++round) {
    for (int64_t n : hot_set) {
      const std::string debtor = absl::StrCat("d", n / 2);
      absl::Time start = absl::Now();
      auto view = store.Snapshot("timeline");
      snapshot_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      start = absl::Now();
      auto index = (*view)->Get(absl::StrCat("th/", debtor));
      index_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      start = absl::Now();
      auto chunk = (*view)->Get(absl::StrFormat("tc/%s/%08x", debtor, 0));
      chunk_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      start = absl::Now();
      v1::TimelineChunk parsed;
      if (chunk.ok() && chunk->has_value()) parsed.ParseFromString(**chunk);
      parse_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    }
  }
  std::printf(
      "diagnose p50 ms: snapshot %.4f index %.4f chunk %.4f parse %.4f\n",
      Of(snapshot_ms).p50, Of(index_ms).p50, Of(chunk_ms).p50,
      Of(parse_ms).p50);
}

// Reads of random cases and their debtors' timelines. With `hot` > 0 the
// cases come from a fixed set of that many (read once to warm the caches
// first): what a lookup costs when its data is cached, which should not
// depend on how much the store holds; with 0, uniformly from all cases.
Reads MeasureReads(storage::ProjectionStore& store, int64_t cases, int reads,
                   int hot) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> hot_set;
  for (int i = 0; i < hot; ++i)
    hot_set.push_back(static_cast<int64_t>(rng() % cases));
  std::vector<double> timeline_ms, standing_ms;
  const absl::Time as_of = absl::FromUnixSeconds(1798761600);  // 2027-01-01
  const int warm_up = hot > 0 ? hot : 0;
  for (int i = 0; i < warm_up + reads; ++i) {
    const int64_t n =
        hot > 0 ? hot_set[i % hot] : static_cast<int64_t>(rng() % cases);
    if (i == warm_up) {
      timeline_ms.clear();
      standing_ms.clear();
    }
    projections::TimelineQuery query;
    query.debtor_id = absl::StrCat("d", n / 2);
    query.limit = 100;
    absl::Time start = absl::Now();
    auto page = projections::ReadTimeline(store, "timeline", query);
    timeline_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (!page.ok() || page->items.empty()) {
      std::fprintf(stderr, "timeline read failed for %s\n",
                   query.debtor_id.c_str());
    }
    start = absl::Now();
    auto state =
        projections::ReadStoredCase(store, "standing", absl::StrCat("c", n));
    if (state.ok()) {
      auto standing = app::StandingAt(*state, as_of);
      if (standing.actions_size() == 0) std::fprintf(stderr, "no actions\n");
    }
    standing_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  return {Of(timeline_ms), Of(standing_ms)};
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
  storage::ProjectionStoreOptions store_options;
  store_options.prefix_filters = absl::GetFlag(FLAGS_prefix_filters);
  auto store =
      storage::OpenRocksDbProjectionStore(store_options, dir + "/projections");
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines as they come
  if (!log.ok() || !store.ok()) {
    std::fprintf(stderr, "open failed\n");
    return 1;
  }
  FakeClock clock(absl::Now());

  const int64_t small = absl::GetFlag(FLAGS_small);
  const int64_t large = absl::GetFlag(FLAGS_large);
  absl::Time start = absl::Now();
  int64_t cases = Grow(**log, 0, small, per_case);
  std::printf("wrote %lld events (%lld cases) in %.1f s\n",
              static_cast<long long>((*log)->HeadPosition()),
              static_cast<long long>(cases),
              absl::ToDoubleSeconds(absl::Now() - start));

  projections::CaseStandingProjection standing_projection;
  projections::TimelineProjection timeline_projection;
  projections::ProjectionRunner standing(
      log->get(), store->get(), &standing_projection, "standing", &clock);
  projections::ProjectionRunner timeline(
      log->get(), store->get(), &timeline_projection, "timeline", &clock);
  const double events = static_cast<double>((*log)->HeadPosition());
  start = absl::Now();
  if (!standing.CatchUp().ok()) return 1;
  const double standing_rate =
      events / absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  if (!timeline.CatchUp().ok()) return 1;
  const double timeline_rate =
      events / absl::ToDoubleSeconds(absl::Now() - start);

  // Reads are measured in the steady state: memtables written out and no
  // compaction pending (the log's own compactions get a moment too).
  auto settle = [&] {
    absl::Status settled = (*store)->Settle(absl::Minutes(5));
    if (!settled.ok()) std::fprintf(stderr, "%s\n", settled.ToString().c_str());
    absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_settle_seconds)));
    std::printf("%s", (*store)->DescribeLayout().c_str());
  };
  const int reads = absl::GetFlag(FLAGS_reads);
  const int hot = absl::GetFlag(FLAGS_hot_set);
  settle();
  const Reads at_small = MeasureReads(**store, cases, reads, 0);
  const Reads hot_small = MeasureReads(**store, cases, reads, hot);
  if (absl::GetFlag(FLAGS_diagnose)) DiagnoseTimelineReads(**store, cases, hot);

  start = absl::Now();
  cases = Grow(**log, cases, large, per_case);
  if (!standing.CatchUp().ok() || !timeline.CatchUp().ok()) return 1;
  std::printf("grew to %lld events in %.1f s\n",
              static_cast<long long>((*log)->HeadPosition()),
              absl::ToDoubleSeconds(absl::Now() - start));
  settle();
  const Reads at_large = MeasureReads(**store, cases, reads, 0);
  const Reads hot_large = MeasureReads(**store, cases, reads, hot);
  if (absl::GetFlag(FLAGS_diagnose)) DiagnoseTimelineReads(**store, cases, hot);

  // Lag under live single-event appends.
  standing.Start();
  timeline.Start();
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
        auto result = (*log)->Append(absl::StrCat("case-c", t),
                                     storage::ExpectedVersion::Any(), one);
        if (!result.ok()) continue;
        const int64_t n = appended.fetch_add(1);
        if (n % 50 != 0) continue;  // a sample
        const absl::Time acked = absl::Now();
        standing.WaitUntil(result->last_position, acked + absl::Seconds(10));
        timeline.WaitUntil(result->last_position, acked + absl::Seconds(10));
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - acked);
        absl::MutexLock lock(&mu);
        lag_ms.push_back(ms);
      }
    });
  }
  const absl::Duration lag_window =
      absl::Seconds(absl::GetFlag(FLAGS_lag_seconds));
  absl::SleepFor(lag_window);
  stop.store(true);
  for (auto& thread : appenders) thread.join();
  standing.Stop();
  timeline.Stop();
  const double append_rate =
      static_cast<double>(appended.load()) / absl::ToDoubleSeconds(lag_window);
  const Percentiles lag = Of(lag_ms);

  const double timeline_ratio = at_large.timeline.p50 / at_small.timeline.p50;
  const double standing_ratio = at_large.standing.p50 / at_small.standing.p50;
  const double hot_timeline_ratio =
      hot_large.timeline.p50 / hot_small.timeline.p50;
  const double hot_standing_ratio =
      hot_large.standing.p50 / hot_small.standing.p50;
  std::printf("\n%-34s %14s %14s\n", "", "value", "target");
  std::printf("%-34s %14.0f %14s\n", "rebuild case_standing, events/s",
              standing_rate, ">= 200000");
  std::printf("%-34s %14.0f %14s\n", "rebuild debtor_timeline, events/s",
              timeline_rate, ">= 200000");
  std::printf("%-34s %9.3f/%.3f %14s\n", "timeline page p50 ms (small/large)",
              at_small.timeline.p50, at_large.timeline.p50, "");
  std::printf("%-34s %14.2f %14s\n", "timeline p50 ratio large/small",
              timeline_ratio, "<= 1.3");
  std::printf("%-34s %9.3f/%.3f %14s\n", "standing read p50 ms (small/large)",
              at_small.standing.p50, at_large.standing.p50, "");
  std::printf("%-34s %14.2f %14s\n", "standing p50 ratio large/small",
              standing_ratio, "<= 1.3");
  std::printf("%-34s %9.3f/%.3f %14s\n", "hot set: timeline p50 ms",
              hot_small.timeline.p50, hot_large.timeline.p50, "");
  std::printf("%-34s %14.2f %14s\n", "hot set: timeline ratio",
              hot_timeline_ratio, "<= 1.3");
  std::printf("%-34s %9.3f/%.3f %14s\n", "hot set: standing p50 ms",
              hot_small.standing.p50, hot_large.standing.p50, "");
  std::printf("%-34s %14.2f %14s\n", "hot set: standing ratio",
              hot_standing_ratio, "<= 1.3");
  std::printf("%-34s %14.0f %14s\n", "live appends/s during lag test",
              append_rate, "");
  std::printf("%-34s %9.1f/%.1f %14s\n", "lag p50/p99 ms", lag.p50, lag.p99,
              "p99 < 100");
  std::printf(
      "{\"benchmark\":\"projection_bench\",\"small_events\":%lld,"
      "\"large_events\":%lld,\"rebuild_standing_events_per_s\":%.0f,"
      "\"rebuild_timeline_events_per_s\":%.0f,"
      "\"timeline_p50_ms\":[%.4f,%.4f],\"timeline_p50_ratio\":%.3f,"
      "\"standing_p50_ms\":[%.4f,%.4f],\"standing_p50_ratio\":%.3f,"
      "\"hot_timeline_p50_ratio\":%.3f,\"hot_standing_p50_ratio\":%.3f,"
      "\"live_appends_per_s\":%.0f,\"lag_p50_ms\":%.2f,\"lag_p99_ms\":%.2f}\n",
      static_cast<long long>(small), static_cast<long long>(large),
      standing_rate, timeline_rate, at_small.timeline.p50,
      at_large.timeline.p50, timeline_ratio, at_small.standing.p50,
      at_large.standing.p50, standing_ratio, hot_timeline_ratio,
      hot_standing_ratio, append_rate, lag.p50, lag.p99);
  return 0;
}

}  // namespace
}  // namespace collections

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return collections::Run();
}
