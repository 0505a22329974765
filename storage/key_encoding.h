// Byte layouts of every key and value the event log stores. This file and
// storage/FORMAT.md describe the same bytes; change both or neither.
//
// Grammar (all integers fixed-width big-endian, so byte order = numeric order;
// the formatter leaves this block as it is written):
//
// clang-format off
//   column family "default" (metadata)
//     key   := "format_version"
//     value := u32                              the on-disk format (kFormatVersion)
//     key   := "last_group"
//     value := first:u64 last:u64               positions of the last group commit
//     key   := "replica_cursor"                 cluster mode only
//     value := u64                              the last JetStream sequence applied
//   column family "events"
//     key   := position:u64                     global position, 1-based
//     value := tag:u8(=0x01) leaf:32 chain:32 record:bytes
//   column family "stream_index"                one entry per append call (run)
//     key   := stream_id 0x00 first_version:u64 stream versions, 1-based
//     value := first_position:u64 [count:u32]   count absent (format 1) = 1
//     A run maps versions first_version .. first_version+count-1 to positions
//     first_position .. first_position+count-1 (an append's events are
//     contiguous in both).
//   column family "event_ids"
//     key   := stream_id 0x00 event_id
//     value := position:u64 version:u64
//   column family "streams"
//     key   := stream_id
//     value := version:u64 last_position:u64 chain:32
//   column family "merkle"                      completed RFC 9162 tree nodes
//     key   := level:u8 index:u64               levels >= kLowestStoredMerkleLevel
//     value := hash:32
//   column family "tree_heads"                  signed tree heads
//     key   := tree_size:u64
//     value := a serialized collections.v1.SignedTreeHead
// clang-format on
//
// Stream ids are printable ASCII without NUL (see ValidateStreamId), so the
// 0x00 separator is unambiguous and a stream's keys form one contiguous range.
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_STORAGE_KEY_ENCODING_H_
#define COLLECTIONS_STORAGE_KEY_ENCODING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sha256.h"

namespace collections::storage {

// The column families, in the order the database is opened with.
enum class ColumnFamily : int {
  kMeta = 0,  // RocksDB's "default"
  kEvents = 1,
  kStreamIndex = 2,
  kEventIds = 3,
  kStreams = 4,
  kMerkle = 5,     // completed RFC 9162 tree nodes of level >= 1
  kTreeHeads = 6,  // signed tree heads, by tree size
};
inline constexpr int kColumnFamilyCount = 7;
// RocksDB name of each column family.
const char* ColumnFamilyName(ColumnFamily cf);

// The on-disk format this build writes. A database with a larger value was
// written by a newer build and is refused; smaller values are read as is.
// Format 2 writes one stream_index entry per append (a run); format 1 wrote
// one per event, which format 2 reads as runs of one. Format 3 adds the
// Merkle tree ("merkle") and signed tree heads ("tree_heads"); opening a
// format 2 database builds its tree once from the stored leaf hashes.
inline constexpr uint32_t kFormatVersion = 3;
inline constexpr absl::string_view kFormatVersionKey = "format_version";

// Tag byte leading every value in "events".
inline constexpr uint8_t kEventValueTag = 0x01;

void PutU64(std::string* out, uint64_t v);
uint64_t GetU64(const char* p);  // reads 8 bytes
void PutU32(std::string* out, uint32_t v);
uint32_t GetU32(const char* p);  // reads 4 bytes

std::string EncodePositionKey(uint64_t position);

// "merkle" keys: level:u8 index:u64, the node over leaves
// index·2^level … (index+1)·2^level − 1. Values: the 32-byte hash.
// Only levels from kLowestStoredMerkleLevel up are stored: the levels below
// are a fold of at most 2^(kLowestStoredMerkleLevel − 1) leaf hashes (read
// with their events, one short scan), and leaving them out takes 15/16 of
// the node writes off the append path.
inline constexpr int kLowestStoredMerkleLevel = 4;
std::string EncodeMerkleNodeKey(int level, uint64_t index);

// "tree_heads" keys: tree_size:u64. Values: a serialized signed head (the
// audit layer's format; storage keeps the bytes).
std::string EncodeTreeHeadKey(uint64_t tree_size);
// INVALID_ARGUMENT unless exactly 8 bytes.
absl::StatusOr<uint64_t> DecodePositionKey(absl::string_view key);

std::string EncodeStreamVersionKey(absl::string_view stream_id,
                                   uint64_t version);
// The prefix all of a stream's stream_index keys share: stream_id 0x00.
std::string StreamKeyPrefix(absl::string_view stream_id);

struct StreamVersionKey {
  absl::string_view stream_id;  // points into the decoded key
  uint64_t version = 0;
};
absl::StatusOr<StreamVersionKey> DecodeStreamVersionKey(absl::string_view key);

// One stream_index entry: the versions [first_version, first_version+count)
// of a stream live at positions [first_position, first_position+count).
struct StreamRun {
  uint64_t first_version = 0;
  uint64_t first_position = 0;
  uint32_t count = 1;

  uint64_t last_version() const { return first_version + count - 1; }
  bool Covers(uint64_t version) const {
    return version >= first_version && version <= last_version();
  }
  uint64_t PositionOf(uint64_t version) const {
    return first_position + (version - first_version);
  }
};
std::string EncodeStreamRunValue(const StreamRun& run);
// Decodes a stream_index entry (key and value). DATA_LOSS when malformed;
// an 8-byte value (format 1) is a run of one.
absl::StatusOr<StreamRun> DecodeStreamRun(absl::string_view key,
                                          absl::string_view value);

std::string EncodeEventIdKey(absl::string_view stream_id,
                             absl::string_view event_id);

struct EventIdEntry {
  uint64_t position = 0;
  uint64_t version = 0;
};
std::string EncodeEventIdValue(const EventIdEntry& entry);
absl::StatusOr<EventIdEntry> DecodeEventIdValue(absl::string_view value);

// What "streams" holds per stream: the last appended event.
struct StreamHead {
  uint64_t version = 0;        // 0 = stream does not exist
  uint64_t last_position = 0;  // global position of event `version`
  Sha256Digest chain_hash{};   // chain hash of event `version`
};
std::string EncodeStreamHead(const StreamHead& head);
absl::StatusOr<StreamHead> DecodeStreamHead(absl::string_view value);

// A decoded "events" value. The views point into the value passed in, which
// must outlive it.
struct EventValueView {
  Sha256Digest leaf_hash{};
  Sha256Digest chain_hash{};
  absl::string_view record;
};
std::string EncodeEventValue(const Sha256Digest& leaf,
                             const Sha256Digest& chain,
                             absl::string_view record);
// DATA_LOSS when the value is too short or its tag is unknown.
absl::StatusOr<EventValueView> DecodeEventValue(absl::string_view value);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_KEY_ENCODING_H_
