// The AgencyHandoff gRPC service's own behaviour: a delivery whose package
// would not fit the message limit stops with RESOURCE_EXHAUSTED naming the
// placement (after the parts that fit), and an unknown package is
// NOT_FOUND.
#include "services/grpc/agency_service.h"

#include <memory>
#include <vector>

#include "collections/v1/agency.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections::grpc_api {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

TEST(AgencyServiceTest, APackageOverTheMessageLimitStopsTheDelivery) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  options.seed_demo = true;
  options.demo_debtors = 20;             // a few placements with packages
  options.max_message_bytes = 16 << 10;  // below a package's ~40 KB
  auto running = testing::StartTestServer(options);
  ASSERT_TRUE(running.ok()) << running.status();
  auto stub = v1::AgencyHandoff::NewStub(running->channel);

  grpc::ClientContext context;
  v1::ExportDeliveryRequest request;
  request.set_agency_id("incasso-noord");
  auto reader = stub->ExportDelivery(&context, request);
  std::vector<v1::DeliveryPart> parts;
  v1::DeliveryPart part;
  while (reader->Read(&part)) parts.push_back(part);
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the package of the placement at position"));
  EXPECT_THAT(status.error_message(), HasSubstr("16384-byte message limit"));
  ASSERT_EQ(parts.size(), 1u);  // the header went out before
  EXPECT_TRUE(parts[0].has_header());

  grpc::ClientContext missing;
  v1::GetPlacementPackageRequest get;
  get.set_case_id("c-0001-1");
  get.set_package_id("PKG-none");
  v1::PlacementPackage package;
  EXPECT_EQ(stub->GetPlacementPackage(&missing, get, &package).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace collections::grpc_api
