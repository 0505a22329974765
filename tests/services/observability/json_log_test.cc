// The JSON log's lines: fields in order, typed values, and strings escaped so
// every line parses whatever bytes it was given.
#include "services/observability/json_log.h"

#include <cstdio>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"

namespace collections::observability {
namespace {

class JsonLogTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromUnixMillis(1795000000123)};
  JsonLog log_{stderr, &clock_};
};

TEST_F(JsonLogTest, LineHasTimeLevelMessageAndTypedFields) {
  EXPECT_EQ(log_.Format(LogLevel::kWarning, "rpc",
                        {{"method", "collections.v1.CaseQueries/GetCase"},
                         {"port", 50051},
                         {"ms", 1.5},
                         {"sync", true}}),
            "{\"ts\":\"2026-11-18T11:06:40.123Z\",\"level\":\"warning\","
            "\"msg\":\"rpc\",\"method\":\"collections.v1.CaseQueries/"
            "GetCase\",\"port\":50051,\"ms\":1.5,\"sync\":true}");
}

TEST_F(JsonLogTest, StringsAreEscaped) {
  std::string out;
  AppendJsonString("quote \" backslash \\ newline \n tab \t bell \x07", &out);
  EXPECT_EQ(out,
            "\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\"");
}

TEST_F(JsonLogTest, ValidUtf8IsKeptInvalidBytesBecomeReplacement) {
  std::string out;
  AppendJsonString("Bergen op Zoom \xc3\xa9\xe2\x82\xac", &out);  // é€
  EXPECT_EQ(out, "\"Bergen op Zoom \xc3\xa9\xe2\x82\xac\"");
  out.clear();
  // A lone continuation byte, a truncated sequence, an overlong encoding.
  AppendJsonString(
      "a\x80"
      "b\xe2\x82"
      "c\xc0\xaf",
      &out);
  EXPECT_EQ(out, "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\"");
}

TEST_F(JsonLogTest, NonFiniteRealsAreNull) {
  const std::string line =
      log_.Format(LogLevel::kInfo, "x",
                  {{"nan", std::numeric_limits<double>::quiet_NaN()},
                   {"inf", std::numeric_limits<double>::infinity()}});
  EXPECT_NE(line.find("\"nan\":null,\"inf\":null"), std::string::npos) << line;
}

TEST_F(JsonLogTest, WriteAppendsOneLinePerCall) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  JsonLog log(file, &clock_);
  log.Info("one");
  log.Error("two", {{"code", "DATA_LOSS"}});
  std::rewind(file);
  char buffer[512] = {};
  const size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  const std::string text(buffer, n);
  EXPECT_EQ(text,
            "{\"ts\":\"2026-11-18T11:06:40.123Z\",\"level\":\"info\","
            "\"msg\":\"one\"}\n"
            "{\"ts\":\"2026-11-18T11:06:40.123Z\",\"level\":\"error\","
            "\"msg\":\"two\",\"code\":\"DATA_LOSS\"}\n");
}

}  // namespace
}  // namespace collections::observability
