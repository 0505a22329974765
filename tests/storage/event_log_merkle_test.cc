// The Merkle tree the event log keeps in its append batches: its roots and
// proofs agree with a tree recomputed from the records themselves, across
// concurrent group commits, reopening, the upgrade of a format 2 database
// and the repair of a partly written group.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/merkle.h"
#include "storage/rocksdb_database.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::MakeCalls;
using ::collections::testing::StatusIs;

std::unique_ptr<DurableEventLog> Open(const std::string& dir) {
  auto log = OpenRocksDbEventLog({}, dir);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

// The leaf hash of every record, recomputed from its stored bytes.
std::vector<Sha256Digest> Leaves(EventLog& log) {
  std::vector<Sha256Digest> leaves;
  LogRead read;
  for (;;) {
    auto result = log.ReadAll(read);
    EXPECT_TRUE(result.ok());
    for (const RecordedEvent& e : result->events) {
      leaves.push_back(LeafHash(e.record));
    }
    if (result->next_position > result->head_position) break;
    read.from_position = result->next_position;
  }
  return leaves;
}

// Roots of every prefix of `leaves`, computed in memory.
std::vector<Sha256Digest> Roots(const std::vector<Sha256Digest>& leaves) {
  std::vector<Sha256Digest> roots = {merkle::EmptyRoot()};
  merkle::Frontier frontier;
  for (const Sha256Digest& leaf : leaves) {
    frontier.Append(leaf, [](merkle::NodeId, const Sha256Digest&) {});
    roots.push_back(frontier.Root());
  }
  return roots;
}

// Every root, every inclusion proof in the full tree and consistency proofs
// from every size to the full one, checked against the recomputed tree.
void ExpectTreeMatchesRecords(DurableEventLog& log) {
  const std::vector<Sha256Digest> leaves = Leaves(log);
  const std::vector<Sha256Digest> roots = Roots(leaves);
  const uint64_t n = leaves.size();
  ASSERT_EQ(n, log.HeadPosition());
  for (uint64_t size = 0; size <= n; ++size) {
    auto root = log.TreeRoot(size);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, roots[size]) << "size " << size;
    auto consistency = log.ConsistencyProof(size, n);
    ASSERT_TRUE(consistency.ok()) << consistency.status();
    EXPECT_TRUE(
        merkle::VerifyConsistency(size, n, roots[size], roots[n], *consistency)
            .ok())
        << size << " → " << n;
  }
  for (uint64_t position = 1; position <= n; ++position) {
    auto proof = log.InclusionProof(position, n);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(merkle::VerifyInclusion(position - 1, n, leaves[position - 1],
                                        *proof, roots[n])
                    .ok())
        << "position " << position;
  }
}

TEST(EventLogMerkleTest, ConcurrentGroupCommitsBuildTheTreeOfTheRecords) {
  collections::testing::TempDir dir;
  auto log = Open(dir.path());
  // Eight writers to eight streams: groups interleave streams, so leaves
  // reach the tree in position order only if the log puts them there.
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 12; ++i) {
        EXPECT_TRUE(
            log->Append(absl::StrCat("case-", w), ExpectedVersion::Any(),
                        MakeCalls(absl::StrCat("w", w, "-", i), 1 + i % 3))
                .ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();
  ExpectTreeMatchesRecords(*log);
}

TEST(EventLogMerkleTest, TheTreeSurvivesReopeningAndKeepsGrowing) {
  collections::testing::TempDir dir;
  auto log = Open(dir.path());
  ASSERT_OK(log->Append("case-a", ExpectedVersion::Any(), MakeCalls("a", 5)));
  const Sha256Digest root5 = *log->TreeRoot(5);
  log.reset();
  log = Open(dir.path());
  EXPECT_EQ(*log->TreeRoot(5), root5);
  ASSERT_OK(log->Append("case-b", ExpectedVersion::Any(), MakeCalls("b", 6)));
  ExpectTreeMatchesRecords(*log);
}

TEST(EventLogMerkleTest, SizesBeyondTheHeadAndBadPositionsAreRefused) {
  collections::testing::TempDir dir;
  auto log = Open(dir.path());
  ASSERT_OK(log->Append("case-a", ExpectedVersion::Any(), MakeCalls("a", 3)));
  EXPECT_EQ(*log->TreeRoot(0), merkle::EmptyRoot());
  EXPECT_THAT(log->TreeRoot(4), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log->InclusionProof(0, 3),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log->InclusionProof(3, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log->ConsistencyProof(3, 2),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log->ConsistencyProof(1, 9),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST(EventLogMerkleTest, TreeHeadsAreKeptBySize) {
  collections::testing::TempDir dir;
  auto log = Open(dir.path());
  EXPECT_EQ(*log->LatestTreeHead(), std::nullopt);
  ASSERT_OK(log->Append("case-a", ExpectedVersion::Any(), MakeCalls("a", 3)));
  ASSERT_OK(log->SaveTreeHead(1, "head of one"));
  ASSERT_OK(log->SaveTreeHead(3, "head of three"));
  EXPECT_THAT(log->SaveTreeHead(4, "ahead of the log"),
              StatusIs(absl::StatusCode::kOutOfRange));
  log.reset();
  log = Open(dir.path());
  EXPECT_EQ(*log->ReadTreeHead(1), "head of one");
  EXPECT_EQ(*log->ReadTreeHead(2), std::nullopt);
  EXPECT_EQ(*log->LatestTreeHead(), "head of three");
}

// A database written before format 3 has leaf hashes but no tree: opening
// it builds the tree once, and it is the tree of its records.
TEST(EventLogMerkleTest, AFormatTwoDatabaseGetsItsTreeOnOpen) {
  collections::testing::TempDir dir;
  Sha256Digest root;
  {
    auto log = Open(dir.path());
    for (int i = 0; i < 5; ++i) {
      ASSERT_OK(log->Append(absl::StrCat("case-", i), ExpectedVersion::Any(),
                            MakeCalls(absl::StrCat("e", i), 7)));
    }
    root = *log->TreeRoot(35);
  }
  {
    // Back to format 2: no merkle nodes, format_version 2.
    auto database = OpenEventLogDatabase({}, dir.path());
    ASSERT_OK(database);
    rocksdb::WriteBatch batch;
    batch.DeleteRange(database->cf(ColumnFamily::kMerkle),
                      EncodeMerkleNodeKey(0, 0), EncodeMerkleNodeKey(64, 0));
    std::string two;
    PutU32(&two, 2);
    batch.Put(database->cf(ColumnFamily::kMeta), ToSlice(kFormatVersionKey),
              two);
    ASSERT_TRUE(database->db->Write(rocksdb::WriteOptions(), &batch).ok());
    database->Close();
  }
  auto log = Open(dir.path());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(*log->TreeRoot(35), root);
  ExpectTreeMatchesRecords(*log);
}

// The same damage without the older format version is reported, not
// silently rebuilt: a format 3 log always has its tree.
TEST(EventLogMerkleTest, AMissingTreeInAFormatThreeDatabaseIsDataLoss) {
  collections::testing::TempDir dir;
  {
    auto log = Open(dir.path());
    ASSERT_OK(
        log->Append("case-a", ExpectedVersion::Any(), MakeCalls("a", 20)));
  }
  {
    auto database = OpenEventLogDatabase({}, dir.path());
    ASSERT_OK(database);
    // The node over positions 1..16, the lowest level stored.
    ASSERT_TRUE(database->db
                    ->Delete(rocksdb::WriteOptions(),
                             database->cf(ColumnFamily::kMerkle),
                             EncodeMerkleNodeKey(kLowestStoredMerkleLevel, 0))
                    .ok());
    database->Close();
  }
  EXPECT_THAT(OpenRocksDbEventLog({}, dir.path()).status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace collections::storage
