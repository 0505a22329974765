// The real collectionsd wiring (CollectionsServer) on a loopback port 0 with
// a fresh data directory, called through the generated gRPC clients.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/server/collections_server.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/temp_dir.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1795000000;  // 2026-11-18

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

v1::LocalDate Date(int y, int m, int d) {
  v1::LocalDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

template <typename Request>
Request WithContext(const std::string& request_id, int64_t at = kNow) {
  Request request;
  request.mutable_context()->set_request_id(request_id);
  request.mutable_context()->mutable_occurred_at()->set_seconds(at);
  return request;
}

v1::OpenCaseRequest OpenRequest(const std::string& case_id,
                                const std::string& debtor_id,
                                const std::string& request_id) {
  auto request = WithContext<v1::OpenCaseRequest>(request_id, kNow - 86400);
  v1::CaseOpened* opened = request.mutable_case_();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor_id);
  opened->set_creditor_id("acme");
  opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  opened->set_currency("EUR");
  opened->set_rule_pack("nl-consumer");
  opened->set_jurisdiction("NL");
  v1::ClaimLine* line = opened->add_claim_lines();
  line->set_invoice_number("INV-1");
  *line->mutable_due_date() = Date(2026, 12, 1);  // not yet due: one event
  *line->mutable_gross() = Eur(12100);
  return request;
}

v1::LogCallsRequest CallsRequest(const std::string& case_id,
                                 const std::string& request_id, int calls,
                                 int64_t at = kNow) {
  auto request = WithContext<v1::LogCallsRequest>(request_id, at);
  request.set_case_id(case_id);
  for (int i = 0; i < calls; ++i) {
    v1::CallLogged* call = request.add_calls();
    call->set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
    call->set_time_zone("Europe/Amsterdam");
    call->set_zone_source(v1::ZONE_SOURCE_DEBTOR_RECORD);
  }
  return request;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  void StartServer() {
    server::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = dir_.Sub("data");
    options.max_message_bytes = 1 << 20;
    options.shutdown_grace = absl::Seconds(5);
    options.due_events_interval = absl::ZeroDuration();  // tests drive it
    options.insecure_plaintext = true;  // callers name themselves
    auto server = server::CollectionsServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    commands_ = v1::CaseCommands::NewStub(channel_);
    queries_ = v1::CaseQueries::NewStub(channel_);
    stream_ = v1::EventStream::NewStub(channel_);
  }

  v1::CommandResult MustOpen(const std::string& case_id,
                             const std::string& debtor_id) {
    grpc::ClientContext context;
    v1::CommandResult result;
    grpc::Status status = commands_->OpenCase(
        &context, OpenRequest(case_id, debtor_id, "open-" + case_id), &result);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return result;
  }

  v1::CommandResult MustLogCalls(const std::string& case_id,
                                 const std::string& request_id, int calls) {
    grpc::ClientContext context;
    v1::CommandResult result;
    grpc::Status status = commands_->LogCalls(
        &context, CallsRequest(case_id, request_id, calls), &result);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return result;
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
  std::unique_ptr<v1::EventStream::Stub> stream_;
};

// Calls `method` on the stub with a fresh context; returns the status.
#define CALL(stub, method, request, response)                    \
  [&]() {                                                        \
    grpc::ClientContext call_context;                            \
    return (stub)->method(&call_context, (request), (response)); \
  }()

TEST_F(ServerTest, ARetriedCommandReturnsTheFirstResultAndAppendsNothing) {
  MustOpen("c-1", "d-1");
  const v1::CommandResult first = MustLogCalls("c-1", "retry-me", 3);
  const v1::CommandResult again = MustLogCalls("c-1", "retry-me", 3);
  EXPECT_TRUE(again.already_applied());
  EXPECT_EQ(again.case_version(), first.case_version());
  EXPECT_EQ(again.last_position(), first.last_position());
  // A retried OpenCase is recognised too, not refused as ALREADY_EXISTS.
  v1::CommandResult reopened;
  ASSERT_TRUE(CALL(commands_, OpenCase, OpenRequest("c-1", "d-1", "open-c-1"),
                   &reopened)
                  .ok());
  EXPECT_TRUE(reopened.already_applied());
  v1::ReadStreamRequest read;
  read.set_stream_id("case-c-1");
  v1::ReadStreamResponse events;
  ASSERT_TRUE(CALL(stream_, ReadStream, read, &events).ok());
  EXPECT_EQ(events.events_size(), 4);
}

TEST_F(ServerTest, ConcurrentWritersExpectingOneVersionOneWinsOthersAborted) {
  MustOpen("c-1", "d-1");
  constexpr int kWriters = 8;
  std::vector<grpc::Status> statuses(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto request = CallsRequest("c-1", absl::StrCat("w-", i), 1);
      request.mutable_context()->set_expected_version(1);
      v1::CommandResult result;
      grpc::ClientContext context;
      statuses[i] = commands_->LogCalls(&context, request, &result);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const auto& status : statuses) {
    if (status.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
      EXPECT_THAT(status.error_message(), HasSubstr("2"));  // actual version
    }
  }
  EXPECT_EQ(ok, 1);
}

TEST_F(ServerTest,
       SubscriptionCatchesUpGoesLiveAndResumesWithoutGapOrDuplicate) {
  MustOpen("c-1", "d-1");
  MustLogCalls("c-1", "before", 40);  // positions 2..41

  std::vector<uint64_t> seen;
  uint64_t resume_after = 0;
  {
    grpc::ClientContext context;
    v1::SubscribeRequest request;
    request.set_max_batch(7);
    auto reader = stream_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    bool live_sent = false;
    while (seen.size() < 60 && reader->Read(&message)) {
      for (const auto& e : message.events())
        seen.push_back(e.global_position());
      resume_after = message.position();
      if (message.caught_up() && !live_sent) {
        live_sent = true;
        MustLogCalls("c-1", "live", 19);  // positions 42..60, while subscribed
      }
    }
    context.TryCancel();
    reader->Finish();
  }
  ASSERT_EQ(seen.size(), 60u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);

  MustLogCalls("c-1", "while-away", 5);  // 61..65
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_position(resume_after);
  auto reader = stream_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  while (seen.size() < 65 && reader->Read(&message)) {
    for (const auto& e : message.events()) seen.push_back(e.global_position());
  }
  context.TryCancel();
  reader->Finish();
  ASSERT_EQ(seen.size(), 65u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
}

TEST_F(ServerTest, FilteredSubscriptionSendsCheckpointsWhileOthersPass) {
  MustOpen("c-1", "d-1");
  MustLogCalls("c-1", "calls", 30);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.mutable_filter()->add_event_types("PaymentReceived");
  auto reader = stream_->Subscribe(&context, request);
  v1::SubscribeResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.events_size(), 0);
  EXPECT_EQ(message.position(), 31u);  // past every filtered-out event
  EXPECT_TRUE(message.caught_up());
  context.TryCancel();
  reader->Finish();
}

TEST_F(ServerTest, AQueryWithMinPositionSeesTheCallersOwnWrite) {
  MustOpen("c-1", "d-1");
  for (int i = 0; i < 20; ++i) {
    const v1::CommandResult written =
        MustLogCalls("c-1", absl::StrCat("ryw-", i), 1);
    v1::GetDebtorTimelineRequest request;
    request.set_debtor_id("d-1");
    request.set_page_size(1000);
    request.set_min_position(written.last_position());
    v1::GetDebtorTimelineResponse response;
    ASSERT_TRUE(CALL(queries_, GetDebtorTimeline, request, &response).ok());
    EXPECT_GE(response.as_of_position(), written.last_position());
    EXPECT_EQ(response.entries_size(), i + 2);
  }
  // A position that will not come in time: DEADLINE_EXCEEDED, not a stale
  // answer.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(200));
  v1::GetCaseRequest request;
  request.set_case_id("c-1");
  request.set_min_position(1000000);
  v1::GetCaseResponse response;
  EXPECT_EQ(queries_->GetCase(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(ServerTest, TimelinePagesCoverEveryEntryOnceInBusinessTimeOrder) {
  MustOpen("c-1", "d-1");
  MustOpen("c-2", "d-1");
  uint64_t last_position = 0;
  for (int i = 0; i < 15; ++i) {
    v1::CommandResult result;
    // Business times interleave the two cases and run against log order.
    ASSERT_TRUE(CALL(commands_, LogCalls,
                     CallsRequest(i % 2 ? "c-1" : "c-2", absl::StrCat("t-", i),
                                  1, kNow + 1000 - i * 10),
                     &result)
                    .ok());
    last_position = result.last_position();
  }
  v1::GetDebtorTimelineRequest request;
  request.set_debtor_id("d-1");
  request.set_page_size(4);
  request.set_min_position(last_position);
  std::vector<int64_t> times;
  for (int page = 0; page < 10; ++page) {
    v1::GetDebtorTimelineResponse response;
    ASSERT_TRUE(CALL(queries_, GetDebtorTimeline, request, &response).ok());
    for (const auto& e : response.entries())
      times.push_back(e.occurred_at().seconds());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(times.size(), 17u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));

  // Entries carry their full event only when asked.
  v1::GetDebtorTimelineRequest whole;
  whole.set_debtor_id("d-1");
  v1::GetDebtorTimelineResponse lean, full;
  ASSERT_TRUE(CALL(queries_, GetDebtorTimeline, whole, &lean).ok());
  whole.set_include_events(true);
  ASSERT_TRUE(CALL(queries_, GetDebtorTimeline, whole, &full).ok());
  ASSERT_EQ(lean.entries_size(), 17);
  ASSERT_EQ(full.entries_size(), 17);
  for (int i = 0; i < 17; ++i) {
    EXPECT_FALSE(lean.entries(i).has_event());
    EXPECT_EQ(full.entries(i).event().global_position(),
              lean.entries(i).global_position());
    EXPECT_EQ(full.entries(i).summary(), lean.entries(i).summary());
  }
  EXPECT_EQ(full.as_of_position(), lean.as_of_position());
}

TEST_F(ServerTest, MalformedRequestsGetSpecificCodesAndMessages) {
  MustOpen("c-1", "d-1");
  v1::CommandResult result;
  auto code = [](const grpc::Status& s) { return s.error_code(); };

  auto no_request_id = CallsRequest("c-1", "", 1);
  grpc::Status status = CALL(commands_, LogCalls, no_request_id, &result);
  EXPECT_EQ(code(status), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("request_id"));

  auto no_time = CallsRequest("c-1", "r1", 1);
  no_time.mutable_context()->clear_occurred_at();
  EXPECT_EQ(code(CALL(commands_, LogCalls, no_time, &result)),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto bad_case = CallsRequest("c 1/x", "r2", 1);
  EXPECT_EQ(code(CALL(commands_, LogCalls, bad_case, &result)),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto no_calls = CallsRequest("c-1", "r3", 0);
  EXPECT_EQ(code(CALL(commands_, LogCalls, no_calls, &result)),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto unknown = CallsRequest("c-404", "r4", 1);
  status = CALL(commands_, LogCalls, unknown, &result);
  EXPECT_EQ(code(status), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("c-404"));

  status =
      CALL(commands_, OpenCase, OpenRequest("c-1", "d-1", "other"), &result);
  EXPECT_EQ(code(status), grpc::StatusCode::ALREADY_EXISTS);

  auto stale = CallsRequest("c-1", "r5", 1);
  stale.mutable_context()->set_expected_version(7);
  status = CALL(commands_, LogCalls, stale, &result);
  EXPECT_EQ(code(status), grpc::StatusCode::ABORTED);
  EXPECT_THAT(status.error_message(), HasSubstr("1"));

  auto bad_money = OpenRequest("c-2", "d-1", "open-c-2");
  bad_money.mutable_case_()
      ->mutable_claim_lines(0)
      ->mutable_gross()
      ->set_amount_minor(-5);
  status = CALL(commands_, OpenCase, bad_money, &result);
  EXPECT_EQ(code(status), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("gross"));

  auto bad_date = OpenRequest("c-2", "d-1", "open-c-2");
  *bad_date.mutable_case_()->mutable_claim_lines(0)->mutable_due_date() =
      Date(2026, 2, 30);
  EXPECT_EQ(code(CALL(commands_, OpenCase, bad_date, &result)),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto too_many = CallsRequest("c-1", "r6", 1001);
  EXPECT_EQ(code(CALL(commands_, LogCalls, too_many, &result)),
            grpc::StatusCode::INVALID_ARGUMENT);

  auto too_big = CallsRequest("c-1", "r7", 1);
  too_big.mutable_calls(0)->set_notes(std::string(2 << 20, 'x'));
  EXPECT_EQ(code(CALL(commands_, LogCalls, too_big, &result)),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  v1::GetDebtorTimelineRequest timeline;
  timeline.set_debtor_id("d-1");
  timeline.set_page_token("garbage");
  v1::GetDebtorTimelineResponse entries;
  EXPECT_EQ(code(CALL(queries_, GetDebtorTimeline, timeline, &entries)),
            grpc::StatusCode::INVALID_ARGUMENT);
  timeline.clear_page_token();
  timeline.set_page_size(5000);
  EXPECT_EQ(code(CALL(queries_, GetDebtorTimeline, timeline, &entries)),
            grpc::StatusCode::INVALID_ARGUMENT);
  timeline.set_page_size(10);
  timeline.set_debtor_id("d-404");
  EXPECT_EQ(code(CALL(queries_, GetDebtorTimeline, timeline, &entries)),
            grpc::StatusCode::NOT_FOUND);

  v1::GetCaseRequest get;
  get.set_case_id("c-404");
  v1::GetCaseResponse view;
  EXPECT_EQ(code(CALL(queries_, GetCase, get, &view)),
            grpc::StatusCode::NOT_FOUND);

  v1::ReadStreamRequest read;
  v1::ReadStreamResponse events;
  EXPECT_EQ(code(CALL(stream_, ReadStream, read, &events)),
            grpc::StatusCode::INVALID_ARGUMENT);  // empty stream id

  // None of it reached the log: still one event.
  read.set_stream_id("case-c-1");
  ASSERT_TRUE(CALL(stream_, ReadStream, read, &events).ok());
  EXPECT_EQ(events.events_size(), 1);
}

TEST_F(ServerTest, GracefulShutdownFinishesCallsInFlightAndKeepsEveryAck) {
  MustOpen("c-1", "d-1");
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  std::vector<std::vector<v1::CommandResult>> acked(4);
  // How many acknowledgements each writer has had (under `mu`).
  absl::Mutex mu;
  std::vector<int> acks(4, 0);
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        v1::CommandResult result;
        grpc::ClientContext context;
        grpc::Status status = commands_->LogCalls(
            &context, CallsRequest("c-1", absl::StrCat("g", w, "-", i), 10),
            &result);
        if (status.ok()) {
          acked[w].push_back(result);
          absl::MutexLock lock(&mu);
          ++acks[w];
        } else {
          // Refused because the server is going away (a call that arrives
          // after shutdown began is cancelled before it runs); the caller
          // retries it elsewhere with the same request id.
          EXPECT_THAT(status.error_code(),
                      ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE,
                                       grpc::StatusCode::CANCELLED))
              << status.error_message();
          return;
        }
      }
    });
  }
  // Shut down while every writer is busy: once each has been acknowledged
  // twice (it goes on calling).
  auto all_writing = [&acks] {
    return *std::min_element(acks.begin(), acks.end()) >= 2;
  };
  bool writing;
  {
    absl::MutexLock lock(&mu);
    writing = mu.AwaitWithDeadline(absl::Condition(&all_writing),
                                   absl::Now() + absl::Seconds(30));
  }
  EXPECT_TRUE(writing) << "the writers were not all acknowledged in 30 s";
  server_->Shutdown();
  stop = true;
  for (auto& t : writers) t.join();
  server_.reset();

  // Every acknowledged command is in the reopened log.
  auto log = storage::OpenRocksDbEventLog({}, dir_.Sub("data"));
  ASSERT_TRUE(log.ok()) << log.status();
  size_t total = 0;
  for (const auto& results : acked) {
    total += results.size();
    for (const auto& result : results) {
      auto events = (*log)->ReadStream("case-c-1", result.case_version(),
                                       storage::ReadDirection::kForward, 1);
      ASSERT_TRUE(events.ok());
      ASSERT_EQ(events->size(), 1u);
      EXPECT_EQ((*events)[0].event.global_position(), result.last_position());
    }
  }
  EXPECT_GT(total, 0u);
  // Nothing half-done: whole 10-event commands only. (A command whose reply
  // was lost to the shutdown may be in the log without an acknowledgement;
  // its retry would be answered from the log.)
  EXPECT_GE((*log)->HeadPosition(), 1 + total * 10);
  EXPECT_EQ(((*log)->HeadPosition() - 1) % 10, 0u);
}

}  // namespace
}  // namespace collections
