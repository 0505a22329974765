// Offline verification of a placement package: a package cut from a real
// log at a signed head verifies with the key alone; a changed, missing or
// unlisted-schema file, a head under another key, or a bundle of another
// head is found, named.
#include "services/agency/package_verification.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/agency/placement_package.h"
#include "services/audit/signed_tree_head.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

class PackageVerificationTest : public ::testing::Test {
 protected:
  PackageVerificationTest()
      : clock_(absl::FromUnixSeconds(1795000000)),
        key_(*audit::SigningKey::Generate()) {}

  void SetUp() override {
    storage::EventLogOptions options;
    options.clock = &clock_;
    auto log = storage::OpenRocksDbEventLog(options, dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    ASSERT_TRUE(log_->Append("case-c-1", storage::ExpectedVersion::Any(),
                             testing::MakeCalls("e-", 3))
                    .ok());
    audit::TreeHeadSigner signer(log_.get(), log_.get(), key_, &clock_);
    auto head = signer.SignLatest();
    ASSERT_TRUE(head.ok()) << head.status();
    PackageInput input;
    input.placement.set_agency_id("ag-1");
    input.placement.set_package_id("PKG-c-1-1");
    auto stored =
        log_->ReadStream("case-c-1", 1, storage::ReadDirection::kForward, 10);
    ASSERT_TRUE(stored.ok()) << stored.status();
    for (auto& recorded : *stored) input.events.push_back(recorded.event);
    input.state.version = 3;  // the case as cut: its 3 events
    input.head = *head;
    auto bundle =
        audit::BuildEvidenceBundle(*log_, *log_, *head, key_.public_key(),
                                   {"case-c-1"}, "case c-1", clock_.Now());
    ASSERT_TRUE(bundle.ok()) << bundle.status();
    input.bundle = *std::move(bundle);
    const v1::PlacementPackage package = BuildPlacementPackage(input);
    for (const auto& file : package.files())
      files_[file.name()] = file.content();
  }

  std::string Failures(const std::map<std::string, std::string>& files,
                       const audit::VerifyingKey& key) {
    const audit::VerificationReport report = VerifyPlacementPackage(files, key);
    return absl::StrJoin(report.failures, "\n");
  }

  FakeClock clock_;
  testing::TempDir dir_;
  audit::SigningKey key_;
  std::unique_ptr<storage::DurableEventLog> log_;
  std::map<std::string, std::string> files_;
};

TEST_F(PackageVerificationTest, AFreshPackageVerifiesWithTheKeyAlone) {
  const audit::VerificationReport report =
      VerifyPlacementPackage(files_, key_.public_key());
  EXPECT_TRUE(report.ok()) << absl::StrJoin(report.failures, "\n");
  EXPECT_THAT(absl::StrJoin(report.holds, "\n"),
              HasSubstr("history.jsonl: SHA-256 matches the manifest"));
}

TEST_F(PackageVerificationTest, EachFaultIsFoundAndNamed) {
  auto changed = files_;
  changed["history.csv"] += "9,9,,,Forged,mallory,nothing\r\n";
  EXPECT_THAT(Failures(changed, key_.public_key()),
              HasSubstr("history.csv: SHA-256"));

  auto missing = files_;
  missing.erase("letters.csv");
  EXPECT_THAT(Failures(missing, key_.public_key()),
              HasSubstr("letters.csv: listed in the manifest, missing"));

  auto no_manifest = files_;
  no_manifest.erase(kManifestFile);
  EXPECT_THAT(Failures(no_manifest, key_.public_key()),
              HasSubstr("manifest.json is missing"));

  auto garbled = files_;
  garbled[kManifestFile] = "{not json";
  EXPECT_THAT(Failures(garbled, key_.public_key()),
              HasSubstr("not a PackageManifest"));

  const audit::SigningKey stranger = *audit::SigningKey::Generate();
  EXPECT_THAT(Failures(files_, stranger.public_key()), HasSubstr("tree head"));

  auto other_bundle = files_;
  other_bundle[kBundleFile] = "";
  EXPECT_THAT(Failures(other_bundle, key_.public_key()),
              HasSubstr(kBundleFile));
}

}  // namespace
}  // namespace collections::agency
