// AgencyHandoff on a real log with placements recorded before packages were
// cut (the app-level HandToAgency, as older data holds): deliveries still
// list them, without files, and asking for their package says why.
#include "services/app/agency_handoff.h"

#include <vector>

#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/app/demo_portfolio.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/case_write_path.h"
#include "tests/testing/temp_dir.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

TEST(AgencyHandoffTest, PlacementsWithoutAPackageAreListedWithoutFiles) {
  testing::TempDir dir;
  auto log =
      storage::OpenRocksDbEventLog(storage::EventLogOptions{}, dir.Sub("data"));
  ASSERT_TRUE(log.ok()) << log.status();
  auto key = audit::SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  audit::TreeHeadSigner signer(log->get(), log->get(), *std::move(key),
                               Clock::Real());
  testing::CaseWritePath path(log->get());
  AgencyHandoff handoff(log->get(), log->get(), &path.reader, &path.commands,
                        &path.writer, &signer, /*vault=*/nullptr);
  DemoPortfolioOptions options;
  options.debtors = 20;  // handoff unset: no packages
  ASSERT_TRUE(SeedDemoPortfolio(path.commands, path.reader, options).ok());

  std::vector<v1::DeliveryPart> parts;
  v1::ExportDeliveryRequest request;
  request.set_agency_id("incasso-noord");
  ASSERT_TRUE(handoff
                  .Delivery(request,
                            [&](const v1::DeliveryPart& part) {
                              parts.push_back(part);
                              return true;
                            })
                  .ok());
  ASSERT_GE(parts.size(), 3u);
  const v1::DeliveryTrailer& trailer = parts.back().trailer();
  EXPECT_GT(trailer.placements(), 0u);
  EXPECT_TRUE(trailer.placed_balance().empty());  // no package, no balance
  const v1::DeliveryPlacement& placement = parts[1].placement();
  EXPECT_TRUE(placement.package().files().empty());
  EXPECT_THAT(placement.package().package_id(), HasSubstr("PKG-"));

  absl::StatusOr<v1::PlacementPackage> package =
      handoff.Package(placement.package().case_id(), "");
  EXPECT_EQ(package.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(package.status().message(),
              HasSubstr("was recorded without a package"));
  EXPECT_EQ(handoff.Package("c-0001-1", "PKG-nope").status().code(),
            absl::StatusCode::kNotFound);

  // Stopping early (a cancelled call) is not an error.
  int seen = 0;
  EXPECT_TRUE(handoff
                  .Delivery(request,
                            [&](const v1::DeliveryPart&) { return ++seen < 2; })
                  .ok());
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace collections::app
