// Evidence bundles and the data-directory check, end to end on a real log:
// a bundle verifies with the public key alone (after a trip through bytes,
// as a file would take), and each kind of tampering — a flipped byte in a
// record, a deleted event, a reordered pair — is found by the bundle check
// and by the data-directory check, naming the position.
#include "services/audit/evidence_bundle.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "services/audit/log_verification.h"
#include "services/audit/signed_tree_head.h"
#include "storage/key_encoding.h"
#include "storage/log_integrity.h"
#include "storage/rocksdb_database.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::audit {
namespace {

using ::collections::testing::MakeCalls;
using ::testing::Contains;
using ::testing::HasSubstr;
namespace v1 = ::collections::v1;

std::string Joined(const std::vector<std::string>& lines) {
  return absl::StrJoin(lines, "\n");
}

class EvidenceTest : public ::testing::Test {
 protected:
  EvidenceTest()
      : clock_(absl::FromUnixSeconds(1795000000)),
        key_(*SigningKey::Generate()) {
    Open();
    // case-1 and case-2 interleaved with another case's events.
    for (int round = 0; round < 3; ++round) {
      Append("case-1", absl::StrCat("one-", round), 2);
      Append("case-x", absl::StrCat("x-", round), 1);
      Append("case-2", absl::StrCat("two-", round), 1);
    }
    head_ = *signer_->SignLatest();  // tree size 12
  }

  void Open() {
    storage::EventLogOptions options;
    options.clock = &clock_;
    log_ = *storage::OpenRocksDbEventLog(options, log_dir());
    signer_ =
        std::make_unique<TreeHeadSigner>(log_.get(), log_.get(), key_, &clock_);
  }
  void Close() {
    signer_.reset();
    log_.reset();
  }
  void Append(const std::string& stream, const std::string& ids, int n) {
    ASSERT_OK(log_->Append(stream, storage::ExpectedVersion::Any(),
                           MakeCalls(ids, n)));
  }
  std::string log_dir() const { return dir_.path() + "/log"; }

  v1::EvidenceBundle Bundle() {
    auto bundle =
        BuildEvidenceBundle(*log_, *log_, head_, key_.public_key(),
                            {"case-1", "case-2"}, "debtor 7", clock_.Now());
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    // Through bytes, as a file: nothing of the server comes along.
    v1::EvidenceBundle parsed;
    EXPECT_TRUE(parsed.ParseFromString(bundle->SerializeAsString()));
    return parsed;
  }
  VerificationReport Verify(const v1::EvidenceBundle& bundle) {
    return VerifyEvidenceBundle(
        bundle, *VerifyingKey::FromPem(key_.public_key().Pem()));
  }

  // Raw edits to the closed log's stored events.
  void EditEvents(
      const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>&
          edit) {
    Close();
    auto database = storage::OpenEventLogDatabase({}, log_dir());
    ASSERT_OK(database);
    edit(database->db.get(), database->cf(storage::ColumnFamily::kEvents));
    database->Close();
  }
  std::string Stored(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events,
                     uint64_t position) {
    std::string value;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), events,
                        storage::EncodePositionKey(position), &value)
                    .ok());
    return value;
  }
  VerificationReport CheckDirectory() {
    auto integrity = storage::CheckLogIntegrity(log_dir());
    EXPECT_TRUE(integrity.ok()) << integrity.status();
    return JudgeLogIntegrity(*integrity, key_.public_key());
  }

  collections::testing::TempDir dir_;
  FakeClock clock_;
  SigningKey key_;
  std::unique_ptr<storage::DurableEventLog> log_;
  std::unique_ptr<TreeHeadSigner> signer_;
  v1::SignedTreeHead head_;
};

TEST_F(EvidenceTest, ABundleVerifiesWithThePublicKeyAlone) {
  const v1::EvidenceBundle bundle = Bundle();
  ASSERT_EQ(bundle.events_size(), 9);  // 6 of case-1, 3 of case-2
  EXPECT_EQ(bundle.head().tree_size(), 12u);
  EXPECT_EQ(bundle.key_fingerprint(), key_.public_key().Fingerprint());
  EXPECT_TRUE(std::is_sorted(bundle.events().begin(), bundle.events().end(),
                             [](const auto& a, const auto& b) {
                               return a.position() < b.position();
                             }));
  const VerificationReport report = Verify(bundle);
  EXPECT_TRUE(report.ok()) << Joined(report.failures);
  EXPECT_THAT(Joined(report.holds),
              HasSubstr("case-1: versions 1..6 are all present"));
  EXPECT_THAT(Joined(report.holds),
              HasSubstr("9 events are included in the signed tree"));
  // Events appended after the head are not in its bundle.
  Append("case-1", "late", 1);
  EXPECT_EQ(Bundle().events_size(), 9);
  // The data directory verifies too.
  Close();
  const VerificationReport directory = CheckDirectory();
  EXPECT_TRUE(directory.ok()) << Joined(directory.failures);
}

TEST_F(EvidenceTest, ABundleSignedByAnotherKeyIsRefused) {
  const v1::EvidenceBundle bundle = Bundle();
  const SigningKey other = *SigningKey::Generate();
  const VerificationReport report =
      VerifyEvidenceBundle(bundle, other.public_key());
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures), HasSubstr("signed head"));
}

TEST_F(EvidenceTest, AFlippedByteIsFoundAtItsPosition) {
  // Positions: 1-2 case-1, 3 case-x, 4 case-2, 5-6 case-1 (v3, v4), ...
  v1::EvidenceBundle bundle = Bundle();
  v1::BundleEvent* target = nullptr;
  for (auto& e : *bundle.mutable_events()) {
    if (e.position() == 5) target = &e;
  }
  ASSERT_NE(target, nullptr);
  (*target->mutable_record())[10] ^= 0x01;
  VerificationReport report = Verify(bundle);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures), HasSubstr("position 5"));

  EditEvents([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    std::string value = Stored(db, events, 5);
    value[100] ^= 0x01;  // inside the record
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events,
                        storage::EncodePositionKey(5), value)
                    .ok());
  });
  report = CheckDirectory();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures), HasSubstr("position 5"));
}

TEST_F(EvidenceTest, ADeletedEventIsFoundAtItsPosition) {
  v1::EvidenceBundle bundle = Bundle();
  // Drop case-1 v3 (position 5) from the bundle.
  auto* events = bundle.mutable_events();
  events->erase(std::find_if(events->begin(), events->end(),
                             [](const auto& e) { return e.position() == 5; }));
  VerificationReport report = Verify(bundle);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures),
              HasSubstr("case-1: version 3 is missing before position 6"));

  EditEvents([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* column) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), column,
                           storage::EncodePositionKey(5))
                    .ok());
  });
  report = CheckDirectory();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures), HasSubstr("before position 6"));
}

TEST_F(EvidenceTest, AReorderedPairIsFoundAtItsPositions) {
  v1::EvidenceBundle bundle = Bundle();
  // Swap the records of positions 5 and 6 (case-1 v3 and v4).
  v1::BundleEvent *a = nullptr, *b = nullptr;
  for (auto& e : *bundle.mutable_events()) {
    if (e.position() == 5) a = &e;
    if (e.position() == 6) b = &e;
  }
  ASSERT_TRUE(a != nullptr && b != nullptr);
  std::swap(*a->mutable_record(), *b->mutable_record());
  VerificationReport report = Verify(bundle);
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures), HasSubstr("position 5"));
  EXPECT_THAT(Joined(report.failures), HasSubstr("position 6"));

  EditEvents([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    const std::string five = Stored(db, events, 5);
    const std::string six = Stored(db, events, 6);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events,
                        storage::EncodePositionKey(5), six)
                    .ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events,
                        storage::EncodePositionKey(6), five)
                    .ok());
  });
  report = CheckDirectory();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures),
              HasSubstr("position 5: the record there names position 6"));
}

// A rewrite that also fixes the stored leaf hash and chain still fails
// against the head signed before it.
TEST_F(EvidenceTest, AConsistentRewriteFailsAgainstTheSignedHead) {
  Append("case-x", "more", 8);  // 20 events: a stored node over 1..16
  ASSERT_OK(signer_->SignLatest());
  EditEvents([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    // The views point into `stored`, which must outlive them.
    const std::string stored = Stored(db, events, 5);
    auto value = storage::DecodeEventValue(stored);
    ASSERT_OK(value);
    std::string record(value->record);
    record[10] ^= 0x01;
    const Sha256Digest leaf = LeafHash(record);
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), events, storage::EncodePositionKey(5),
                storage::EncodeEventValue(leaf, value->chain_hash, record))
            .ok());
  });
  const VerificationReport report = CheckDirectory();
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(Joined(report.failures),
              HasSubstr("do not give the root the server signed"));
  // The first stored tree node above it (nodes are kept from 16 leaves up).
  EXPECT_THAT(Joined(report.failures), HasSubstr("positions 1..16"));
}

}  // namespace
}  // namespace collections::audit
