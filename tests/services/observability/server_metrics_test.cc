// ServerMetrics rendered as a scrape would see it: RPC series under
// go-grpc-prometheus' names, group commits, and scrape-time families.
#include "services/observability/server_metrics.h"

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/http_get.h"
#include "tests/testing/status_matchers.h"

namespace collections::observability {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;
using testing::SeriesValue;

TEST(ServerMetricsTest, RpcsAreCountedByMethodAndCode) {
  ServerMetrics metrics;
  metrics.RpcStarted("/collections.v1.CaseQueries/GetCase");
  metrics.RpcStarted("/collections.v1.CaseQueries/GetCase");
  metrics.RpcHandled("/collections.v1.CaseQueries/GetCase", "OK",
                     absl::Microseconds(300));
  metrics.RpcHandled("/collections.v1.CaseQueries/GetCase", "NOT_FOUND",
                     absl::Milliseconds(3));
  const std::string text = metrics.Render();
  const std::string method =
      "grpc_method=\"GetCase\",grpc_service=\"collections.v1.CaseQueries\"";
  EXPECT_EQ(SeriesValue(text, "grpc_server_started_total{" + method + "}"), 2);
  EXPECT_EQ(SeriesValue(text, "grpc_server_handled_total{grpc_code=\"OK\"," +
                                  method + "}"),
            1);
  EXPECT_EQ(SeriesValue(text,
                        "grpc_server_handled_total{grpc_code="
                        "\"NOT_FOUND\"," +
                            method + "}"),
            1);
  // 0.3 ms falls in the 0.5 ms bucket, 3 ms only from the 5 ms bucket on.
  EXPECT_EQ(SeriesValue(text, "grpc_server_handling_seconds_bucket{" + method +
                                  ",le=\"0.0005\"}"),
            1);
  EXPECT_EQ(SeriesValue(text, "grpc_server_handling_seconds_bucket{" + method +
                                  ",le=\"0.005\"}"),
            2);
  EXPECT_NEAR(
      SeriesValue(text, "grpc_server_handling_seconds_sum{" + method + "}"),
      0.0033, 1e-9);
}

// Request threads count their calls at once: each method's and code's
// series is found once and shared, and no count is lost or misfiled.
TEST(ServerMetricsTest, ConcurrentRpcsAreEachCountedOnce) {
  ServerMetrics metrics;
  const std::vector<std::string> methods = {"/a.S/One", "/a.S/Two",
                                            "/b.T/Three"};
  const std::vector<std::string> codes = {"OK", "ABORTED"};
  constexpr int kThreads = 4, kCalls = 600;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string& method = methods[(i + t) % methods.size()];
        metrics.RpcStarted(method);
        metrics.RpcHandled(method, codes[i % codes.size()],
                           absl::Microseconds(100));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string text = metrics.Render();
  // Per method, kThreads * kCalls / 3 calls, half of them OK (i % 6 covers
  // every method and code pair equally).
  for (const auto& [service, method] :
       std::vector<std::pair<std::string, std::string>>{
           {"a.S", "One"}, {"a.S", "Two"}, {"b.T", "Three"}}) {
    const std::string labels =
        "grpc_method=\"" + method + "\",grpc_service=\"" + service + "\"";
    EXPECT_EQ(SeriesValue(text, "grpc_server_started_total{" + labels + "}"),
              kThreads * kCalls / 3);
    EXPECT_EQ(SeriesValue(text, "grpc_server_handled_total{grpc_code=\"OK\"," +
                                    labels + "}"),
              kThreads * kCalls / 6);
    EXPECT_EQ(
        SeriesValue(text, "grpc_server_handled_total{grpc_code=\"ABORTED\"," +
                              labels + "}"),
        kThreads * kCalls / 6);
  }
}

TEST(ServerMetricsTest, GroupCommitsFeedTheirHistograms) {
  ServerMetrics metrics;
  metrics.OnGroupCommit({.appends = 3,
                         .events = 7,
                         .wal_sync = absl::Microseconds(800),
                         .acknowledged = true});
  metrics.OnGroupCommit({.appends = 1,
                         .events = 1,
                         .wal_sync = absl::ZeroDuration(),
                         .acknowledged = false});
  const std::string text = metrics.Render();
  EXPECT_EQ(SeriesValue(text, "collections_append_group_appends_sum"), 4);
  EXPECT_EQ(
      SeriesValue(text, "collections_append_group_appends_bucket{le=\"2\"}"),
      1);
  EXPECT_EQ(SeriesValue(text, "collections_append_group_events_sum"), 8);
  // The failed group synced nothing: one sync observed.
  EXPECT_EQ(SeriesValue(text, "collections_wal_sync_seconds_count"), 1);
  EXPECT_EQ(
      SeriesValue(text, "collections_append_groups_total{outcome=\"failed\"}"),
      1);
  EXPECT_EQ(
      SeriesValue(text,
                  "collections_append_groups_total{outcome=\"acknowledged\"}"),
      1);
}

TEST(ServerMetricsTest, ScrapeSourcesAreReadAtEveryScrapeUntilCleared) {
  ServerMetrics metrics;
  int reads = 0;
  metrics.AddScrapeSource([&reads] {
    ++reads;
    return std::vector<ScrapedFamily>{
        {"test_gauge", "a gauge", false, {{{{"kind", "a"}}, double(reads)}}},
        {"test_total", "a counter", true, {{{}, 5}}}};
  });
  EXPECT_EQ(SeriesValue(metrics.Render(), "test_gauge{kind=\"a\"}"), 1);
  const std::string text = metrics.Render();
  EXPECT_EQ(SeriesValue(text, "test_gauge{kind=\"a\"}"), 2);
  EXPECT_TRUE(absl::StrContains(text, "# TYPE test_total counter"));
  EXPECT_TRUE(absl::StrContains(text, "# TYPE test_gauge gauge"));
  metrics.ClearScrapeSources();
  EXPECT_FALSE(absl::StrContains(metrics.Render(), "test_gauge"));
  EXPECT_EQ(reads, 2);
}

TEST(MetricsEndpointTest, ServesTheRenderedMetricsOverHttp) {
  ServerMetrics metrics;
  metrics.RpcStarted("/a.B/C");
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &metrics);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);
  absl::StatusOr<std::string> body =
      testing::HttpGet((*endpoint)->port(), "/metrics");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(SeriesValue(*body,
                        "grpc_server_started_total{grpc_method=\"C\","
                        "grpc_service=\"a.B\"}"),
            1);
}

TEST(MetricsEndpointTest, AnUnusableAddressIsUnavailable) {
  ServerMetrics metrics;
  auto endpoint = MetricsEndpoint::Start("256.1.1.1:0", &metrics);
  EXPECT_THAT(endpoint, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("cannot serve metrics on "
                                           "256.1.1.1:0")));
}

}  // namespace
}  // namespace collections::observability
