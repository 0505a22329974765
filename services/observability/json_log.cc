#include "services/observability/json_log.h"

#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/observability/json_text.h"
#include "services/observability/trace_context.h"

namespace collections::observability {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::string JsonLog::Format(LogLevel level, absl::string_view message,
                            std::initializer_list<LogField> fields) const {
  // ordered_json keeps the fields in the writer's order after ts, level, msg.
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_->Now(),
                                absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = std::string(message);
  for (const LogField& field : fields) {
    nlohmann::ordered_json& value = line[std::string(field.key)];
    if (const auto* text = std::get_if<absl::string_view>(&field.value)) {
      value = std::string(*text);
    } else if (const auto* integer = std::get_if<int64_t>(&field.value)) {
      value = *integer;
    } else if (const auto* real = std::get_if<double>(&field.value)) {
      value = *real;  // NaN and infinities are written as null
    } else {
      value = std::get<bool>(field.value);
    }
  }
  // The call being handled on this thread, unless the writer named it.
  if (const TraceContext* trace = CurrentTrace();
      trace != nullptr && !line.contains("trace_id")) {
    line["trace_id"] = trace->trace_id;
    line["span_id"] = trace->span_id;
  }
  return JsonText(line);
}

void JsonLog::Write(LogLevel level, absl::string_view message,
                    std::initializer_list<LogField> fields) {
  std::string line = Format(level, message, fields);
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

JsonLog* JsonLog::Stderr() {
  static JsonLog* const kLog = new JsonLog(stderr);
  return kLog;
}

}  // namespace collections::observability
