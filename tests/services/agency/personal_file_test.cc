// personal.sealed.json: opened only with the agency's key, checked without
// opening, and the categories it discloses.
#include "services/agency/personal_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/security/recipient_sealing.h"
#include "tests/testing/x25519_keys.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::PackagePersonalData Data() {
  v1::PackagePersonalData data;
  data.set_debtor_id("d-1");
  data.set_name("Zoë de Vries");
  auto* email = data.add_contact_points();
  email->set_kind("email");
  email->set_value("zoe@example.nl");
  auto* phone = data.add_contact_points();
  phone->set_kind("phone");
  phone->set_value("+31 6 1234");
  return data;
}

TEST(PersonalFileTest, SealedToTheAgencyCheckedWithoutOpening) {
  const auto agency = testing::NewKeyPair(), other = testing::NewKeyPair();
  const std::string raw =
      security::X25519PublicKeyFromPem(agency.public_pem).value();
  auto file = SealPersonalFile(Data(), "PKG-c-1-1", "incasso-noord", raw,
                               std::string(32, 's'));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(*file, ::testing::Not(HasSubstr("Vries")));
  auto opened = OpenPersonalFile(*file, agency.private_pem);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->name(), "Zoë de Vries");
  EXPECT_EQ(opened->contact_points(1).value(), "+31 6 1234");
  EXPECT_EQ(OpenPersonalFile(*file, other.private_pem).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(OpenPersonalFile("{}", agency.private_pem).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_THAT(SealedPersonalFileFindings(*file, "PKG-c-1-1", "incasso-noord"),
              IsEmpty());
  EXPECT_THAT(SealedPersonalFileFindings(*file, "PKG-c-1-2", "incasso-zuid"),
              ElementsAre(HasSubstr("is for package PKG-c-1-1"),
                          HasSubstr("is sealed to incasso-noord")));
}

TEST(PersonalFileTest, CategoriesInAFixedOrderEachOnce) {
  v1::PackagePersonalData data = Data();
  data.add_contact_points()->set_kind("email");
  data.add_representation()->set_representative("mr. P. Jansen");
  EXPECT_THAT(DisclosedCategories(data),
              ElementsAre("name", "phone", "email", "representation"));
  EXPECT_THAT(DisclosedCategories(v1::PackagePersonalData()), IsEmpty());
}

}  // namespace
}  // namespace collections::agency
