#include "services/agency/return_file.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "services/agency/file_formats.h"
#include "services/domain/command_checks.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;
using Report = v1::RecordAgencyReportRequest;

absl::Status LineError(int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", message));
}

// Checks the record and maps its report into `report`.
absl::Status CheckRecord(int line, const v1::ReturnFileHeader& header,
                         const Report& record, domain::AgencyReport& report) {
  absl::Status status = domain::CheckId("case_id", record.case_id());
  if (status.ok() && !record.context().has_occurred_at()) {
    status = absl::InvalidArgumentError(
        "context.occurred_at (when the agency did it) is required");
  }
  if (status.ok()) {
    absl::StatusOr<domain::AgencyReport> mapped = AgencyReportOf(record);
    status = mapped.status();
    if (mapped.ok()) {
      report = *std::move(mapped);
      status = domain::CheckAgencyReport(report);
    }
  }
  if (status.ok() && AgencyIdOf(record) != header.agency_id()) {
    status = absl::InvalidArgumentError(
        absl::StrCat("the record is agency ", AgencyIdOf(record),
                     "'s, the file agency ", header.agency_id(), "'s"));
  }
  if (!status.ok()) return LineError(line, status.message());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<domain::AgencyReport> AgencyReportOf(const Report& request) {
  switch (request.report_case()) {
    case Report::kAcknowledged:
      return request.acknowledged();
    case Report::kPayment:
      return request.payment();
    case Report::kPaymentReversed:
      return request.payment_reversed();
    case Report::kUpdate:
      return request.update();
    case Report::kRecallObjected:
      return request.recall_objected();
    case Report::kRecallCompleted:
      return request.recall_completed();
    case Report::kReturned:
      return request.returned();
    case Report::REPORT_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "report (acknowledged, payment, payment_reversed, update, "
      "recall_objected, recall_completed or returned) is required");
}

const std::string& AgencyIdOf(const Report& report) {
  static const std::string* const kNone = new std::string();
  switch (report.report_case()) {
    case Report::kAcknowledged:
      return report.acknowledged().agency_id();
    case Report::kPayment:
      return report.payment().agency_id();
    case Report::kPaymentReversed:
      return report.payment_reversed().agency_id();
    case Report::kUpdate:
      return report.update().agency_id();
    case Report::kRecallObjected:
      return report.recall_objected().agency_id();
    case Report::kRecallCompleted:
      return report.recall_completed().agency_id();
    case Report::kReturned:
      return report.returned().agency_id();
    case Report::REPORT_NOT_SET:
      break;
  }
  return *kNone;
}

absl::StatusOr<ReturnFile> ParseReturnFile(absl::string_view content) {
  ReturnFile file;
  file.sha256_hex = Sha256Hex(content);
  std::vector<absl::string_view> lines = absl::StrSplit(content, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // final \n
  if (lines.size() > kMaxReturnFileLines) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file has ", lines.size(), " lines; at most ",
                     kMaxReturnFileLines));
  }
  if (lines.size() < 2) {
    return absl::InvalidArgumentError(
        "the file is short: it needs a header line and a trailer line");
  }
  google::protobuf::util::JsonParseOptions options;  // unknown fields refused
  bool trailer_seen = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    absl::string_view text = lines[i];
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) return LineError(number, "empty line");
    if (trailer_seen) return LineError(number, "a line after the trailer");
    v1::ReturnFileLine line;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(text.data(), text.size()), &line,
        options);
    if (!parsed.ok()) {
      return LineError(number, absl::StrCat("not a ReturnFileLine: ",
                                            std::string(parsed.message())));
    }
    if (i == 0) {
      if (!line.has_header()) return LineError(number, "the header is missing");
      file.header = line.header();
      absl::Status id =
          domain::CheckId("header.agency_id", file.header.agency_id());
      if (!id.ok()) return LineError(number, id.message());
      continue;
    }
    switch (line.line_case()) {
      case v1::ReturnFileLine::kHeader:
        return LineError(number, "a second header");
      case v1::ReturnFileLine::kRecord: {
        domain::AgencyReport report;
        absl::Status checked =
            CheckRecord(number, file.header, line.record(), report);
        if (!checked.ok()) return checked;
        file.records.push_back(
            {number, std::move(*line.mutable_record()), std::move(report)});
        break;
      }
      case v1::ReturnFileLine::kTrailer:
        file.trailer = line.trailer();
        trailer_seen = true;
        break;
      case v1::ReturnFileLine::LINE_NOT_SET:
        return LineError(number, "neither header, record nor trailer");
    }
  }
  const int last = static_cast<int>(lines.size());
  if (!trailer_seen) {
    return LineError(last, "the trailer is missing: the file is cut short");
  }
  int64_t payments = 0;
  uint32_t reversals = 0;
  for (const ReturnRecord& record : file.records) {
    if (record.request.has_payment())
      payments += record.request.payment().amount().amount_minor();
    if (record.request.has_payment_reversed()) ++reversals;
  }
  const v1::ReturnFileTrailer& trailer = file.trailer;
  if (trailer.record_count() != file.records.size()) {
    return LineError(
        last, absl::StrCat("the trailer counts ", trailer.record_count(),
                           " records; the file holds ", file.records.size()));
  }
  if (trailer.payments_total_minor() != payments) {
    return LineError(last, absl::StrCat("the trailer's payments total is ",
                                        trailer.payments_total_minor(),
                                        "; the payments add up to ", payments));
  }
  if (trailer.reversals_count() != reversals) {
    return LineError(
        last, absl::StrCat("the trailer counts ", trailer.reversals_count(),
                           " reversals; the file holds ", reversals));
  }
  return file;
}

}  // namespace collections::agency
