// RecordTrailer: the second half of an event's record (storage/FORMAT.md,
// "The record"). A record is the exact byte string a log stores and hashes
// for an event: the caller's event serialized as given, followed by a
// serialized Event holding only the four fields the log assigns (stream_id,
// stream_version, global_position, recorded_at): the trailer. Protobuf
// parsing merges the two, so the record parses as the whole envelope.
//
// Every EventLog implementation builds its records with this, so the bytes,
// and with them the leaf and chain hashes (common/sha256.h), are the same
// whichever log wrote them.
//
// Thread safety: not shared; one per stream being written.
#ifndef COLLECTIONS_STORAGE_RECORD_TRAILER_H_
#define COLLECTIONS_STORAGE_RECORD_TRAILER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "collections/v1/events.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace collections::storage {

class RecordTrailer {
 public:
  // The trailers of events of `stream_id`.
  explicit RecordTrailer(absl::string_view stream_id);
  RecordTrailer(const RecordTrailer&) = delete;
  RecordTrailer& operator=(const RecordTrailer&) = delete;

  // The recorded_at of the events that follow (one per append).
  void set_recorded_at(const google::protobuf::Timestamp& recorded_at);

  // The serialized trailer of the event at `stream_version` and
  // `global_position`: append it to the caller's serialized event. The view
  // is valid until the next call on this object.
  absl::string_view Serialize(uint64_t stream_version,
                              uint64_t global_position);

 private:
  collections::v1::Event trailer_;
  std::string bytes_;  // reused: one allocation per stream batch
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_RECORD_TRAILER_H_
