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

// The value of field "v" in a line, as written.
std::string ValueWritten(const std::string& line) {
  const std::string key = "\"v\":";
  const size_t at = line.find(key);
  return at == std::string::npos
             ? ""
             : line.substr(at + key.size(), line.size() - at - key.size() - 1);
}

TEST_F(JsonLogTest, StringsAreEscaped) {
  EXPECT_EQ(ValueWritten(log_.Format(
                LogLevel::kInfo, "x",
                {{"v", "quote \" backslash \\ newline \n tab \t bell \x07"}})),
            "\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\"");
}

TEST_F(JsonLogTest, ValidUtf8IsKeptInvalidBytesBecomeReplacement) {
  EXPECT_EQ(ValueWritten(log_.Format(
                LogLevel::kInfo, "x",
                {{"v", "Bergen op Zoom \xc3\xa9\xe2\x82\xac"}})),  // é€
            "\"Bergen op Zoom \xc3\xa9\xe2\x82\xac\"");
  // A lone continuation byte and an overlong encoding: U+FFFD (EF BF BD)
  // in their place, and the line still parses.
  const std::string line = log_.Format(LogLevel::kInfo, "x",
                                       {{"v",
                                         "a\x80"
                                         "b\xc0\xaf"
                                         "c"}});
  const std::string value = ValueWritten(line);
  EXPECT_EQ(value.find('\x80'), std::string::npos) << line;
  EXPECT_NE(value.find("a\xef\xbf\xbd"), std::string::npos) << line;
  EXPECT_EQ(value.back(), '"');
  EXPECT_NE(value.find("c\""), std::string::npos) << line;
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
