// W3C Trace Context (https://www.w3.org/TR/trace-context/ §3.2): which
// traceparent values are continued, which restart the trace, and the span
// each call starts.
#include "services/observability/trace_context.h"

#include "gtest/gtest.h"
#include "services/observability/json_log.h"

namespace collections::observability {
namespace {

constexpr char kValid[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, W3C_3_2_AValidTraceparentIsRead) {
  auto parsed = ParseTraceparent(kValid);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(parsed->flags, "01");
}

TEST(TraceContextTest, W3C_3_2_InvalidValuesAreRefused) {
  for (const char* invalid : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",     // short
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00+
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
       }) {
    EXPECT_FALSE(ParseTraceparent(invalid).has_value()) << invalid;
  }
}

TEST(TraceContextTest, W3C_3_2_4_ALaterVersionIsReadByItsFirstFields) {
  auto parsed = ParseTraceparent(
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(ParseTraceparent(
                   "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x")
                   .has_value());
}

TEST(TraceContextTest, ASpanContinuesTheCallersTraceWithANewSpanId) {
  const TraceContext a = StartSpan(kValid, "vendor=abc");
  const TraceContext b = StartSpan(kValid, "vendor=abc");
  EXPECT_TRUE(a.continued());
  EXPECT_EQ(a.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(a.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(a.tracestate, "vendor=abc");
  EXPECT_EQ(a.span_id.size(), 16u);
  EXPECT_NE(a.span_id, b.span_id);
  EXPECT_NE(a.span_id, a.parent_span_id);
  const std::string sent = TraceparentOf(a);
  EXPECT_EQ(sent, "00-4bf92f3577b34da6a3ce929d0e0e4736-" + a.span_id + "-01");
  EXPECT_TRUE(ParseTraceparent(sent).has_value());
}

TEST(TraceContextTest, W3C_3_2_2_3_AnInvalidParentStartsANewTrace) {
  const TraceContext fresh = StartSpan("garbage", "vendor=abc");
  EXPECT_FALSE(fresh.continued());
  EXPECT_EQ(fresh.trace_id.size(), 32u);
  EXPECT_EQ(fresh.tracestate, "");  // state belongs to the dropped parent
  EXPECT_TRUE(ParseTraceparent(TraceparentOf(fresh)).has_value());
  EXPECT_NE(StartSpan("", "").trace_id, fresh.trace_id);
}

TEST(TraceContextTest, LogLinesWrittenUnderATraceCarryIt) {
  JsonLog log(nullptr);
  const TraceContext trace = StartSpan(kValid, "");
  EXPECT_EQ(log.Format(LogLevel::kInfo, "x", {}).find("trace_id"),
            std::string::npos);
  {
    ScopedTrace scoped(&trace);
    ASSERT_EQ(CurrentTrace(), &trace);
    const std::string line = log.Format(LogLevel::kInfo, "x", {});
    EXPECT_NE(line.find("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\""),
              std::string::npos)
        << line;
    EXPECT_NE(line.find("\"span_id\":\"" + trace.span_id + "\""),
              std::string::npos);
    // A writer that names the trace itself is not given a second one.
    const std::string named =
        log.Format(LogLevel::kInfo, "x", {{"trace_id", "other"}});
    EXPECT_EQ(named.find("4bf92f"), std::string::npos) << named;
  }
  EXPECT_EQ(CurrentTrace(), nullptr);
}

}  // namespace
}  // namespace collections::observability
