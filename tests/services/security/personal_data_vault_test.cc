// The vault on a real key store in a fresh temp dir: sealing clears the
// personal values from the stored form, revealing brings them back, and
// destroying the debtor's key leaves them erased for good while a new key
// serves the debtor's later events. The master key is created once and a
// malformed one is refused.
#include "services/security/personal_data_vault.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_key_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::security {
namespace {

using ::collections::testing::StatusIs;

v1::Event Opened(const std::string& name) {
  v1::Event event;
  event.mutable_payload()->mutable_case_opened()->set_debtor_name(name);
  return event;
}

// What the log assigns on append: the seal is bound to it.
v1::Event Stored(v1::Event event, const std::string& stream, uint64_t version) {
  event.set_stream_id(stream);
  event.set_stream_version(version);
  return event;
}

class PersonalDataVaultTest : public ::testing::Test {
 protected:
  PersonalDataVaultTest() {
    auto store = storage::OpenRocksDbKeyStore(dir_.Sub("keys"));
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    vault_ =
        std::make_unique<PersonalDataVault>(store_.get(), std::string(32, 'm'));
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<storage::KeyStore> store_;
  std::unique_ptr<PersonalDataVault> vault_;
};

TEST_F(PersonalDataVaultTest, SealsRevealsAndAfterDestroyReadsErased) {
  std::vector<v1::Event> events = {Opened("Jan Jansen")};
  ASSERT_TRUE(vault_->Seal("d-1", "case-c-1", 1, events).ok());
  EXPECT_EQ(events[0].payload().case_opened().debtor_name(), "");
  EXPECT_TRUE(events[0].has_sealed());
  ASSERT_OK_AND_ASSIGN(bool has_key, vault_->HasKey("d-1"));
  EXPECT_TRUE(has_key);

  v1::Event revealed = Stored(events[0], "case-c-1", 1);
  ASSERT_TRUE(vault_->Reveal(revealed).ok());
  EXPECT_EQ(revealed.payload().case_opened().debtor_name(), "Jan Jansen");

  ASSERT_OK_AND_ASSIGN(std::string destroyed, vault_->Destroy("d-1"));
  EXPECT_FALSE(destroyed.empty());
  ASSERT_OK_AND_ASSIGN(has_key, vault_->HasKey("d-1"));
  EXPECT_FALSE(has_key);
  v1::Event after = Stored(events[0], "case-c-1", 1);
  ASSERT_TRUE(vault_->Reveal(after).ok());
  EXPECT_EQ(after.payload().case_opened().debtor_name(), kErased);

  // The debtor comes back: a new key; the old event stays erased.
  std::vector<v1::Event> later = {Opened("Jan Jansen")};
  ASSERT_TRUE(vault_->Seal("d-1", "case-c-2", 1, later).ok());
  v1::Event later_stored = Stored(later[0], "case-c-2", 1);
  ASSERT_TRUE(vault_->Reveal(later_stored).ok());
  EXPECT_EQ(later_stored.payload().case_opened().debtor_name(), "Jan Jansen");
  after = Stored(events[0], "case-c-1", 1);
  ASSERT_TRUE(vault_->Reveal(after).ok());
  EXPECT_EQ(after.payload().case_opened().debtor_name(), kErased);
}

// An append without personal data creates no key for its debtor; in a
// mixed one, only the events holding personal values are sealed.
TEST_F(PersonalDataVaultTest,
       OnlyEventsWithPersonalValuesAreSealedAndNeedAKey) {
  std::vector<v1::Event> plain = {Opened(""), Opened("")};
  ASSERT_TRUE(vault_->Seal("d-2", "case-c-3", 1, plain).ok());
  EXPECT_FALSE(plain[0].has_sealed());
  EXPECT_FALSE(plain[1].has_sealed());
  ASSERT_OK_AND_ASSIGN(bool has_key, vault_->HasKey("d-2"));
  EXPECT_FALSE(has_key);

  std::vector<v1::Event> mixed = {Opened(""), Opened("Jan Jansen"), Opened(""),
                                  Opened("Piet Pieters")};
  ASSERT_TRUE(vault_->Seal("d-2", "case-c-3", 3, mixed).ok());
  EXPECT_FALSE(mixed[0].has_sealed());
  EXPECT_TRUE(mixed[1].has_sealed());
  EXPECT_FALSE(mixed[2].has_sealed());
  EXPECT_TRUE(mixed[3].has_sealed());
  EXPECT_EQ(mixed[1].sealed().key_id(), mixed[3].sealed().key_id());
  ASSERT_OK_AND_ASSIGN(has_key, vault_->HasKey("d-2"));
  EXPECT_TRUE(has_key);
  v1::Event fourth = Stored(mixed[3], "case-c-3", 6);
  ASSERT_TRUE(vault_->Reveal(fourth).ok());
  EXPECT_EQ(fourth.payload().case_opened().debtor_name(), "Piet Pieters");
  // Sealed already: left as it is, not sealed twice.
  ASSERT_TRUE(vault_->Seal("d-2", "case-c-3", 3, mixed).ok());
  v1::Event second = Stored(mixed[1], "case-c-3", 4);
  ASSERT_TRUE(vault_->Reveal(second).ok());
  EXPECT_EQ(second.payload().case_opened().debtor_name(), "Jan Jansen");
}

// Issue 25: every wrapped key names its master key; a rotation re-wraps
// them all, and a vault with the wrong master key says which it needs.
TEST_F(PersonalDataVaultTest, MasterKeyRotationReWrapsEveryDataKey) {
  const std::string old_master(32, 'm');
  const std::string new_master(32, 'n');
  std::vector<v1::Event> first = {Opened("Jan Jansen")};
  std::vector<v1::Event> second = {Opened("Piet Pieters")};
  ASSERT_TRUE(vault_->Seal("d-1", "case-c-1", 1, first).ok());
  ASSERT_TRUE(vault_->Seal("d-2", "case-c-2", 1, second).ok());
  vault_.reset();  // the server stops

  // With the new master before the rotation: refused, naming both ids.
  {
    PersonalDataVault wrong(store_.get(), new_master);
    v1::Event stored = Stored(first[0], "case-c-1", 1);
    EXPECT_THAT(wrong.Reveal(stored),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         ::testing::HasSubstr(MasterKeyId(old_master))));
  }
  ASSERT_OK_AND_ASSIGN(int rewrapped,
                       RewrapDataKeys(*store_, old_master, new_master));
  EXPECT_EQ(rewrapped, 2);
  // Run again (a rotation that stopped halfway): nothing left to do.
  ASSERT_OK_AND_ASSIGN(rewrapped,
                       RewrapDataKeys(*store_, old_master, new_master));
  EXPECT_EQ(rewrapped, 0);

  PersonalDataVault rotated(store_.get(), new_master);
  v1::Event stored = Stored(second[0], "case-c-2", 1);
  ASSERT_TRUE(rotated.Reveal(stored).ok());
  EXPECT_EQ(stored.payload().case_opened().debtor_name(), "Piet Pieters");
  PersonalDataVault stale(store_.get(), old_master);
  v1::Event again = Stored(first[0], "case-c-1", 1);
  EXPECT_THAT(stale.Reveal(again),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("rewrap-keys")));
  EXPECT_NE(MasterKeyId(old_master), MasterKeyId(new_master));
  EXPECT_EQ(MasterKeyId(old_master).size(), 16u);
}

// Issue 25: free text that names people outside the obvious fields — a
// payment's reference (an IBAN, a name), a hold's reference (a lawyer), a
// reversal's reason, a sole trader's VAT id — is sealed like a name.
TEST_F(PersonalDataVaultTest, FreeTextThatNamesPeopleIsSealed) {
  struct Case {
    const char* what;
    v1::EventPayload payload;
    std::string (*read)(const v1::EventPayload&);
  };
  std::vector<Case> cases(4);
  cases[0] = {"payment reference", {}, [](const v1::EventPayload& p) {
                return p.payment_received().reference();
              }};
  cases[0].payload.mutable_payment_received()->set_reference(
      "NL91ABNA0417164300 J. Jansen");
  cases[1] = {"hold reference", {}, [](const v1::EventPayload& p) {
                return p.hold_placed().reference();
              }};
  cases[1].payload.mutable_hold_placed()->set_reference("mr. A. de Advocaat");
  cases[2] = {"reversal reason", {}, [](const v1::EventPayload& p) {
                return p.payment_reversed().reason();
              }};
  cases[2].payload.mutable_payment_reversed()->set_reason(
      "refunded to J. Jansen");
  cases[3] = {"VAT id", {}, [](const v1::EventPayload& p) {
                return p.debtor_registered().vat_id();
              }};
  cases[3].payload.mutable_debtor_registered()->set_vat_id("NL123456789B01");
  for (const Case& c : cases) {
    const std::string plain = c.read(c.payload);
    v1::Event event;
    *event.mutable_payload() = c.payload;
    std::vector<v1::Event> events = {event};
    ASSERT_TRUE(vault_->Seal("d-9", "case-c-9", 1, events).ok()) << c.what;
    EXPECT_EQ(c.read(events[0].payload()), "") << c.what;
    EXPECT_TRUE(events[0].has_sealed()) << c.what;
    v1::Event revealed = Stored(events[0], "case-c-9", 1);
    ASSERT_TRUE(vault_->Reveal(revealed).ok()) << c.what;
    EXPECT_EQ(c.read(revealed.payload()), plain) << c.what;
  }
}

TEST(LoadMasterKeyTest, CreatesOnceAndRefusesAMalformedKey) {
  collections::testing::TempDir dir;
  if (std::getenv("COLLECTIONS_MASTER_KEY") != nullptr)
    GTEST_SKIP() << "COLLECTIONS_MASTER_KEY is set";
  ASSERT_OK_AND_ASSIGN(std::string first, LoadMasterKey("", dir.path()));
  EXPECT_EQ(first.size(), 32u);
  ASSERT_OK_AND_ASSIGN(std::string again, LoadMasterKey("", dir.path()));
  EXPECT_EQ(again, first);

  // Created owner-only.
  struct stat info;
  ASSERT_EQ(::stat(dir.Sub("master.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  std::ofstream(dir.Sub("bad.key")) << "not hex\n";
  // Readable by others: refused before it is even parsed.
  ASSERT_EQ(::chmod(dir.Sub("bad.key").c_str(), 0644), 0);
  EXPECT_THAT(LoadMasterKey(dir.Sub("bad.key"), dir.path()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("chmod 600")));
  ASSERT_EQ(::chmod(dir.Sub("bad.key").c_str(), 0600), 0);
  EXPECT_THAT(LoadMasterKey(dir.Sub("bad.key"), dir.path()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadMasterKey(dir.Sub("missing.key"), dir.path()).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace collections::security
