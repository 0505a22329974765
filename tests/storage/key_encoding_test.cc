// The byte layouts of storage/FORMAT.md: order-preserving keys, exact sizes,
// and refusal of malformed values.
#include "storage/key_encoding.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace collections::storage {
namespace {

using ::collections::testing::StatusIs;

TEST(KeyEncodingTest, PositionKeysAreBigEndianSoByteOrderIsNumericOrder) {
  EXPECT_EQ(EncodePositionKey(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(EncodePositionKey(0x0102030405060708ULL),
            "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_LT(EncodePositionKey(255), EncodePositionKey(256));
  EXPECT_LT(EncodePositionKey(0xffffffffULL),
            EncodePositionKey(0x100000000ULL));
  ASSERT_OK_AND_ASSIGN(uint64_t decoded,
                       DecodePositionKey(EncodePositionKey(123456789012ULL)));
  EXPECT_EQ(decoded, 123456789012ULL);
  EXPECT_THAT(DecodePositionKey("short"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(KeyEncodingTest, StreamVersionKeysGroupAStreamAndOrderItsVersions) {
  const std::string a9 = EncodeStreamVersionKey("case-1", 9);
  const std::string a10 = EncodeStreamVersionKey("case-1", 10);
  const std::string b1 = EncodeStreamVersionKey("case-10", 1);
  EXPECT_LT(a9, a10);
  EXPECT_LT(a10, b1);  // "case-1\0" sorts before "case-10"
  EXPECT_EQ(a9.substr(0, 7), StreamKeyPrefix("case-1"));
  ASSERT_OK_AND_ASSIGN(StreamVersionKey decoded, DecodeStreamVersionKey(a10));
  EXPECT_EQ(decoded.stream_id, "case-1");
  EXPECT_EQ(decoded.version, 10u);
  EXPECT_THAT(DecodeStreamVersionKey("x"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(KeyEncodingTest, StreamRunsRoundTripAndFormatOneEntriesAreRunsOfOne) {
  const std::string key = EncodeStreamVersionKey("case-1", 7);
  ASSERT_OK_AND_ASSIGN(StreamRun run,
                       DecodeStreamRun(key, EncodeStreamRunValue({7, 40, 3})));
  EXPECT_EQ(run.first_version, 7u);
  EXPECT_EQ(run.first_position, 40u);
  EXPECT_EQ(run.count, 3u);
  EXPECT_EQ(run.last_version(), 9u);
  EXPECT_TRUE(run.Covers(9));
  EXPECT_FALSE(run.Covers(10));
  EXPECT_EQ(run.PositionOf(8), 41u);

  ASSERT_OK_AND_ASSIGN(StreamRun old,
                       DecodeStreamRun(key, EncodePositionKey(40)));
  EXPECT_EQ(old.count, 1u);
  EXPECT_EQ(old.first_position, 40u);

  EXPECT_THAT(DecodeStreamRun(key, "short"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeStreamRun(key, EncodeStreamRunValue({7, 40, 0})),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeStreamRun("x", EncodePositionKey(40)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(KeyEncodingTest, StreamHeadRoundTripsAndRefusesWrongSizes) {
  StreamHead head;
  head.version = 7;
  head.last_position = 99;
  head.chain_hash.fill(0xab);
  const std::string encoded = EncodeStreamHead(head);
  EXPECT_EQ(encoded.size(), 48u);
  ASSERT_OK_AND_ASSIGN(StreamHead decoded, DecodeStreamHead(encoded));
  EXPECT_EQ(decoded.version, 7u);
  EXPECT_EQ(decoded.last_position, 99u);
  EXPECT_EQ(decoded.chain_hash, head.chain_hash);
  EXPECT_THAT(DecodeStreamHead(encoded.substr(1)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(KeyEncodingTest, EventIdEntryRoundTrips) {
  ASSERT_OK_AND_ASSIGN(EventIdEntry entry,
                       DecodeEventIdValue(EncodeEventIdValue({42, 3})));
  EXPECT_EQ(entry.position, 42u);
  EXPECT_EQ(entry.version, 3u);
  EXPECT_THAT(DecodeEventIdValue("12345"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(EncodeEventIdKey("case-1", "evt"), std::string("case-1\0evt", 10));
}

TEST(KeyEncodingTest, EventValueHoldsTagHashesThenTheRecordBytes) {
  Sha256Digest leaf, chain;
  leaf.fill(1);
  chain.fill(2);
  const std::string value = EncodeEventValue(leaf, chain, "record-bytes");
  EXPECT_EQ(value.size(), 1u + 32 + 32 + 12);
  EXPECT_EQ(static_cast<uint8_t>(value[0]), kEventValueTag);
  ASSERT_OK_AND_ASSIGN(EventValueView view, DecodeEventValue(value));
  EXPECT_EQ(view.leaf_hash, leaf);
  EXPECT_EQ(view.chain_hash, chain);
  EXPECT_EQ(view.record, "record-bytes");

  std::string wrong_tag = value;
  wrong_tag[0] = 0x7f;
  EXPECT_THAT(DecodeEventValue(wrong_tag),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeEventValue(value.substr(0, 40)),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace collections::storage
