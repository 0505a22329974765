// The small text formats agency files are made of: RFC 4180 CSV rows, JSON
// objects written one per line (JSON Lines), and RFC 3339 UTC times. Every
// writer here is deterministic: the same values give the same bytes, which
// is what lets a placement package be rebuilt byte for byte.
#ifndef COLLECTIONS_SERVICES_AGENCY_FILE_FORMATS_H_
#define COLLECTIONS_SERVICES_AGENCY_FILE_FORMATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace collections::agency {

// A CSV file: a header row, then rows; "\r\n" line ends as RFC 4180 says.
// A field holding a comma, a quote or a line break is quoted, quotes
// doubled.
class CsvWriter {
 public:
  explicit CsvWriter(const std::vector<std::string>& header);
  void Row(const std::vector<std::string>& fields);
  uint64_t rows() const { return rows_; }  // without the header
  const std::string& text() const { return text_; }

 private:
  void Line(const std::vector<std::string>& fields);
  size_t columns_;
  uint64_t rows_ = 0;
  std::string text_;
};

// `message` in protobuf's JSON form on one line, proto field names, every
// field printed (defaults too), so a line has the same shape each time.
std::string MessageJsonLine(const google::protobuf::Message& message);

// "2026-11-22T10:15:00Z" (fractions only when present); "" when unset.
std::string Rfc3339(const google::protobuf::Timestamp& ts);
std::string Rfc3339(absl::Time t);

// Lower-case hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace collections::agency

#endif  // COLLECTIONS_SERVICES_AGENCY_FILE_FORMATS_H_
