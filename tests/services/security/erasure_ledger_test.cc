// The erasure ledger: durable lines, a torn last append cut off, malformed
// lines refused, and the vault destroying a key the ledger names when a
// store holds it again (a restored backup).
#include "services/security/erasure_ledger.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/security/personal_data_vault.h"
#include "storage/rocksdb_key_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::security {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ErasureLedgerTest, RecordsDurablyAndReadsBack) {
  testing::TempDir dir;
  const std::string path = dir.Sub("ledger");
  {
    auto ledger = ErasureLedger::Open(path);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ASSERT_TRUE((*ledger)->Record("d-1#1").ok());
    ASSERT_TRUE((*ledger)->Record("d-2#3").ok());
    EXPECT_THAT((*ledger)->Record("bad id"),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // A torn append (crash mid-write) is cut off: that key was not destroyed.
  std::ofstream(path, std::ios::app) << "destroyed d-3";
  auto reopened = ErasureLedger::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_THAT((*reopened)->DestroyedKeyIds(), ElementsAre("d-1#1", "d-2#3"));
  ASSERT_TRUE((*reopened)->Record("d-3#1").ok());
  EXPECT_THAT(ErasureLedger::Open(path).value()->DestroyedKeyIds(),
              ElementsAre("d-1#1", "d-2#3", "d-3#1"));
}

TEST(ErasureLedgerTest, AMalformedLineIsDataLoss) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("ledger")) << "destroyed d-1#1\nsomething else\n";
  EXPECT_THAT(ErasureLedger::Open(dir.Sub("ledger")).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("destroyed")));
}

TEST(ErasureLedgerTest, LivesWithTheMasterKey) {
  EXPECT_EQ(LedgerPathFor("/l", "/k/master.key", "/data"), "/l");
  EXPECT_EQ(LedgerPathFor("", "/k/master.key", "/data"),
            "/k/master.key.erasures");
  EXPECT_EQ(LedgerPathFor("", "", "/data"), "/data/master.key.erasures");
}

// The vault records before it destroys; a store copied before the erasure
// (a backup) gets the key destroyed again, and the next key is generation 2.
TEST(ErasureLedgerTest, TheVaultDestroysAKeyThatCameBack) {
  testing::TempDir dir;
  const std::string master(32, 'm');
  auto ledger = ErasureLedger::Open(dir.Sub("ledger"));
  ASSERT_TRUE(ledger.ok());
  {
    auto store = storage::OpenRocksDbKeyStore(dir.Sub("keys"));
    ASSERT_TRUE(store.ok()) << store.status();
    PersonalDataVault vault(store->get(), master, ledger->get());
    std::vector<v1::Event> events(1);
    events[0].set_type("CaseOpened");
    events[0].mutable_payload()->mutable_case_opened()->set_debtor_name("Zoë");
    ASSERT_TRUE(vault.Seal("d-1", "case-c-1", 1, events).ok());
    ASSERT_TRUE((*store)->Checkpoint(dir.Sub("backup")).ok());
    EXPECT_EQ(vault.Destroy("d-1").value(), "d-1#1");
    EXPECT_THAT((*ledger)->DestroyedKeyIds(), ElementsAre("d-1#1"));
  }
  auto restored = storage::OpenRocksDbKeyStore(dir.Sub("backup"));
  ASSERT_TRUE(restored.ok()) << restored.status();
  PersonalDataVault vault(restored->get(), master, ledger->get());
  EXPECT_TRUE(vault.HasKey("d-1").value());
  EXPECT_THAT(vault.EnforceLedger().value(), ElementsAre("d-1#1"));
  EXPECT_FALSE(vault.HasKey("d-1").value());
  EXPECT_THAT(vault.EnforceLedger().value(), ::testing::IsEmpty());
  std::vector<v1::Event> later(1);
  later[0].set_type("CaseOpened");
  later[0].mutable_payload()->mutable_case_opened()->set_debtor_name("X");
  ASSERT_TRUE(vault.Seal("d-1", "case-c-2", 1, later).ok());
  EXPECT_EQ(later[0].sealed().key_id(), "d-1#2");
  EXPECT_THAT(vault.EnforceLedger().value(), ::testing::IsEmpty());
  EXPECT_TRUE(vault.HasKey("d-1").value());
}

}  // namespace
}  // namespace collections::security
