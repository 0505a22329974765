// Operations over gRPC on the real server: projection status and lag, and a
// rebuild swapped in while queries keep answering.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/timeline_projection.h"
#include "services/server/collections_server.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;

class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.seed_demo = true;
    options.demo_debtors = 20;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    operations_ = v1::Operations::NewStub(running->channel);
    queries_ = v1::CaseQueries::NewStub(running->channel);
  }
  v1::ProjectionStatus Find(const std::string& name) {
    grpc::ClientContext context;
    v1::ListProjectionsResponse response;
    EXPECT_TRUE(
        operations_
            ->ListProjections(&context, v1::ListProjectionsRequest(), &response)
            .ok());
    for (const auto& projection : response.projections())
      if (projection.name() == name) return projection;
    ADD_FAILURE() << "no projection " << name;
    return {};
  }

  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::Operations::Stub> operations_;
  std::unique_ptr<v1::CaseQueries::Stub> queries_;
};

TEST_F(OperationsTest, ProjectionsReportLagAndRebuildWhileServing) {
  const v1::ProjectionStatus standing = Find("case_standing");
  const std::string keyspace = absl::StrCat(
      "case_standing@", projections::CaseStandingProjection::kVersion, ".");
  EXPECT_EQ(standing.keyspace(), keyspace + "1");
  EXPECT_GT(standing.head(), 100u);  // the demo portfolio
  EXPECT_FALSE(standing.failed());
  EXPECT_EQ(Find("debtor_timeline").keyspace(),
            absl::StrCat("debtor_timeline@",
                         projections::TimelineProjection::kVersion, ".1"));

  v1::RebuildProjectionRequest rebuild;
  rebuild.set_name("case_standing");
  v1::ProjectionStatus started;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        operations_->RebuildProjection(&context, rebuild, &started).ok());
  }
  // Queries keep answering during the rebuild.
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    v1::GetCaseRequest get;
    get.set_case_id("c-0001-1");
    v1::GetCaseResponse view;
    ASSERT_TRUE(queries_->GetCase(&context, get, &view).ok());
  }
  // No RPC waits for a rebuild to end: poll its status, with a deadline.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (Find("case_standing").rebuild().running() && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(10));
  const v1::ProjectionStatus after = Find("case_standing");
  ASSERT_FALSE(after.rebuild().running()) << "the rebuild did not end in 60 s";
  EXPECT_EQ(after.rebuild().swaps(), 1u);
  EXPECT_EQ(after.rebuild().last_outcome(), "OK");
  EXPECT_EQ(after.keyspace(), keyspace + "2");
  EXPECT_EQ(after.lag_positions(), 0u);

  rebuild.set_name("no_such_projection");
  grpc::ClientContext context;
  v1::ProjectionStatus unknown;
  EXPECT_EQ(
      operations_->RebuildProjection(&context, rebuild, &unknown).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace collections
