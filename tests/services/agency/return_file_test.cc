// Return files are parsed whole: any malformed line, foreign record or
// trailer mismatch refuses the file, naming the line.
#include "services/agency/return_file.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::agency {
namespace {

using ::testing::HasSubstr;

const char kHeader[] = R"({"header":{"agency_id":"ag-1","file_id":"F-7"}})"
                       "\n";

std::string Payment(const std::string& agency, int64_t minor) {
  return absl::StrCat(
      R"({"record":{"case_id":"c-1","context":{"occurred_at":"2026-06-01T10:00:00Z"},)",
      R"("payment":{"agency_id":")", agency, R"(","payment_id":"P)", minor,
      R"(","amount":{"amount_minor":")", minor,
      R"(","currency":"EUR"},"value_date":{"year":2026,"month":6,"day":1}}}})",
      "\n");
}

std::string Trailer(int records, int64_t total, int reversals = 0) {
  return absl::StrCat(R"({"trailer":{"record_count":)", records,
                      R"(,"payments_total_minor":)", total,
                      R"(,"reversals_count":)", reversals, "}}\n");
}

TEST(ReturnFileTest, ParsesHeaderRecordsAndTrailer) {
  const std::string file = absl::StrCat(kHeader, Payment("ag-1", 1000),
                                        Payment("ag-1", 250), Trailer(2, 1250));
  auto parsed = ParseReturnFile(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->header.agency_id(), "ag-1");
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].line, 2);
  EXPECT_EQ(parsed->records[1].request.payment().amount().amount_minor(), 250);
  EXPECT_EQ(parsed->sha256_hex.size(), 64u);
  // CRLF line ends read the same.
  std::string crlf;
  for (char c : file) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto again = ParseReturnFile(crlf);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->records.size(), 2u);
  EXPECT_NE(again->sha256_hex, parsed->sha256_hex);  // other bytes
}

struct Refusal {
  std::string file;
  std::string message;
};

TEST(ReturnFileTest, RefusesTheWholeFileNamingTheLine) {
  const std::vector<Refusal> refusals = {
      {"", "the file is short"},
      {absl::StrCat(kHeader, Payment("ag-1", 1000)),
       "line 2: the trailer is missing"},
      {absl::StrCat(kHeader, Payment("ag-1", 1000), Trailer(2, 1000)),
       "line 3: the trailer counts 2 records; the file holds 1"},
      {absl::StrCat(kHeader, Payment("ag-1", 1000), Trailer(1, 999)),
       "line 3: the trailer's payments total is 999"},
      {absl::StrCat(kHeader, Payment("ag-1", 1000), Trailer(1, 1000, 1)),
       "line 3: the trailer counts 1 reversals"},
      {absl::StrCat(kHeader, "{not json\n", Trailer(0, 0)),
       "line 2: not a ReturnFileLine"},
      {absl::StrCat(kHeader, R"({"record":{"case_id":"c-1","colour":"red"}})",
                    "\n", Trailer(1, 0)),
       "line 2: not a ReturnFileLine"},
      {absl::StrCat(kHeader, Payment("ag-2", 1000), Trailer(1, 1000)),
       "line 2: the record is agency ag-2's, the file agency ag-1's"},
      {absl::StrCat(kHeader, Payment("ag-1", -5), Trailer(1, -5)),
       "line 2: payment.amount"},
      {absl::StrCat(Payment("ag-1", 1000), Trailer(1, 1000)),
       "line 1: the header is missing"},
      {absl::StrCat(kHeader, kHeader, Trailer(0, 0)),
       "line 2: a second header"},
      {absl::StrCat(kHeader, "\n", Trailer(0, 0)), "line 2: empty line"},
      {absl::StrCat(kHeader, Trailer(0, 0), Payment("ag-1", 1)),
       "line 3: a line after the trailer"},
      {absl::StrCat(kHeader,
                    R"({"record":{"case_id":"c-1","context":{"occurred_at":)"
                    R"("2026-06-01T10:00:00Z"},"update":{"agency_id":"ag-1",)"
                    R"("status":"FOUND","contact_kind":"fax",)"
                    R"("contact_value":"+31 20 000"}}})",
                    "\n", Trailer(1, 0)),
       "line 2: update.contact_kind is 'fax'; one of phone, email, postal"},
  };
  for (const Refusal& refusal : refusals) {
    auto parsed = ParseReturnFile(refusal.file);
    ASSERT_FALSE(parsed.ok()) << refusal.file;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr(refusal.message))
        << refusal.file;
  }
}

}  // namespace
}  // namespace collections::agency
