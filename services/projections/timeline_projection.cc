#include "services/projections/timeline_projection.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "services/domain/case_state.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

std::string IndexKey(const std::string& debtor_id) {
  return absl::StrCat("th/", debtor_id);
}

std::string ChunkKey(const std::string& debtor_id, uint32_t id) {
  return absl::StrFormat("tc/%s/%08x", debtor_id, id);
}

int64_t Nanos(absl::Time t) {
  if (t == absl::InfinitePast()) return INT64_MIN;
  if (t == absl::InfiniteFuture()) return INT64_MAX;
  return absl::ToUnixNanos(t);
}

// The index of the chunk an entry with `key` belongs in: the last whose
// first key is not after it (the first chunk for a key before them all).
int ChunkFor(const v1::TimelineIndex& index, const std::string& key) {
  const auto& chunks = index.chunks();
  auto after = std::upper_bound(
      chunks.begin(), chunks.end(), key,
      [](const std::string& k, const v1::TimelineIndex::Chunk& chunk) {
        return k < chunk.first_key();
      });
  return std::max(0, static_cast<int>(after - chunks.begin()) - 1);
}

template <typename Message>
absl::StatusOr<std::optional<Message>> ReadMessage(
    absl::StatusOr<std::optional<std::string>> bytes, const std::string& key) {
  COLLECTIONS_RETURN_IF_ERROR(bytes.status());
  if (!bytes->has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable timeline data ", key));
  }
  return message;
}

}  // namespace

storage::LogFilter TimelineProjection::filter() const {
  // Case streams and debtor streams: no one prefix covers both, so Apply
  // skips the rest.
  return storage::LogFilter{};
}

absl::StatusOr<std::string> TimelineProjection::DebtorOf(
    const v1::Event& event, storage::ProjectionWrite& write) {
  if (absl::StartsWith(event.stream_id(), domain::kDebtorStreamPrefix))
    return domain::DebtorIdOfStream(event.stream_id());
  const std::string case_id = domain::CaseIdOfStream(event.stream_id());
  // A cache, not a copy: past the bound it starts over from "cd/".
  if (debtors_.size() > kMaxCachedCases) debtors_.clear();
  if (event.payload().has_case_opened()) {
    const std::string& debtor_id = event.payload().case_opened().debtor_id();
    write.Put(absl::StrCat("cd/", case_id), debtor_id);
    debtors_[case_id] = debtor_id;
    return debtor_id;
  }
  if (auto it = debtors_.find(case_id); it != debtors_.end()) {
    return it->second;
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                               write.Get(absl::StrCat("cd/", case_id)));
  if (!stored.has_value()) {
    return absl::DataLossError(
        absl::StrCat("case ", case_id, " has an event before its CaseOpened"));
  }
  debtors_[case_id] = *stored;
  return *stored;
}

absl::StatusOr<TimelineProjection::Pending*> TimelineProjection::LoadPending(
    const std::string& debtor_id, storage::ProjectionWrite& write) {
  auto [it, inserted] = pending_.try_emplace(debtor_id);
  if (inserted) {
    const std::string key = IndexKey(debtor_id);
    auto index = ReadMessage<v1::TimelineIndex>(write.Get(key), key);
    if (!index.ok()) {
      pending_.erase(it);
      return index.status();
    }
    if (index->has_value()) {
      Pending& pending = it->second;
      pending.index = **std::move(index);
      if (pending.index.has_inline_chunk()) {
        // Held with the other chunks while the batch works on it; Flush
        // puts it back inline while it is the only one.
        pending.chunks[pending.index.chunks(0).id()] =
            std::move(*pending.index.mutable_inline_chunk());
        pending.index.clear_inline_chunk();
      }
    }
  }
  return &it->second;
}

absl::StatusOr<v1::TimelineChunk*> TimelineProjection::LoadChunk(
    const std::string& debtor_id, Pending& pending, uint32_t id,
    storage::ProjectionWrite& write) {
  auto [it, inserted] = pending.chunks.try_emplace(id);
  if (inserted) {
    const std::string key = ChunkKey(debtor_id, id);
    auto chunk = ReadMessage<v1::TimelineChunk>(write.Get(key), key);
    if (!chunk.ok() || !chunk->has_value()) {
      pending.chunks.erase(it);
      return chunk.ok() ? absl::DataLossError(absl::StrCat(
                              "the timeline index names a missing chunk ", key))
                        : chunk.status();
    }
    it->second = **std::move(chunk);
  }
  return &it->second;
}

absl::Status TimelineProjection::Apply(const storage::RecordedEvent& recorded,
                                       storage::ProjectionWrite& write) {
  const v1::Event& event = recorded.event;
  if (!absl::StartsWith(event.stream_id(), domain::kCaseStreamPrefix) &&
      !absl::StartsWith(event.stream_id(), domain::kDebtorStreamPrefix))
    return absl::OkStatus();
  COLLECTIONS_ASSIGN_OR_RETURN(std::string debtor_id, DebtorOf(event, write));
  COLLECTIONS_ASSIGN_OR_RETURN(Pending * pending,
                               LoadPending(debtor_id, write));
  v1::TimelineIndex& index = pending->index;
  const std::string key = TimelineKey::Of(event).Encode();
  std::string entry =
      RenderTimelineEntry(event, absl::StartsWith(event.stream_id(),
                                                  domain::kCaseStreamPrefix)
                                     ? domain::CaseIdOfStream(event.stream_id())
                                     : std::string())  // a debtor fact: no case
          .SerializeAsString();

  if (index.chunks().empty()) {
    const uint32_t id = index.next_id();
    index.set_next_id(id + 1);
    v1::TimelineIndex::Chunk* meta = index.add_chunks();
    meta->set_id(id);
    meta->set_first_key(key);
    meta->set_count(1);
    v1::TimelineChunk& chunk = pending->chunks[id];
    chunk.add_keys(key);
    chunk.add_entries(std::move(entry));
    pending->dirty.insert(id);
    return absl::OkStatus();
  }

  const int slot = ChunkFor(index, key);
  v1::TimelineIndex::Chunk* meta = index.mutable_chunks(slot);
  COLLECTIONS_ASSIGN_OR_RETURN(
      v1::TimelineChunk * chunk,
      LoadChunk(debtor_id, *pending, meta->id(), write));
  pending->dirty.insert(meta->id());
  auto& keys = *chunk->mutable_keys();
  auto& entries = *chunk->mutable_entries();
  const auto at = std::lower_bound(keys.begin(), keys.end(), key);
  const int offset = static_cast<int>(at - keys.begin());
  if (at != keys.end() && *at == key) {  // the same event again: replace
    entries[offset] = std::move(entry);
    return absl::OkStatus();
  }
  // Insert at `offset` (protobuf's repeated fields append; rotate into place).
  keys.Add(std::string(key));
  entries.Add(std::move(entry));
  std::rotate(keys.begin() + offset, keys.end() - 1, keys.end());
  std::rotate(entries.begin() + offset, entries.end() - 1, entries.end());
  if (offset == 0) meta->set_first_key(key);
  meta->set_count(keys.size());
  if (keys.size() <= kChunkEntries) return absl::OkStatus();

  // Full: split. At the timeline's end, the new entry alone starts the next
  // chunk; elsewhere, the upper half moves.
  const bool at_end =
      slot == index.chunks_size() - 1 && offset == keys.size() - 1;
  const int keep = at_end ? keys.size() - 1 : keys.size() / 2;
  const uint32_t id = index.next_id();
  index.set_next_id(id + 1);
  v1::TimelineChunk& moved = pending->chunks[id];
  for (int i = keep; i < keys.size(); ++i) {
    moved.add_keys(std::move(keys[i]));
    moved.add_entries(std::move(entries[i]));
  }
  keys.DeleteSubrange(keep, keys.size() - keep);
  entries.DeleteSubrange(keep, entries.size() - keep);
  pending->dirty.insert(id);
  // `meta` may move when the index grows: update it first.
  meta->set_count(keep);
  v1::TimelineIndex::Chunk next;
  next.set_id(id);
  next.set_first_key(moved.keys(0));
  next.set_count(moved.keys_size());
  auto* chunks = index.mutable_chunks();
  chunks->Add(std::move(next));
  std::rotate(chunks->begin() + slot + 1, chunks->end() - 1, chunks->end());
  return absl::OkStatus();
}

absl::Status TimelineProjection::Flush(storage::ProjectionWrite& write) {
  std::string bytes;
  for (auto& [debtor_id, pending] : pending_) {
    if (pending.dirty.empty()) continue;
    if (pending.index.chunks_size() == 1) {
      // One chunk: inline in the index (it never had a key of its own);
      // lent to the index for the write and taken back, as the next batch
      // works on it among the chunks.
      v1::TimelineChunk& only = pending.chunks.at(pending.index.chunks(0).id());
      pending.index.mutable_inline_chunk()->Swap(&only);
      pending.index.SerializeToString(&bytes);
      only.Swap(pending.index.mutable_inline_chunk());
      pending.index.clear_inline_chunk();
    } else {
      // Past one chunk, every chunk has its key (the first one, inline
      // until now, is dirty: it just split).
      for (uint32_t id : pending.dirty) {
        pending.chunks.at(id).SerializeToString(&bytes);
        write.Put(ChunkKey(debtor_id, id), bytes);
      }
      pending.index.SerializeToString(&bytes);
    }
    write.Put(IndexKey(debtor_id), bytes);
    pending.dirty.clear();
    // Kept for the next batch: the index and the newest chunk only (where
    // entries in time order go). Older chunks are read again when a late
    // event lands in one: keeping every chunk a long timeline ever split
    // off held gigabytes for 10M events.
    const uint32_t newest =
        pending.index.chunks(pending.index.chunks_size() - 1).id();
    for (auto it = pending.chunks.begin(); it != pending.chunks.end();) {
      if (it->first == newest) {
        ++it;
      } else {
        pending.chunks.erase(it++);
      }
    }
  }
  // Bounded: past kMaxKeptDebtors, every batch starts from the store again.
  if (pending_.size() > kMaxKeptDebtors) pending_.clear();
  return absl::OkStatus();
}

absl::StatusOr<TimelinePage> ReadTimeline(storage::ProjectionStore& store,
                                          const std::string& keyspace,
                                          const TimelineQuery& query,
                                          storage::EventLog* log) {
  TimelinePage page;
  // One snapshot for the index and its chunks: a commit between the reads
  // (a split moving entries to a new chunk) must not hide entries.
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ProjectionSnapshot> view,
      store.Snapshot(keyspace));
  const std::string index_key = IndexKey(query.debtor_id);
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<v1::TimelineIndex> index,
      ReadMessage<v1::TimelineIndex>(view->Get(index_key), index_key));
  if (!index.has_value() || index->chunks().empty()) return page;
  page.debtor_known = true;
  // Start after the token, or at the period's first instant.
  std::string start_after;
  if (query.after.has_value()) {
    start_after = query.after->Encode();
  } else if (query.from != absl::InfinitePast()) {
    start_after = TimelineKey{Nanos(query.from) - 1, UINT64_MAX}.Encode();
  }
  const int64_t to = Nanos(query.to);
  size_t scanned = 0;
  std::optional<TimelineKey> last_seen;
  for (int slot = start_after.empty() ? 0 : ChunkFor(*index, start_after);
       slot < index->chunks_size(); ++slot) {
    std::optional<v1::TimelineChunk> chunk;
    if (index->has_inline_chunk()) {
      chunk = std::move(*index->mutable_inline_chunk());
    } else {
      const std::string chunk_key =
          ChunkKey(query.debtor_id, index->chunks(slot).id());
      COLLECTIONS_ASSIGN_OR_RETURN(chunk, ReadMessage<v1::TimelineChunk>(
                                              view->Get(chunk_key), chunk_key));
      if (!chunk.has_value()) {
        return absl::DataLossError(absl::StrCat(
            "the timeline index names a missing chunk ", chunk_key));
      }
    }
    for (int i = 0; i < chunk->keys_size(); ++i) {
      const std::string& key = chunk->keys(i);
      if (!start_after.empty() && key <= start_after) continue;
      std::optional<TimelineKey> timeline_key = TimelineKey::Decode(key);
      if (!timeline_key.has_value()) {
        return absl::DataLossError(absl::StrCat("bad timeline key ", key));
      }
      if (timeline_key->occurred_nanos >= to) return page;  // period ends
      if (page.items.size() == query.limit || scanned == query.max_scanned) {
        page.next = last_seen;  // more may follow: continue after the last
        return page;
      }
      ++scanned;
      last_seen = timeline_key;
      if (timeline_key->position > query.as_of) continue;
      std::string& entry_bytes = *chunk->mutable_entries(i);
      if (!query.case_id.empty() || !query.event_types.empty()) {
        v1::TimelineEntry entry;
        if (!entry.ParseFromString(entry_bytes)) {
          return absl::DataLossError(absl::StrCat("bad timeline entry ", key));
        }
        if (!query.case_id.empty() && entry.case_id() != query.case_id)
          continue;
        if (!query.event_types.empty() &&
            !query.event_types.contains(entry.type()))
          continue;
      }
      TimelineItem item;
      item.entry_bytes = std::move(entry_bytes);
      if (query.include_events) {
        // The event itself from the log: its stored record is its encoding.
        storage::LogRead read;
        read.from_position = timeline_key->position;
        read.max_events = 1;
        read.max_scanned = 1;
        COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult event,
                                     log->ReadAll(read));
        if (event.events.empty()) {
          return absl::DataLossError(absl::StrCat(
              "the log has no event at position ", timeline_key->position));
        }
        item.event_bytes = std::move(event.events[0].record);
      }
      page.items.push_back(std::move(item));
    }
  }
  return page;
}

}  // namespace collections::projections
