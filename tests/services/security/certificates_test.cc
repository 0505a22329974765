// IssuedBy: a certificate issued by a CA of the file, and only then.
#include "services/security/certificates.h"

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls_files.h"

namespace collections::security {
namespace {

TEST(CertificatesTest, IssuedByNamesTheIssuingCaOnly) {
  testing::TempDir dir;
  auto files = testing::MakeTlsFiles(dir.Sub("tls"), {"anna"});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_TRUE(testing::MakeCa(*files, "agency-ca", "agency CA").ok());
  ASSERT_TRUE(
      testing::IssueClient(*files, "noord", "noord", "", "agency-ca").ok());
  const std::string ca = testing::ReadText(files->ca_cert);
  const std::string agency_ca = testing::ReadText(dir.Sub("tls/agency-ca.pem"));
  const std::string anna = testing::ReadText(files->ClientCert("anna"));
  const std::string noord = testing::ReadText(dir.Sub("tls/noord.pem"));
  EXPECT_TRUE(IssuedBy(anna, ca).value());
  EXPECT_FALSE(IssuedBy(anna, agency_ca).value());
  EXPECT_TRUE(IssuedBy(noord, agency_ca).value());
  EXPECT_TRUE(IssuedBy(noord, ca + agency_ca).value());  // a bundle
  // The rogue CA has another name: its certificate is not the CA's.
  EXPECT_FALSE(
      IssuedBy(testing::ReadText(files->ClientCert("rogue")), ca).value());
  EXPECT_EQ(IssuedBy("not a certificate", ca).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssuedBy(anna, "no CA here").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace collections::security
