// loadgen: an asynchronous gRPC load generator for collectionsd.
//
// `--callers` concurrent callers each keep one call in flight for
// `--seconds`, all driven from one completion queue. Workloads:
//   single    LogCalls with one event, each caller on its own case
//   batch     LogCalls with 100 events
//   timeline  GetDebtorTimeline of a debtor with 200 events
//   mixed     --callers append single events while --readers more callers
//             read the 200-event timeline
// `--subscribers` adds that many Subscribe streams following the log live.
// `--projection_lag` also asks the server for its projections' lag
// (Operations.ListProjections) every 200 ms while the load runs, and after
// it until every projection is at the log's head: the JSON line then says
// the p99 and max of the oldest unapplied event's age during the load and
// how long the projections took to catch up. (A call on the same channel
// costs the server little; a separate CLI process per sample cost it 10% of
// its throughput on 2 cores.)
// Prints a table of throughput and p50/p95/p99/max latency per operation and
// a final JSON line.
//
// For the crash test (tests/tools/crash_test.sh), `--acked_log=FILE` writes
// one line per acknowledged append, flushed at once:
//   <case_id> <request_id> <events> <case_version> <last_position>
// and `--retry` makes a failed append retry with the same request id (so a
// retry after a crash must be recognised, not appended twice), waiting for
// the server to come back; the run then ends without error unless a call
// failed for another reason than the server being away.
//
//   build/tools/loadgen --server=127.0.0.1:50051 --workload=single --callers=64
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "nlohmann/json.hpp"
#include "services/observability/json_text.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051",
          "collectionsd address; several, comma-separated, for cluster mode "
          "(callers spread over them; --retry moves a failed call on)");
ABSL_FLAG(std::string, workload, "single", "single | batch | timeline | mixed");
ABSL_FLAG(int, callers, 64, "concurrent callers (calls in flight)");
ABSL_FLAG(double, seconds, 10, "measured duration");
ABSL_FLAG(int64_t, events, 0,
          "stop once this many events were acknowledged instead (0: run for "
          "--seconds); for filling a log to a size");
ABSL_FLAG(int, subscribers, 0, "Subscribe streams following the log");
ABSL_FLAG(int, batch_events, 100, "events per call in the batch workload");
ABSL_FLAG(int, readers, 4, "timeline readers next to the appenders (mixed)");
ABSL_FLAG(bool, include_events, false,
          "timeline reads ask for each entry's full event too");
ABSL_FLAG(std::string, acked_log, "",
          "append a line per acknowledged append to this file");
ABSL_FLAG(bool, retry, false,
          "retry failed appends with the same request id, waiting for the "
          "server to come back");
ABSL_FLAG(bool, projection_lag, false,
          "sample the projections' lag during the load and time their "
          "catch-up after it (printed in the JSON line)");
ABSL_FLAG(std::string, case_prefix, "lg",
          "case ids are <prefix>-<run>-<caller>");

namespace {

namespace v1 = ::collections::v1;
using Clock = std::chrono::steady_clock;

enum class Op { kAppend, kTimeline };

struct Call {
  int caller = 0;
  Op op = Op::kAppend;
  Clock::time_point started;
  grpc::ClientContext context;
  grpc::Status status;
  v1::CommandResult command_result;
  v1::GetDebtorTimelineResponse timeline;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::CommandResult>> append;
  std::unique_ptr<
      grpc::ClientAsyncResponseReader<v1::GetDebtorTimelineResponse>>
      read;
};

struct OpStats {
  std::vector<double> latencies_ms;
  uint64_t events = 0;
  uint64_t errors = 0;
  uint64_t retries = 0;  // --retry: calls repeated after a crash
  std::string first_error;
};

v1::LogCallsRequest Calls(const std::string& case_id,
                          const std::string& request_id, int events) {
  v1::LogCallsRequest request;
  request.mutable_context()->set_request_id(request_id);
  request.mutable_context()->mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(absl::Now()));
  request.set_case_id(case_id);
  for (int i = 0; i < events; ++i) {
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_outcome(v1::CALL_OUTCOME_CONVERSATION);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
    call->set_duration_seconds(180);
    call->set_collector_id("loadgen");
    call->set_notes(std::string(300, 'n'));  // ~400-byte events
  }
  return request;
}

// Failures a crash causes: the server went away or was not back in time.
// Any other failure is a real error even in --retry mode.
bool CausedByCrash(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:  // the connection broke mid-call
      return true;
    default:
      return false;
  }
}

bool OpenCase(v1::CaseCommands::Stub& stub, const std::string& case_id,
              const std::string& debtor_id) {
  v1::OpenCaseRequest request;
  request.mutable_context()->set_request_id("open");
  request.mutable_context()->mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(absl::Now()));
  v1::CaseOpened* opened = request.mutable_case_();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor_id);
  opened->set_creditor_id("loadgen");
  opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_time_zone("Europe/Amsterdam");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  line->mutable_due_date()->set_year(2026);
  line->mutable_due_date()->set_month(1);
  line->mutable_due_date()->set_day(1);
  line->mutable_gross()->set_amount_minor(10000);
  line->mutable_gross()->set_currency("EUR");
  const bool retry = absl::GetFlag(FLAGS_retry);
  grpc::Status status;
  // With --retry, a crash mid-call is retried (the same request id, so an
  // open that landed is ALREADY_EXISTS), for up to a few minutes.
  for (int attempt = 0; attempt < (retry ? 100 : 1); ++attempt) {
    grpc::ClientContext context;
    context.set_wait_for_ready(retry);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    v1::CommandResult result;
    status = stub.OpenCase(&context, request, &result);
    if (!CausedByCrash(status)) break;
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
    std::fprintf(stderr, "opening %s: %s\n", case_id.c_str(),
                 status.error_message().c_str());
    return false;
  }
  return true;
}

// The projections' lag as the server reports it: the oldest unapplied
// event's age over all projections (ms), and whether all are at the head.
// nullopt when the call failed.
struct LagSample {
  double oldest_ms = 0;
  bool caught_up = false;
};
std::optional<LagSample> SampleLag(v1::Operations::Stub& operations) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  v1::ListProjectionsResponse response;
  if (!operations
           .ListProjections(&context, v1::ListProjectionsRequest(), &response)
           .ok())
    return std::nullopt;
  LagSample sample;
  sample.caught_up = true;
  for (const v1::ProjectionStatus& projection : response.projections()) {
    sample.oldest_ms = std::max(sample.oldest_ms,
                                static_cast<double>(projection.lag_millis()));
    sample.caught_up = sample.caught_up && projection.lag_positions() == 0;
  }
  return sample;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index =
      std::min(sorted.size() - 1,
               static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string workload = absl::GetFlag(FLAGS_workload);
  const int callers = absl::GetFlag(FLAGS_callers);
  const int batch_events =
      workload == "batch" ? absl::GetFlag(FLAGS_batch_events) : 1;
  const int64_t target_events = absl::GetFlag(FLAGS_events);
  const absl::Duration duration =
      target_events > 0 ? absl::InfiniteDuration()
                        : absl::Seconds(absl::GetFlag(FLAGS_seconds));
  if (workload != "single" && workload != "batch" && workload != "timeline" &&
      workload != "mixed") {
    std::fprintf(stderr, "unknown --workload=%s\n", workload.c_str());
    return 2;
  }

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // A lean client, as pgbench is to PostgreSQL: it shares the machine with
  // the server it measures, so every microsecond it spends per call is
  // taken from the server. The minimal filter stack (deadline checks kept:
  // a call still fails after its 30 s) and no retry machinery (none is
  // configured; --retry keeps it for transparent retries across restarts)
  // took loadgen from 37-40 to 26-35 us of CPU per call against the
  // ceiling server, three alternating pairs, 2026-12-07. The server sees
  // the same calls, deadlines included.
  args.SetInt(GRPC_ARG_MINIMAL_STACK, 1);
  args.SetInt(GRPC_ARG_ENABLE_DEADLINE_CHECKS, 1);
  if (!absl::GetFlag(FLAGS_retry)) args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  if (absl::GetFlag(FLAGS_retry)) {
    // Reconnect within a second of a restart, not after gRPC's default
    // backoff of up to two minutes.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  }
  // Several servers (cluster mode): callers are spread over them, and with
  // --retry a call that failed on one is retried on the next.
  std::vector<std::unique_ptr<v1::CaseCommands::Stub>> commands_of;
  std::vector<std::unique_ptr<v1::CaseQueries::Stub>> queries_of;
  std::shared_ptr<grpc::Channel> channel;
  for (absl::string_view address :
       absl::StrSplit(absl::GetFlag(FLAGS_server), ',', absl::SkipEmpty())) {
    auto server_channel = grpc::CreateCustomChannel(
        std::string(address), grpc::InsecureChannelCredentials(), args);
    if (channel == nullptr) channel = server_channel;
    commands_of.push_back(v1::CaseCommands::NewStub(server_channel));
    queries_of.push_back(v1::CaseQueries::NewStub(server_channel));
  }
  const int servers = static_cast<int>(commands_of.size());
  auto& commands = commands_of.front();
  auto stream = v1::EventStream::NewStub(channel);
  // Which server each caller calls now.
  std::vector<int> server_of(callers + absl::GetFlag(FLAGS_readers), 0);
  for (size_t i = 0; i < server_of.size(); ++i)
    server_of[i] = static_cast<int>(i) % servers;

  // Setup: a case per caller, and a debtor whose timeline has 200 events.
  const std::string run = absl::StrCat(absl::ToUnixMillis(absl::Now()));
  const bool retry = absl::GetFlag(FLAGS_retry);
  FILE* acked_log = nullptr;
  if (!absl::GetFlag(FLAGS_acked_log).empty()) {
    acked_log = std::fopen(absl::GetFlag(FLAGS_acked_log).c_str(), "a");
    if (acked_log == nullptr) {
      std::perror(absl::GetFlag(FLAGS_acked_log).c_str());
      return 2;
    }
  }
  std::vector<std::string> cases;
  for (int i = 0; i < callers; ++i) {
    cases.push_back(
        absl::StrCat(absl::GetFlag(FLAGS_case_prefix), "-", run, "-", i));
    if (!OpenCase(*commands_of[i % servers], cases.back(),
                  absl::StrCat("lgd-", run, "-", i)))
      return 1;
  }
  const std::string timeline_debtor = absl::StrCat("lgt-", run);
  const std::string timeline_case = absl::StrCat("lgt-", run);
  if (workload == "timeline" || workload == "mixed") {
    if (!OpenCase(*commands, timeline_case, timeline_debtor)) return 1;
    grpc::ClientContext context;
    v1::CommandResult result;
    grpc::Status status = commands->LogCalls(
        &context, Calls(timeline_case, "fill", 199), &result);
    if (!status.ok()) {
      std::fprintf(stderr, "filling the timeline: %s\n",
                   status.error_message().c_str());
      return 1;
    }
  }

  // Subscribers: count what they receive.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> subscribed_events{0};
  std::vector<std::unique_ptr<grpc::ClientContext>> subscription_contexts;
  std::vector<std::thread> subscriber_threads;
  for (int s = 0; s < absl::GetFlag(FLAGS_subscribers); ++s) {
    subscription_contexts.push_back(std::make_unique<grpc::ClientContext>());
    grpc::ClientContext* context = subscription_contexts.back().get();
    subscriber_threads.emplace_back([&, context] {
      v1::SubscribeRequest request;
      grpc::ClientContext head_context;
      v1::ReadLogRequest head_request;
      head_request.set_limit(1);
      v1::ReadLogResponse head;
      stream->ReadLog(&head_context, head_request, &head);
      request.set_after_position(head.head_position());
      auto reader = stream->Subscribe(context, request);
      v1::SubscribeResponse message;
      while (reader->Read(&message)) subscribed_events += message.events_size();
      reader->Finish();
    });
  }

  // Appends and timeline reads complete on queues of their own, each drained
  // by its own thread, so a read's latency does not include waiting behind
  // the appends' completions in this client.
  grpc::CompletionQueue append_cq;
  grpc::CompletionQueue read_cq;
  // Callers [0, callers) do the workload; in mixed, callers
  // [callers, in_flight) read the timeline.
  const int in_flight =
      callers + (workload == "mixed" ? absl::GetFlag(FLAGS_readers) : 0);
  // Each caller's request number; a retried call keeps its number.
  std::vector<uint64_t> sequence(in_flight, 1);
  auto op_of = [&](int caller) {
    if (workload == "timeline") return Op::kTimeline;
    if (workload == "mixed" && caller >= callers) return Op::kTimeline;
    return Op::kAppend;
  };
  auto start_call = [&](int caller) {
    auto* call = new Call;
    call->caller = caller;
    call->op = op_of(caller);
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::seconds(30));
    // One server: wait for it to come back. Several: fail fast and move on.
    call->context.set_wait_for_ready(retry && servers == 1);
    call->started = Clock::now();
    if (call->op == Op::kAppend) {
      call->append = commands_of[server_of[caller]]->AsyncLogCalls(
          &call->context,
          Calls(cases[caller], absl::StrCat("r", sequence[caller]),
                batch_events),
          &append_cq);
      call->append->Finish(&call->command_result, &call->status, call);
    } else {
      v1::GetDebtorTimelineRequest request;
      request.set_debtor_id(timeline_debtor);
      request.set_page_size(1000);
      request.set_include_events(absl::GetFlag(FLAGS_include_events));
      call->read = queries_of[server_of[caller]]->AsyncGetDebtorTimeline(
          &call->context, request, &read_cq);
      call->read->Finish(&call->timeline, &call->status, call);
    }
  };

  OpStats append_stats, timeline_stats;
  const absl::Time began = absl::Now();
  const absl::Time end = began + duration;
  int appenders = 0;
  for (int i = 0; i < in_flight; ++i) appenders += op_of(i) == Op::kAppend;
  // Drains one queue until its `running` callers have stopped.
  auto drain = [&](grpc::CompletionQueue* cq, int running, OpStats* stats) {
    void* tag;
    bool ok;
    while (running > 0 && cq->Next(&tag, &ok)) {
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() -
                                                                  call->started)
                            .count();
      const bool appended = call->op == Op::kAppend;
      if (call->status.ok()) {
        stats->latencies_ms.push_back(ms);
        stats->events += appended ? batch_events : 1;
        if (appended && acked_log != nullptr) {
          const v1::CommandResult& result = call->command_result;
          std::fprintf(acked_log, "%s r%llu %d %llu %llu\n",
                       cases[call->caller].c_str(),
                       static_cast<unsigned long long>(sequence[call->caller]),
                       batch_events,
                       static_cast<unsigned long long>(result.case_version()),
                       static_cast<unsigned long long>(result.last_position()));
          std::fflush(acked_log);
        }
        if (appended) ++sequence[call->caller];
      } else if (retry && CausedByCrash(call->status)) {
        ++stats->retries;  // the same request again, below
        server_of[call->caller] = (server_of[call->caller] + 1) % servers;
      } else {
        if (stats->errors++ == 0)
          stats->first_error = call->status.error_message();
        if (appended) ++sequence[call->caller];
      }
      const bool enough = target_events > 0 &&
                          static_cast<int64_t>(stats->events) >= target_events;
      if (absl::Now() < end && !enough) {
        start_call(call->caller);
      } else {
        --running;
      }
    }
  };
  // --projection_lag: samples every 200 ms until the load ends.
  const bool sample_lag = absl::GetFlag(FLAGS_projection_lag);
  auto operations = v1::Operations::NewStub(channel);
  std::vector<double> lag_samples_ms;
  std::atomic<bool> load_done{false};
  std::thread lag_sampler;
  if (sample_lag) {
    lag_sampler = std::thread([&] {
      while (!load_done.load()) {
        if (std::optional<LagSample> sample = SampleLag(*operations))
          lag_samples_ms.push_back(sample->oldest_ms);
        absl::SleepFor(absl::Milliseconds(200));
      }
    });
  }
  for (int i = 0; i < in_flight; ++i) start_call(i);
  std::thread reads(
      [&] { drain(&read_cq, in_flight - appenders, &timeline_stats); });
  drain(&append_cq, appenders, &append_stats);
  reads.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - began);
  // Caught up: polled every 50 ms for at most 60 s (-1 when never).
  double caught_up_s = -1;
  if (sample_lag) {
    load_done = true;
    lag_sampler.join();
    const absl::Time load_end = absl::Now();
    while (absl::Now() - load_end < absl::Seconds(60)) {
      std::optional<LagSample> sample = SampleLag(*operations);
      if (sample.has_value() && sample->caught_up) {
        caught_up_s = absl::ToDoubleSeconds(absl::Now() - load_end);
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  stop = true;
  for (auto& context : subscription_contexts) context->TryCancel();
  for (auto& t : subscriber_threads) t.join();

  const int readers = in_flight - callers;
  std::printf(
      "loadgen: workload=%s callers=%d readers=%d seconds=%.1f "
      "subscribers=%d\n",
      workload.c_str(), callers, readers, elapsed,
      absl::GetFlag(FLAGS_subscribers));
  std::printf("%-10s %10s %12s %9s %9s %9s %9s %7s\n", "op", "calls/s",
              "events/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors");
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  auto report = [&](const char* name, OpStats& stats) {
    if (stats.latencies_ms.empty() && stats.errors == 0) return;
    std::sort(stats.latencies_ms.begin(), stats.latencies_ms.end());
    const double calls =
        static_cast<double>(stats.latencies_ms.size()) / elapsed;
    const double events = static_cast<double>(stats.events) / elapsed;
    const double p50 = Percentile(stats.latencies_ms, 0.50);
    const double p95 = Percentile(stats.latencies_ms, 0.95);
    const double p99 = Percentile(stats.latencies_ms, 0.99);
    const double max =
        stats.latencies_ms.empty() ? 0 : stats.latencies_ms.back();
    std::printf("%-10s %10.0f %12.0f %9.2f %9.2f %9.2f %9.2f %7llu\n", name,
                calls, events, p50, p95, p99, max,
                static_cast<unsigned long long>(stats.errors));
    if (stats.errors > 0)
      std::printf("  first error: %s\n", stats.first_error.c_str());
    ops.push_back({{"op", name},
                   {"calls_per_s", std::round(calls)},
                   {"events_per_s", std::round(events)},
                   {"p50_ms", p50},
                   {"p95_ms", p95},
                   {"p99_ms", p99},
                   {"max_ms", max},
                   {"errors", stats.errors}});
  };
  report(workload == "batch" ? "append100" : "append1", append_stats);
  report("timeline", timeline_stats);
  if (retry) {
    std::printf("retried %llu appends after the server went away\n",
                static_cast<unsigned long long>(append_stats.retries));
  }
  if (acked_log != nullptr) std::fclose(acked_log);
  if (absl::GetFlag(FLAGS_subscribers) > 0) {
    std::printf("subscribers received %llu events\n",
                static_cast<unsigned long long>(subscribed_events.load()));
  }
  nlohmann::ordered_json summary = {
      {"benchmark", "loadgen"},
      {"workload", workload},
      {"callers", callers},
      {"readers", readers},
      {"seconds", elapsed},
      {"subscribers", absl::GetFlag(FLAGS_subscribers)},
      {"subscribed_events", subscribed_events.load()},
      {"ops", std::move(ops)}};
  if (sample_lag) {
    std::sort(lag_samples_ms.begin(), lag_samples_ms.end());
    const double lag_max = lag_samples_ms.empty() ? 0 : lag_samples_ms.back();
    std::printf(
        "projections: lag p99 %.0f ms, max %.0f ms (%zu samples); caught up "
        "%.2f s after the load\n",
        Percentile(lag_samples_ms, 0.99), lag_max, lag_samples_ms.size(),
        caught_up_s);
    summary["projection_lag_p99_ms"] =
        std::round(Percentile(lag_samples_ms, 0.99));
    summary["projection_lag_max_ms"] = std::round(lag_max);
    summary["projection_lag_samples"] = lag_samples_ms.size();
    summary["projections_caught_up_s"] = caught_up_s;
  }
  std::printf("%s\n", collections::observability::JsonText(summary).c_str());
  return append_stats.errors + timeline_stats.errors > 0 ? 1 : 0;
}
