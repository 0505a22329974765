#include "storage/key_encoding.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace collections::storage {

const char* ColumnFamilyName(ColumnFamily cf) {
  switch (cf) {
    case ColumnFamily::kMeta:
      return "default";
    case ColumnFamily::kEvents:
      return "events";
    case ColumnFamily::kStreamIndex:
      return "stream_index";
    case ColumnFamily::kEventIds:
      return "event_ids";
    case ColumnFamily::kStreams:
      return "streams";
    case ColumnFamily::kMerkle:
      return "merkle";
    case ColumnFamily::kTreeHeads:
      return "tree_heads";
  }
  return "unknown";
}

void PutU64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void PutU32(std::string* out, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 4);
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string EncodePositionKey(uint64_t position) {
  std::string key;
  PutU64(&key, position);
  return key;
}

std::string EncodeMerkleNodeKey(int level, uint64_t index) {
  std::string key(1, static_cast<char>(level));
  PutU64(&key, index);
  return key;
}

std::string EncodeTreeHeadKey(uint64_t tree_size) {
  return EncodePositionKey(tree_size);
}

absl::StatusOr<uint64_t> DecodePositionKey(absl::string_view key) {
  if (key.size() != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("position key must be 8 bytes, got ", key.size()));
  }
  return GetU64(key.data());
}

std::string StreamKeyPrefix(absl::string_view stream_id) {
  std::string key;
  key.reserve(stream_id.size() + 1);
  absl::StrAppend(&key, stream_id);
  key.push_back('\0');
  return key;
}

std::string EncodeStreamVersionKey(absl::string_view stream_id,
                                   uint64_t version) {
  std::string key = StreamKeyPrefix(stream_id);
  PutU64(&key, version);
  return key;
}

absl::StatusOr<StreamVersionKey> DecodeStreamVersionKey(absl::string_view key) {
  if (key.size() < 10 || key[key.size() - 9] != '\0') {
    return absl::InvalidArgumentError("malformed stream version key");
  }
  return StreamVersionKey{key.substr(0, key.size() - 9),
                          GetU64(key.data() + key.size() - 8)};
}

std::string EncodeStreamRunValue(const StreamRun& run) {
  std::string value;
  value.reserve(12);
  PutU64(&value, run.first_position);
  PutU32(&value, run.count);
  return value;
}

absl::StatusOr<StreamRun> DecodeStreamRun(absl::string_view key,
                                          absl::string_view value) {
  absl::StatusOr<StreamVersionKey> decoded_key = DecodeStreamVersionKey(key);
  if (!decoded_key.ok()) {
    return absl::DataLossError(decoded_key.status().message());
  }
  StreamRun run;
  run.first_version = decoded_key->version;
  if (value.size() == 8) {  // format 1: one entry per event
    run.first_position = GetU64(value.data());
    run.count = 1;
  } else if (value.size() == 12) {
    run.first_position = GetU64(value.data());
    run.count = GetU32(value.data() + 8);
  } else {
    return absl::DataLossError(absl::StrCat(
        "stream index entry must be 8 or 12 bytes, got ", value.size()));
  }
  if (run.count == 0 || run.first_version == 0 || run.first_position == 0) {
    return absl::DataLossError("stream index entry with an empty run");
  }
  return run;
}

std::string EncodeEventIdKey(absl::string_view stream_id,
                             absl::string_view event_id) {
  std::string key = StreamKeyPrefix(stream_id);
  absl::StrAppend(&key, event_id);
  return key;
}

std::string EncodeEventIdValue(const EventIdEntry& entry) {
  std::string value;
  PutU64(&value, entry.position);
  PutU64(&value, entry.version);
  return value;
}

absl::StatusOr<EventIdEntry> DecodeEventIdValue(absl::string_view value) {
  if (value.size() != 16) {
    return absl::DataLossError(
        absl::StrCat("event id entry must be 16 bytes, got ", value.size()));
  }
  return EventIdEntry{GetU64(value.data()), GetU64(value.data() + 8)};
}

std::string EncodeStreamHead(const StreamHead& head) {
  std::string value;
  value.reserve(48);
  PutU64(&value, head.version);
  PutU64(&value, head.last_position);
  absl::StrAppend(&value, AsBytes(head.chain_hash));
  return value;
}

absl::StatusOr<StreamHead> DecodeStreamHead(absl::string_view value) {
  if (value.size() != 48) {
    return absl::DataLossError(
        absl::StrCat("stream head must be 48 bytes, got ", value.size()));
  }
  StreamHead head;
  head.version = GetU64(value.data());
  head.last_position = GetU64(value.data() + 8);
  std::memcpy(head.chain_hash.data(), value.data() + 16, 32);
  return head;
}

std::string EncodeEventValue(const Sha256Digest& leaf,
                             const Sha256Digest& chain,
                             absl::string_view record) {
  std::string value;
  value.reserve(1 + 64 + record.size());
  value.push_back(static_cast<char>(kEventValueTag));
  absl::StrAppend(&value, AsBytes(leaf));
  absl::StrAppend(&value, AsBytes(chain));
  absl::StrAppend(&value, record);
  return value;
}

absl::StatusOr<EventValueView> DecodeEventValue(absl::string_view value) {
  if (value.size() < 65) {
    return absl::DataLossError(
        absl::StrCat("event value too short: ", value.size(), " bytes"));
  }
  if (static_cast<uint8_t>(value[0]) != kEventValueTag) {
    return absl::DataLossError(
        absl::StrCat("unknown event value tag ",
                     static_cast<int>(static_cast<uint8_t>(value[0]))));
  }
  EventValueView view;
  std::memcpy(view.leaf_hash.data(), value.data() + 1, 32);
  std::memcpy(view.chain_hash.data(), value.data() + 33, 32);
  view.record = value.substr(65);
  return view;
}

}  // namespace collections::storage
