#include "services/agency/file_formats.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sha256.h"
#include "common/time_conversion.h"
#include "google/protobuf/util/json_util.h"

namespace collections::agency {

CsvWriter::CsvWriter(const std::vector<std::string>& header)
    : columns_(header.size()) {
  Line(header);
}

void CsvWriter::Row(const std::vector<std::string>& fields) {
  Line(fields);
  ++rows_;
}

void CsvWriter::Line(const std::vector<std::string>& fields) {
  for (size_t i = 0; i < columns_; ++i) {
    if (i > 0) text_ += ',';
    const absl::string_view field =
        i < fields.size() ? absl::string_view(fields[i]) : "";
    if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
      absl::StrAppend(&text_, field);
      continue;
    }
    text_ += '"';
    for (char c : field) {
      if (c == '"') text_ += '"';
      text_ += c;
    }
    text_ += '"';
  }
  text_ += "\r\n";
}

std::string MessageJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a well-formed message cannot fail; an error would leave `out`
  // empty, which the manifest's hashes would still cover.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string Rfc3339(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return Rfc3339(ToTime(ts));
}

std::string Sha256Hex(absl::string_view bytes) {
  return ToHex(Sha256Of(bytes));
}

}  // namespace collections::agency
