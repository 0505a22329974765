// The metrics endpoint of a running server, scraped as Prometheus does:
// every named series is there and moves with what the server did (RPCs by
// method and code, group commits, projection lag, subscriptions, RocksDB
// figures, the signed head's age).
#include <cmath>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/server/collections_server.h"
#include "tests/testing/http_get.h"
#include "tests/testing/requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;
using testing::SeriesValue;

class ServerGaugesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.metrics_listen_address = "127.0.0.1:0";
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    channel_ = running->channel;
    ASSERT_GT(server_->metrics_port(), 0);
  }

  std::string Scrape() {
    absl::StatusOr<std::string> body =
        testing::HttpGet(server_->metrics_port(), "/metrics");
    EXPECT_TRUE(body.ok()) << body.status();
    return body.ok() ? *body : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerGaugesTest, ScrapeHasEveryNamedSeries) {
  auto commands = v1::CaseCommands::NewStub(channel_);
  auto queries = v1::CaseQueries::NewStub(channel_);
  for (const char* id : {"c-1", "c-2", "c-3"}) {
    grpc::ClientContext context;
    v1::CommandResult result;
    ASSERT_TRUE(
        commands
            ->OpenCase(&context, testing::OpenBusinessCase(id, "d-1"), &result)
            .ok());
  }
  {
    grpc::ClientContext context;
    v1::GetCaseRequest get;
    get.set_case_id("no-such-case");
    v1::GetCaseResponse response;
    EXPECT_EQ(queries->GetCase(&context, get, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::GetSignedTreeHeadRequest request;
    request.set_fresh(true);
    v1::SignedTreeHead head;
    ASSERT_TRUE(v1::Audit::NewStub(channel_)
                    ->GetSignedTreeHead(&context, request, &head)
                    .ok());
  }
  // A subscriber that has read its first batch and stays connected.
  auto stream = v1::EventStream::NewStub(channel_);
  grpc::ClientContext subscription;
  auto reader = stream->Subscribe(&subscription, v1::SubscribeRequest());
  v1::SubscribeResponse first;
  ASSERT_TRUE(reader->Read(&first));

  const std::string text = Scrape();
  EXPECT_EQ(SeriesValue(text,
                        "grpc_server_handled_total{grpc_code=\"OK\","
                        "grpc_method=\"OpenCase\",grpc_service=\"collections."
                        "v1.CaseCommands\"}"),
            3);
  EXPECT_EQ(SeriesValue(text,
                        "grpc_server_handled_total{grpc_code=\"NOT_FOUND\","
                        "grpc_method=\"GetCase\",grpc_service=\"collections."
                        "v1.CaseQueries\"}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "grpc_server_started_total{grpc_method=\"Subscribe\","
                        "grpc_service=\"collections.v1.EventStream\"}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "grpc_server_handling_seconds_count{grpc_method="
                        "\"OpenCase\",grpc_service=\"collections.v1."
                        "CaseCommands\"}"),
            3);
  EXPECT_TRUE(absl::StrContains(
      text,
      "grpc_server_handling_seconds_bucket{grpc_method=\"GetCase\","
      "grpc_service=\"collections.v1.CaseQueries\",le=\"0.001\"}"));
  // Three appends, each its own group (they came one after another).
  EXPECT_EQ(SeriesValue(text, "collections_append_group_appends_sum"), 3);
  EXPECT_EQ(SeriesValue(text, "collections_append_group_events_sum"),
            SeriesValue(text, "collections_log_head_position"));
  EXPECT_EQ(SeriesValue(text, "collections_wal_sync_seconds_count"), 3);
  EXPECT_EQ(
      SeriesValue(text, "collections_append_groups_total{outcome=\"failed\"}"),
      0);
  EXPECT_GE(SeriesValue(text,
                        "collections_projection_lag_events{projection="
                        "\"case_standing\"}"),
            0);
  EXPECT_EQ(SeriesValue(text,
                        "collections_projection_stopped{projection="
                        "\"debtor_timeline\"}"),
            0);
  EXPECT_EQ(SeriesValue(text, "collections_subscriptions_active"), 1);
  EXPECT_GE(SeriesValue(text,
                        "collections_subscription_lag_events{stat="
                        "\"max\"}"),
            0);
  EXPECT_GT(SeriesValue(text,
                        "collections_rocksdb_memtable_bytes{db="
                        "\"event_log\"}"),
            0);
  EXPECT_GE(SeriesValue(text,
                        "collections_rocksdb_pending_compaction_bytes{"
                        "db=\"projections\"}"),
            0);
  EXPECT_EQ(SeriesValue(text,
                        "collections_rocksdb_write_stalls_total{db="
                        "\"event_log\",kind=\"stop\"}"),
            0);
  EXPECT_EQ(SeriesValue(text,
                        "collections_rocksdb_write_stopped{db="
                        "\"event_log\"}"),
            0);
  EXPECT_GE(SeriesValue(text, "collections_signed_tree_head_age_seconds"), 0);
  EXPECT_EQ(SeriesValue(text, "collections_signed_tree_head_size"),
            SeriesValue(text, "collections_log_head_position"));
  EXPECT_EQ(SeriesValue(text, "collections_unsigned_events"), 0);

  // The subscriber goes away: the gauge follows.
  subscription.TryCancel();
  while (reader->Read(&first)) {
  }
  reader->Finish();
  // The server lets go of the subscription after the client saw it end;
  // nothing signals that over the wire, so poll the gauge, with a deadline.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  double active = SeriesValue(Scrape(), "collections_subscriptions_active");
  while (active != 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    active = SeriesValue(Scrape(), "collections_subscriptions_active");
  }
  EXPECT_EQ(active, 0);
  // The ended subscription counts as handled, whichever code it ended with.
  const std::string after = Scrape();
  double subscribe_handled = 0;
  for (const char* code : {"OK", "CANCELLED"}) {
    const double value = SeriesValue(
        after, absl::StrCat("grpc_server_handled_total{grpc_code=\"", code,
                            "\",grpc_method=\"Subscribe\",grpc_service="
                            "\"collections.v1.EventStream\"}"));
    if (!std::isnan(value)) subscribe_handled += value;
  }
  EXPECT_EQ(subscribe_handled, 1);
}

TEST_F(ServerGaugesTest, UnknownPathIsNotFound) {
  absl::StatusOr<std::string> body =
      testing::HttpGet(server_->metrics_port(), "/nothing-here");
  EXPECT_THAT(
      body, StatusIs(absl::StatusCode::kInternal, HasSubstr(" 404 Not Found")));
}

TEST(ServerGaugesStartTest, MetricsAddressInUseIsRefusedAtStart) {
  testing::TempDir dir;
  server::ServerOptions first = testing::TestServerOptions(dir.Sub("one"));
  first.metrics_listen_address = "127.0.0.1:0";
  auto running = testing::StartTestServer(first);
  ASSERT_TRUE(running.ok()) << running.status();
  server::ServerOptions second = testing::TestServerOptions(dir.Sub("two"));
  second.metrics_listen_address =
      absl::StrCat("127.0.0.1:", running->server->metrics_port());
  auto refused = testing::StartTestServer(second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "metrics"));
}

}  // namespace
}  // namespace collections
