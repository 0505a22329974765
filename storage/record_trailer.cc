#include "storage/record_trailer.h"

namespace collections::storage {

RecordTrailer::RecordTrailer(absl::string_view stream_id) {
  trailer_.set_stream_id(std::string(stream_id));
}

void RecordTrailer::set_recorded_at(
    const google::protobuf::Timestamp& recorded_at) {
  *trailer_.mutable_recorded_at() = recorded_at;
}

absl::string_view RecordTrailer::Serialize(uint64_t stream_version,
                                           uint64_t global_position) {
  trailer_.set_stream_version(stream_version);
  trailer_.set_global_position(global_position);
  trailer_.SerializeToString(&bytes_);
  return bytes_;
}

}  // namespace collections::storage
