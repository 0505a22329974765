// The agency file formats: CSV quoting as RFC 4180 says, messages as
// protobuf JSON lines, and times in RFC 3339 UTC.
#include "services/agency/file_formats.h"

#include "collections/v1/events.pb.h"
#include "gtest/gtest.h"

namespace collections::agency {
namespace {

TEST(CsvWriterTest, QuotesOnlyFieldsThatNeedIt) {
  CsvWriter csv({"id", "note"});
  csv.Row({"plain", "a, b"});
  csv.Row({"quote", "say \"hi\""});
  csv.Row({"break", "two\nlines"});
  csv.Row({"short"});  // missing fields are empty
  EXPECT_EQ(csv.text(),
            "id,note\r\n"
            "plain,\"a, b\"\r\n"
            "quote,\"say \"\"hi\"\"\"\r\n"
            "break,\"two\nlines\"\r\n"
            "short,\r\n");
  EXPECT_EQ(csv.rows(), 4u);
}

TEST(FileFormatsTest, TimesAreRfc3339Utc) {
  google::protobuf::Timestamp ts;
  EXPECT_EQ(Rfc3339(ts), "");  // unset
  ts.set_seconds(1767225600);  // 2026-01-01T00:00:00Z
  EXPECT_EQ(Rfc3339(ts), "2026-01-01T00:00:00Z");
  ts.set_nanos(500000000);
  EXPECT_EQ(Rfc3339(ts), "2026-01-01T00:00:00.5Z");
}

TEST(FileFormatsTest, MessageJsonLinePrintsEveryFieldOnOneLine) {
  collections::v1::Money money;
  money.set_currency("EUR");
  EXPECT_EQ(MessageJsonLine(money),
            "{\"amount_minor\":\"0\",\"currency\":\"EUR\"}");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace collections::agency
