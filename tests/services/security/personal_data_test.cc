// Sealing personal data: values leave the payload encrypted, come back
// with the key, cannot be moved to another event, and read as erased
// without the key.
#include "services/security/personal_data.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collections/v1/snapshots.pb.h"
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

// The vault seals each event of an append with the key asked for only
// once a personal value is found: an append without any creates no key.
TEST(PersonalDataTest, TheKeyIsAskedForOnlyWhenAPersonalValueIsFound) {
  const DataKey key = Key('k');
  int asked = 0;
  auto key_for = [&]() -> absl::StatusOr<const DataKey*> {
    ++asked;
    return &key;
  };
  v1::Event plain;
  plain.set_type("CallLogged");
  plain.mutable_payload()->mutable_call_logged()->set_party_reached("debtor");
  ASSERT_TRUE(SealPersonalData(plain, "case-c-1", 3, key_for).ok());
  EXPECT_EQ(asked, 0);
  EXPECT_FALSE(plain.has_sealed());

  v1::Event event = CallWithNotes();
  ASSERT_TRUE(SealPersonalData(event, "case-c-1", 4, key_for).ok());
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(event.payload().call_logged().notes(), "");
  v1::Event opened = event;
  ASSERT_TRUE(OpenPersonalData(opened, key).ok());
  EXPECT_EQ(opened.payload().call_logged().notes(), "Zoë: call after 5");

  // The key's error is the answer, and the event keeps its values.
  v1::Event unsealed = CallWithNotes();
  EXPECT_THAT(
      SealPersonalData(unsealed, "case-c-1", 4,
                       []() -> absl::StatusOr<const DataKey*> {
                         return absl::UnavailableError("key store down");
                       }),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("key store down")));
  EXPECT_EQ(unsealed.payload().call_logged().notes(), "Zoë: call after 5");
  EXPECT_FALSE(unsealed.has_sealed());
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

// The sealing thread keeps the last key's schedule and only sets the nonce
// when the key repeats: every value must still be exactly what a fresh
// context seals (checked on a new thread, whose context is fresh), under its
// own key and nonce, whatever key the thread sealed with before.
TEST(PersonalDataTest, SealingWithAKeptKeyEqualsAFreshContext) {
  const std::string a(32, 'a'), b(32, 'b');
  struct Case {
    std::string key, nonce;
  };
  const std::vector<Case> cases = {{a, std::string(12, '1')},
                                   {b, std::string(12, '2')},
                                   {b, std::string(12, '3')},
                                   {a, std::string(12, '4')},
                                   {a, std::string(12, '5')}};
  const std::string plaintext = "Zoë: call after 5";
  std::vector<std::string> kept;
  for (const Case& c : cases) {
    absl::StatusOr<std::string> sealed =
        AesGcmSealWithNonce(c.key, c.nonce, plaintext, "ad");
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    kept.push_back(*sealed);
  }
  std::vector<std::string> fresh(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    std::thread([&] {
      absl::StatusOr<std::string> sealed =
          AesGcmSealWithNonce(cases[i].key, cases[i].nonce, plaintext, "ad");
      if (sealed.ok()) fresh[i] = *sealed;
    }).join();
  }
  EXPECT_EQ(kept, fresh);
  EXPECT_NE(kept[1], kept[2]);  // same key, another nonce
  for (size_t i = 0; i < cases.size(); ++i) {
    absl::StatusOr<std::string> opened =
        AesGcmOpen(cases[i].key, cases[i].nonce, kept[i], "ad");
    ASSERT_OK(opened);
    EXPECT_EQ(*opened, plaintext);
    const std::string& other = cases[i].key == a ? b : a;
    EXPECT_EQ(AesGcmOpen(other, cases[i].nonce, kept[i], "ad").status().code(),
              absl::StatusCode::kDataLoss);
  }
  // A refused key on the way leaves the thread sealing correctly.
  EXPECT_FALSE(
      AesGcmSealWithNonce("short", cases[0].nonce, plaintext, "ad").ok());
  ASSERT_OK_AND_ASSIGN(std::string again,
                       AesGcmSealWithNonce(b, cases[1].nonce, plaintext, "ad"));
  EXPECT_EQ(again, kept[1]);
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

// Every string and bytes field the log or the projection store persists
// names its class (issue 25, "the classification rule" in docs/security.md):
// [(personal) = true] is sealed with the debtor's key, [(personal) = false]
// is not personal. A new field with neither fails here, so no one adds free
// text to the contract without deciding whether it can name a person.
void Unclassified(const google::protobuf::Descriptor& message,
                  std::set<std::string>& seen, std::vector<std::string>& out) {
  if (!seen.insert(message.full_name()).second) return;
  for (int i = 0; i < message.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& field = *message.field(i);
    if (field.type() == google::protobuf::FieldDescriptor::TYPE_STRING ||
        field.type() == google::protobuf::FieldDescriptor::TYPE_BYTES) {
      if (!field.options().HasExtension(v1::personal))
        out.push_back(
            absl::StrCat(message.file()->name(), " ", field.full_name()));
    } else if (field.message_type() != nullptr &&
               field.message_type()->file()->package() == "collections.v1") {
      Unclassified(*field.message_type(), seen, out);
    }
  }
}

TEST(PersonalDataTest, EveryPersistedStringFieldIsClassified) {
  std::set<std::string> seen;
  std::vector<std::string> unclassified;
  for (const google::protobuf::Descriptor* root :
       {v1::Event::descriptor(), v1::CaseSnapshot::descriptor(),
        v1::TimelineIndex::descriptor(), v1::TimelineChunk::descriptor(),
        v1::WrappedDataKey::descriptor(), v1::DeferredErasure::descriptor(),
        v1::PersonalValues::descriptor()}) {
    Unclassified(*root, seen, unclassified);
  }
  EXPECT_GT(seen.size(), 60u);  // the walk reached the payloads
  EXPECT_TRUE(unclassified.empty())
      << "mark each field [(personal) = true] or [(personal) = false]:\n"
      << absl::StrJoin(unclassified, "\n");
}

TEST(PersonalDataTest, OverrideReasonsInTheEnvelopeAreSealed) {
  v1::Event event = CallWithNotes();
  v1::RuleOverride* override_ = event.add_overrides();
  override_->set_rule("REG_F_1006_14_B2_I");
  override_->set_reason("Mr Pietersen asked to be called back");
  override_->set_author("u-7");
  ASSERT_TRUE(SealPersonalData(event, "case-c-1", 4, Key('k')).ok());
  EXPECT_EQ(event.overrides(0).reason(), "");
  EXPECT_EQ(event.overrides(0).rule(), "REG_F_1006_14_B2_I");
  EXPECT_EQ(event.SerializeAsString().find("Pietersen"), std::string::npos);
  EXPECT_THAT(event.sealed().paths(), ::testing::ElementsAre("3.8", "@13:0.2"));

  v1::Event opened = event;
  ASSERT_TRUE(OpenPersonalData(opened, Key('k')).ok());
  EXPECT_EQ(opened.overrides(0).reason(),
            "Mr Pietersen asked to be called back");
  EXPECT_EQ(opened.payload().call_logged().notes(), "Zoë: call after 5");

  v1::Event erased = event;
  MarkPersonalDataErased(erased);
  EXPECT_EQ(erased.overrides(0).reason(), kErased);

  // A reason alone (no personal payload value) is sealed too.
  v1::Event only_reason;
  only_reason.set_type("LetterIssued");
  only_reason.add_overrides()->set_reason("asked by phone");
  EXPECT_TRUE(HasPersonalData(only_reason));
}

}  // namespace
}  // namespace collections::security
