#include "storage/rocksdb_database.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collections/v1/events.pb.h"
#include "common/status_macros.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/key_encoding.h"
#include "storage/rocksdb_log_reader.h"
#include "storage/rocksdb_memory.h"
#include "storage/rocksdb_status.h"
#include "storage/rocksdb_write_faults.h"

namespace collections::storage {
namespace {

// DATA_LOSS for a database RocksDB found damaged while opening it. RocksDB's
// own message names a damaged table file (".sst") but not a damaged
// write-ahead log record, so this adds the logs it was replaying: one of
// them holds the damage. Never opened past it: that would drop every
// acknowledged append after the damaged record.
absl::Status DescribeDamageAtOpen(const std::string& path,
                                  const rocksdb::Status& opened) {
  std::vector<std::string> logs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0)
      logs.push_back(name);
  }
  std::sort(logs.begin(), logs.end());
  return absl::DataLossError(absl::StrCat(
      "opening the event log in ", path, ": ", opened.ToString(),
      opened.ToString().find(".sst") != std::string::npos
          ? ""
          : absl::StrCat(" (in the write-ahead log being replayed: ",
                         absl::StrJoin(logs, ", "), ")"),
      "; the log is not opened past damage. Restore the data directory from "
      "a backup (docs/operations.md: Backup and restore); collections-verify "
      "datadir "
      "reports what a copy holds"));
}

// The "stream_id 0x00" prefix of stream_index and event_ids keys. Used only
// as a memtable insert hint: a stream's versions arrive in increasing order,
// so each insert can start from where that stream's previous insert ended
// instead of searching the skiplist from the top.
class StreamPrefixTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "collections.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = std::memchr(key.data(), '\0', key.size());
    const size_t length = static_cast<const char*>(nul) - key.data() + 1;
    return {key.data(), length};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

// Universal (size-tiered) compaction, for the families whose keys arrive
// in no order (a stream's, then another's): every flushed file spans
// their whole key range. Leveled compaction merged each few such files
// with the whole of level 1, which grows with the log until it reaches
// its 256 MiB target, so every event id was rewritten once per few
// flushes (quadratic in the log's size: at 4.5M events each merge
// rewrote 34 MB for 3.5 CPU seconds). Universal merges a sorted run with
// runs of about its size: a key is rewritten a few times in its life.
// Measured 2026-12-07 with tools/bench/sustained_bench.sh (100-event
// writes, 90 s): the event ids' compactions took 12.2 CPU seconds
// leveled, 7.7 to 9.1 universal. Point lookups (every append's event-id
// check) ask the bloom filter of each sorted run, up to about ten
// instead of five. Seven levels, RocksDB's default: an older build still
// opens the database (each level one sorted run, as leveled compaction
// requires), and did so in a test, as this one opens theirs.
void CompactBySize(rocksdb::ColumnFamilyOptions* cf_options) {
  cf_options->compaction_style = rocksdb::kCompactionStyleUniversal;
}

rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(
    ColumnFamily family, const EventLogOptions& options,
    const RocksDbMemory& memory) {
  rocksdb::ColumnFamilyOptions cf_options;
  // Each column family's memtable may grow to 64 MiB, but the memory
  // budget (rocksdb_memory.h) flushes the largest once all of them hold
  // memtable_bytes: the busy families (events, event ids, Merkle nodes)
  // share it by their write rates instead of a fixed split.
  cf_options.write_buffer_size = options.write_buffer_bytes;
  // LZ4 above the last level, ZSTD in it (the events and the Merkle nodes:
  // LZ4 throughout, see below). A record is mostly what does not
  // compress (sealed personal data, ids, two hashes): loadgen's events,
  // 400-byte bodies, took 452 bytes each on disk with every index (7.1M
  // events, 3.2 GB).
  // Reviewed 2026-12-07 with storage_bench (64 writers, 100-event appends,
  // 6 s, two alternating runs): levels 0 and 1 uncompressed 200k and 238k
  // events/s, LZ4 227k and 227k; XXH3 block checksums instead of CRC32C
  // 208k and 238k. Neither measurably faster, so both kept as they were.
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions table;
  ConfigureTableMemory(memory, &table);
  table.format_version = 5;
  switch (family) {
    case ColumnFamily::kEvents:
      // Positions only grow: every insert lands after the previous one. One
      // hint for all positions below 2^32 makes each insert O(1).
      cf_options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(4));
      // LZ4 at every level, the last too. A flushed file's positions lie
      // above everything below it, so RocksDB can move it down a level
      // without rewriting it, but only when the two levels' compressions
      // match: with ZSTD in the last level every file was read back,
      // decompressed and recompressed once (with a small log, level 1 is
      // the last). Measured 2026-12-07, loadgen 100-event writes, 10 s:
      // that compaction took 1.8 of the server's 18 CPU seconds, for a
      // file 3% smaller (194 MB against 200 MB: sealed personal data does
      // not compress).
      cf_options.bottommost_compression = rocksdb::kDisableCompressionOption;
      break;
    case ColumnFamily::kStreamIndex:
      cf_options.memtable_insert_with_hint_prefix_extractor =
          std::make_shared<StreamPrefixTransform>();
      CompactBySize(&cf_options);
      break;
    case ColumnFamily::kEventIds:
      CompactBySize(&cf_options);
      [[fallthrough]];
    case ColumnFamily::kStreams:
      // Point lookups on every append, mostly for keys that are absent (new
      // event ids, new streams): bloom filters answer those without I/O.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf_options.memtable_prefix_bloom_size_ratio = 0.05;
      cf_options.memtable_whole_key_filtering = true;
      break;
    case ColumnFamily::kMerkle:
      // Proofs are point reads of nodes, all of which exist.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      cf_options.optimize_filters_for_hits = true;
      // Within a level, node indexes only grow: one hint per level makes
      // each insert land after the previous one without a search.
      cf_options.memtable_insert_with_hint_prefix_extractor.reset(
          rocksdb::NewFixedPrefixTransform(1));
      // Hashes do not compress; one compression throughout lets files
      // move down without a rewrite where their nodes do not overlap (as
      // for the events).
      cf_options.bottommost_compression = rocksdb::kDisableCompressionOption;
      break;
    case ColumnFamily::kMeta:
    case ColumnFamily::kTreeHeads:
      break;
  }
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf_options;
}

// Checks the stored format version (writing this build's into a new
// database) and returns it.
// Records this build's format version, synced (with everything before it).
absl::Status WriteFormatVersion(rocksdb::DB* db,
                                rocksdb::ColumnFamilyHandle* meta) {
  std::string encoded;
  PutU32(&encoded, kFormatVersion);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDbStatus(
      db->Put(write_options, meta, ToSlice(kFormatVersionKey), encoded),
      "writing the format version");
}

absl::StatusOr<uint32_t> CheckFormatVersion(rocksdb::DB* db,
                                            rocksdb::ColumnFamilyHandle* meta,
                                            uint64_t head) {
  std::string value;
  rocksdb::Status status =
      db->Get(rocksdb::ReadOptions(), meta, ToSlice(kFormatVersionKey), &value);
  if (status.IsNotFound()) {
    if (head != 0) {
      return absl::DataLossError(
          "the event log has events but no format_version record");
    }
    COLLECTIONS_RETURN_IF_ERROR(WriteFormatVersion(db, meta));
    return kFormatVersion;
  }
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading the format version"));
  if (value.size() != 4)
    return absl::DataLossError("format_version record is malformed");
  const uint32_t stored = GetU32(value.data());
  if (stored > kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data directory was written in format ", stored,
        " by a newer build; this build reads formats up to ", kFormatVersion));
  }
  return stored;
}

// Builds the Merkle tree of a database written before format 3 from the
// leaf hashes stored with every event, then records format 3. Interrupted,
// it starts over at the next open (the nodes it wrote are rewritten).
absl::Status BuildMerkleTree(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  auto* events = handles[static_cast<int>(ColumnFamily::kEvents)];
  auto* nodes = handles[static_cast<int>(ColumnFamily::kMerkle)];
  merkle::Frontier frontier;
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(), events));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position,
                                 DecodePositionKey(View(it->key())));
    if (position != frontier.size() + 1) {
      return absl::DataLossError(absl::StrCat(
          "the event log has no event at position ", frontier.size() + 1));
    }
    COLLECTIONS_ASSIGN_OR_RETURN(EventValueView value,
                                 DecodeEventValue(View(it->value())));
    frontier.Append(value.leaf_hash,
                    [&](merkle::NodeId id, const Sha256Digest& hash) {
                      if (id.level < kLowestStoredMerkleLevel) return;
                      batch.Put(nodes, EncodeMerkleNodeKey(id.level, id.index),
                                ToSlice(AsBytes(hash)));
                    });
    if (batch.Count() >= 100000) {
      COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
          db->Write(rocksdb::WriteOptions(), &batch), "building the tree"));
      batch.Clear();
    }
  }
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading the log to build its tree"));
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
      db->Write(rocksdb::WriteOptions(), &batch), "building the tree"));
  return WriteFormatVersion(db, handles[static_cast<int>(ColumnFamily::kMeta)]);
}

}  // namespace

absl::StatusOr<EventLogDatabase> OpenEventLogDatabase(
    const EventLogOptions& options, absl::string_view dir) {
  if (dir.empty()) return absl::InvalidArgumentError("data directory is empty");
  if (options.clock == nullptr)
    return absl::InvalidArgumentError("options.clock is null");
  if (options.max_events_per_append == 0 || options.max_event_bytes == 0 ||
      options.max_stream_id_bytes == 0 || options.max_event_id_bytes == 0) {
    return absl::InvalidArgumentError("event log limits must be at least 1");
  }
  if (options.memtable_bytes == 0 ||
      options.memtable_bytes >= options.memory_bytes) {
    return absl::InvalidArgumentError(
        "memtable_bytes must be at least 1 and below memory_bytes: the "
        "memtables are reserved inside the memory budget");
  }
  if (options.max_events_per_append > UINT32_MAX) {
    // A stream_index run counts an append's events in a u32.
    return absl::InvalidArgumentError(
        "max_events_per_append must fit in 32 bits");
  }
  const std::string path(dir);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.paranoid_checks = true;
  // The WAL write of one RocksDB write group overlaps the memtable inserts of
  // the previous one: a group commit's sub-batches and the next group's
  // write no longer wait for each other's memtable work. Measured with
  // tools/storage_bench: 100-event batches go from ~0.68x to ~0.8x of raw.
  db_options.enable_pipelined_write = true;
  // A damaged record in the write-ahead log fails the open (DATA_LOSS)
  // instead of silently ending the replay there, which RocksDB's default
  // (point-in-time recovery) does, dropping every later acknowledged write.
  // Only an incomplete last record is tolerated: the write a crash
  // interrupted, which was never synced, so never acknowledged.
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  std::unique_ptr<rocksdb::Env> fault_env;
  if (options.write_faults != nullptr) {
    fault_env = NewWriteFaultEnv(options.write_faults);
    db_options.env = fault_env.get();
  }

  // Refuse a database with column families this build does not know: it was
  // written by a newer build, and opening it without them would fail anyway.
  std::vector<std::string> existing;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
  if (listed.ok()) {
    for (const std::string& name : existing) {
      bool known = false;
      for (int i = 0; i < kColumnFamilyCount; ++i) {
        known |= name == ColumnFamilyName(static_cast<ColumnFamily>(i));
      }
      if (!known) {
        return absl::FailedPreconditionError(
            absl::StrCat("the data directory has column family '", name,
                         "', unknown to this build: it was "
                         "written by a newer build"));
      }
    }
  } else if (!options.create_if_missing) {
    return absl::NotFoundError(
        absl::StrCat("no event log in ", path, ": ", listed.ToString()));
  }

  const RocksDbMemory memory = ConfigureDatabaseMemory(
      options.memory_bytes, options.memtable_bytes, &db_options);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    const auto family = static_cast<ColumnFamily>(i);
    descriptors.emplace_back(ColumnFamilyName(family),
                             ColumnFamilyOptionsFor(family, options, memory));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db);
  if (!opened.ok()) {
    if (opened.IsIOError() &&
        opened.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("the data directory ", path,
                       " is in use by another process: ", opened.ToString()));
    }
    if (opened.IsCorruption()) return DescribeDamageAtOpen(path, opened);
    return FromRocksDbStatus(opened,
                             absl::StrCat("opening the event log in ", path));
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  auto close_on_error = [&](absl::Status status) {
    for (auto* handle : handles)
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db->Close().PermitUncheckedError();
    return status;
  };

  // The head is the last key of "events": every append writes its events and
  // everything else in one batch, so the events column family is the truth.
  uint64_t head = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(),
                        handles[static_cast<int>(ColumnFamily::kEvents)]));
    it->SeekToLast();
    if (!it->status().ok())
      return close_on_error(
          FromRocksDbStatus(it->status(), "reading the log head"));
    if (it->Valid()) {
      absl::StatusOr<uint64_t> last = DecodePositionKey(View(it->key()));
      if (!last.ok())
        return close_on_error(absl::DataLossError(last.status().message()));
      head = *last;
    }
  }
  absl::StatusOr<uint32_t> format = CheckFormatVersion(
      db.get(), handles[static_cast<int>(ColumnFamily::kMeta)], head);
  if (!format.ok()) return close_on_error(format.status());
  if (*format < 3) {
    if (absl::Status built = BuildMerkleTree(db.get(), handles); !built.ok())
      return close_on_error(built);
  }
  EventLogDatabase database;
  database.fault_env = std::move(fault_env);
  database.db = std::move(db);
  database.dir = path;
  database.handles = std::move(handles);
  bool repaired = false;
  if (absl::Status status = RepairPartialGroup(database, &repaired);
      !status.ok()) {
    database.Close();
    return status;
  }
  if (repaired) {
    absl::StatusOr<uint64_t> last = ReadLastPosition(database);
    if (!last.ok()) {
      database.Close();
      return last.status();
    }
    head = *last;
  }
  database.head_position = head;
  if (!options.merkle_tree) return database;
  absl::StatusOr<merkle::Frontier> frontier = merkle::Frontier::Load(
      head,
      [&database](merkle::NodeId id) { return ReadMerkleNode(database, id); });
  if (!frontier.ok()) {
    database.Close();
    return absl::DataLossError(
        absl::StrCat("the event log's Merkle tree is incomplete at size ", head,
                     ": ", frontier.status().message()));
  }
  database.frontier = *std::move(frontier);
  return database;
}

absl::StatusOr<Sha256Digest> ReadMerkleNode(const EventLogDatabase& database,
                                            merkle::NodeId id) {
  std::string value;
  Sha256Digest hash;
  if (id.level < kLowestStoredMerkleLevel) {
    // Not stored: the fold of its 2^level leaves, stored with their events
    // at consecutive positions.
    const uint64_t count = uint64_t{1} << id.level;
    const uint64_t first = (id.index << id.level) + 1;
    const std::string upper = EncodePositionKey(first + count);
    const rocksdb::Slice upper_bound(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(database.db->NewIterator(
        read_options, database.cf(ColumnFamily::kEvents)));
    std::vector<Sha256Digest> level;
    for (it->Seek(EncodePositionKey(first)); it->Valid(); it->Next()) {
      COLLECTIONS_ASSIGN_OR_RETURN(EventValueView view,
                                   DecodeEventValue(View(it->value())));
      level.push_back(view.leaf_hash);
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "reading leaves"));
    if (level.size() != count) {
      return absl::NotFoundError(absl::StrCat(
          "positions ", first, "..", first + count - 1, " are not all there"));
    }
    while (level.size() > 1) {
      for (size_t i = 0; i < level.size() / 2; ++i)
        level[i] = NodeHash(level[2 * i], level[2 * i + 1]);
      level.resize(level.size() / 2);
    }
    return level[0];
  }
  rocksdb::Status status = database.db->Get(
      rocksdb::ReadOptions(), database.cf(ColumnFamily::kMerkle),
      EncodeMerkleNodeKey(id.level, id.index), &value);
  if (status.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("no Merkle node ", id.level, "/", id.index));
  }
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(status, "reading a node"));
  if (!DigestFromBytes(value, &hash)) {
    return absl::DataLossError(
        absl::StrCat("Merkle node ", id.level, "/", id.index, " is malformed"));
  }
  return hash;
}

absl::StatusOr<uint64_t> ReadLastPosition(const EventLogDatabase& database) {
  std::unique_ptr<rocksdb::Iterator> it(database.db->NewIterator(
      rocksdb::ReadOptions(), database.cf(ColumnFamily::kEvents)));
  it->SeekToLast();
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading the log head"));
  if (!it->Valid()) return 0;
  absl::StatusOr<uint64_t> last = DecodePositionKey(View(it->key()));
  if (!last.ok()) return absl::DataLossError(last.status().message());
  return *last;
}

namespace {

// The head a stream had before position `before`: its newest event below
// that position, or nullopt when it had none.
absl::StatusOr<std::optional<StreamHead>> HeadBefore(
    const EventLogDatabase& database, absl::string_view stream_id,
    uint64_t before) {
  const std::string prefix = StreamKeyPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(database.db->NewIterator(
      rocksdb::ReadOptions(), database.cf(ColumnFamily::kStreamIndex)));
  for (it->SeekForPrev(EncodeStreamVersionKey(stream_id, UINT64_MAX));
       it->Valid() && View(it->key()).substr(0, prefix.size()) == prefix;
       it->Prev()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        StreamRun run, DecodeStreamRun(View(it->key()), View(it->value())));
    // A run is written in one atomic sub-batch, so it lies wholly before or
    // wholly after `before` (the first gap of a group).
    if (run.first_position >= before) continue;
    const uint64_t position = run.PositionOf(run.last_version());
    std::string value;
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(database.db->Get(rocksdb::ReadOptions(),
                                           database.cf(ColumnFamily::kEvents),
                                           EncodePositionKey(position), &value),
                          "reading a stream's last event"));
    COLLECTIONS_ASSIGN_OR_RETURN(EventValueView view, DecodeEventValue(value));
    return StreamHead{run.last_version(), position, view.chain_hash};
  }
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(it->status(), "reading a stream index"));
  return std::nullopt;
}

// Adds to `fix` the deletion of every stream_index run of `stream_id` that
// starts at or after `version`.
absl::Status DeleteRunsFrom(const EventLogDatabase& database,
                            absl::string_view stream_id, uint64_t version,
                            rocksdb::WriteBatch* fix) {
  const std::string prefix = StreamKeyPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(database.db->NewIterator(
      rocksdb::ReadOptions(), database.cf(ColumnFamily::kStreamIndex)));
  for (it->Seek(EncodeStreamVersionKey(stream_id, version));
       it->Valid() && View(it->key()).substr(0, prefix.size()) == prefix;
       it->Next()) {
    fix->Delete(database.cf(ColumnFamily::kStreamIndex), it->key());
  }
  return FromRocksDbStatus(it->status(), "reading a stream index");
}

}  // namespace

absl::Status RepairPartialGroup(const EventLogDatabase& database,
                                bool* repaired) {
  *repaired = false;
  rocksdb::DB* db = database.db.get();
  std::string marker;
  rocksdb::Status status =
      db->Get(rocksdb::ReadOptions(), database.cf(ColumnFamily::kMeta),
              ToSlice(kLastGroupKey), &marker);
  if (status.IsNotFound()) return absl::OkStatus();
  COLLECTIONS_RETURN_IF_ERROR(
      FromRocksDbStatus(status, "reading the last group marker"));
  if (marker.size() != 16)
    return absl::DataLossError("the last group marker is malformed");
  const uint64_t first = GetU64(marker.data());
  const uint64_t last = GetU64(marker.data() + 8);

  struct Survivor {
    uint64_t position;
    collections::v1::Event event;
  };
  std::vector<Survivor> survivors;
  {
    const std::string upper = EncodePositionKey(last + 1);
    const rocksdb::Slice upper_bound(upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &upper_bound;
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(read_options, database.cf(ColumnFamily::kEvents)));
    for (it->Seek(EncodePositionKey(first)); it->Valid(); it->Next()) {
      COLLECTIONS_ASSIGN_OR_RETURN(uint64_t position,
                                   DecodePositionKey(View(it->key())));
      COLLECTIONS_ASSIGN_OR_RETURN(
          RecordedEvent recorded,
          DecodeStoredEvent(position, View(it->value())));
      Survivor survivor{position, std::move(recorded.event)};
      survivors.push_back(std::move(survivor));
    }
    COLLECTIONS_RETURN_IF_ERROR(
        FromRocksDbStatus(it->status(), "reading the last group"));
  }
  // Keep the contiguous prefix of the group; drop everything after its first
  // gap. (A crash keeps a prefix of the WAL, so a gap can only be inside the
  // last group whose marker survived.)
  uint64_t gap = first;
  while (gap - first < survivors.size() &&
         survivors[gap - first].position == gap)
    ++gap;
  if (gap > last) return absl::OkStatus();  // complete
  std::vector<Survivor> beyond_gap;
  for (Survivor& s : survivors) {
    if (s.position > gap) beyond_gap.push_back(std::move(s));
  }
  survivors = std::move(beyond_gap);

  rocksdb::WriteBatch fix;
  // Per stream, its lowest version beyond the gap: every run from there on
  // belongs to the removed part (they are the stream's newest events).
  absl::flat_hash_map<std::string, uint64_t> first_removed_version;
  for (const Survivor& s : survivors) {
    const std::string& stream = s.event.stream_id();
    fix.Delete(database.cf(ColumnFamily::kEvents),
               EncodePositionKey(s.position));
    fix.Delete(database.cf(ColumnFamily::kEventIds),
               EncodeEventIdKey(stream, s.event.event_id()));
    auto [entry, inserted] =
        first_removed_version.emplace(stream, s.event.stream_version());
    if (!inserted)
      entry->second = std::min(entry->second, s.event.stream_version());
  }
  for (const auto& [stream, version] : first_removed_version) {
    COLLECTIONS_RETURN_IF_ERROR(
        DeleteRunsFrom(database, stream, version, &fix));
  }
  for (const auto& [stream, unused] : first_removed_version) {
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<StreamHead> head,
                                 HeadBefore(database, stream, gap));
    if (head.has_value()) {
      fix.Put(database.cf(ColumnFamily::kStreams), stream,
              EncodeStreamHead(*head));
    } else {
      fix.Delete(database.cf(ColumnFamily::kStreams), stream);
    }
  }
  // Tree nodes completed by a removed event may stay: no read looks above
  // the head, and re-appending those positions rewrites every one of them.
  fix.Delete(database.cf(ColumnFamily::kMeta), ToSlice(kLastGroupKey));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  COLLECTIONS_RETURN_IF_ERROR(FromRocksDbStatus(
      db->Write(sync, &fix), "removing a partly written group commit"));
  *repaired = !survivors.empty();
  return absl::OkStatus();
}

void EventLogDatabase::Close() {
  if (db == nullptr) return;
  for (auto* handle : handles)
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  handles.clear();
  db->Close().PermitUncheckedError();
  db.reset();
}

}  // namespace collections::storage
