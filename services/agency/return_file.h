// An agency's return file: JSON Lines of collections.v1.ReturnFileLine
// (proto/collections/v1/agency.proto) — a header line, the records, a
// trailer line whose counts and totals must match the records.
//
// Parsing checks everything that can be checked without the cases: each
// line's syntax, each record's fields (services/domain/command_checks.h),
// that every record is the header's agency's, and the trailer. The first
// fault rejects the whole file with INVALID_ARGUMENT naming its line
// ("line 7: …"); the rules that need the cases are judged by the import
// (services/app/agency_handoff.h), before anything is applied.
#ifndef COLLECTIONS_SERVICES_AGENCY_RETURN_FILE_H_
#define COLLECTIONS_SERVICES_AGENCY_RETURN_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collections/v1/agency.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "services/domain/command_inputs.h"

namespace collections::agency {

// Most lines one file may hold, header and trailer included.
inline constexpr size_t kMaxReturnFileLines = 100000;

struct ReturnRecord {
  int line = 0;  // 1-based line number in the file
  collections::v1::RecordAgencyReportRequest request;
  domain::AgencyReport report;  // the request's report, as the domain reads it
};

struct ReturnFile {
  collections::v1::ReturnFileHeader header;
  std::vector<ReturnRecord> records;  // in file order
  collections::v1::ReturnFileTrailer trailer;
  std::string sha256_hex;  // of the file's bytes: its identity
};

absl::StatusOr<ReturnFile> ParseReturnFile(absl::string_view content);

// The report a RecordAgencyReport request (or a return file's record)
// carries, in the domain's terms. INVALID_ARGUMENT naming the kinds when it
// carries none.
absl::StatusOr<domain::AgencyReport> AgencyReportOf(
    const collections::v1::RecordAgencyReportRequest& request);

// The agency a report is from (each report kind names it).
const std::string& AgencyIdOf(
    const collections::v1::RecordAgencyReportRequest& report);

}  // namespace collections::agency

#endif  // COLLECTIONS_SERVICES_AGENCY_RETURN_FILE_H_
