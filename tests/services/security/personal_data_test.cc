// Sealing personal data: values leave the payload encrypted, come back
// with the key, cannot be moved to another event, and read as erased
// without the key.
#include "services/security/personal_data.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace collections::security {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

DataKey Key(char fill) { return DataKey{"d-1#1", std::string(32, fill)}; }

v1::Event CallWithNotes() {
  v1::Event event;
  event.set_type("CallLogged");
  event.set_stream_id("case-c-1");
  event.set_stream_version(4);
  event.mutable_payload()->mutable_call_logged()->set_notes(
      "Zoë: call after 5");
  event.mutable_payload()->mutable_call_logged()->set_party_reached("debtor");
  return event;
}

TEST(PersonalDataTest, SealsOpensAndBindsToTheEvent) {
  v1::Event event = CallWithNotes();
  EXPECT_TRUE(HasPersonalData(event));
  ASSERT_TRUE(SealPersonalData(event, "case-c-1", 4, Key('k')).ok());
  EXPECT_EQ(event.payload().call_logged().notes(), "");
  EXPECT_EQ(event.payload().call_logged().party_reached(), "debtor");
  EXPECT_EQ(event.sealed().key_id(), "d-1#1");
  EXPECT_THAT(event.sealed().paths(), ::testing::ElementsAre("3.8"));
  EXPECT_EQ(event.SerializeAsString().find("Zo"), std::string::npos);
  EXPECT_FALSE(HasPersonalData(event));
  EXPECT_EQ(SealPersonalData(event, "case-c-1", 4, Key('k')).code(),
            absl::StatusCode::kInvalidArgument);

  v1::Event opened = event;
  ASSERT_TRUE(OpenPersonalData(opened, Key('k')).ok());
  EXPECT_EQ(opened.payload().call_logged().notes(), "Zoë: call after 5");
  EXPECT_FALSE(opened.has_sealed());

  // Another key, another version, another stream: refused.
  v1::Event wrong = event;
  EXPECT_EQ(OpenPersonalData(wrong, Key('x')).code(),
            absl::StatusCode::kDataLoss);
  wrong = event;
  wrong.set_stream_version(5);
  EXPECT_THAT(OpenPersonalData(wrong, Key('k')).message(),
              HasSubstr("does not authenticate"));
  wrong = event;
  wrong.set_stream_id("case-c-2");
  EXPECT_THAT(OpenPersonalData(wrong, Key('k')),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("a sealed value does not authenticate")));

  v1::Event erased = event;
  MarkPersonalDataErased(erased);
  EXPECT_EQ(erased.payload().call_logged().notes(), kErased);
  EXPECT_FALSE(erased.has_sealed());
}

TEST(PersonalDataTest, EventsWithoutPersonalValuesStayAsTheyAre) {
  v1::Event event;
  event.set_type("PaymentReceived");
  event.mutable_payload()->mutable_payment_received()->set_payment_id("P1");
  const std::string before = event.SerializeAsString();
  ASSERT_TRUE(SealPersonalData(event, "case-c-1", 1, Key('k')).ok());
  EXPECT_EQ(event.SerializeAsString(), before);
  // The debtor's name on the case is personal too.
  v1::Event opened;
  opened.set_type("CaseOpened");
  opened.mutable_payload()->mutable_case_opened()->set_debtor_name("J. Jansen");
  EXPECT_TRUE(HasPersonalData(opened));
}

}  // namespace
}  // namespace collections::security
