#include "services/observability/json_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
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

// Length of the valid UTF-8 sequence starting at text[i], or 0.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  size_t length;
  uint32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  uint32_t code = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
    return 0;
  return length;
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonLog::Format(LogLevel level, absl::string_view message,
                            std::initializer_list<LogField> fields) const {
  std::string line = "{\"ts\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_->Now(),
                           absl::UTCTimeZone());
  absl::StrAppend(&line, "\",\"level\":\"", LevelName(level), "\",\"msg\":");
  AppendJsonString(message, &line);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(field.key, &line);
    line.push_back(':');
    if (const auto* text = std::get_if<absl::string_view>(&field.value)) {
      AppendJsonString(*text, &line);
    } else if (const auto* integer = std::get_if<int64_t>(&field.value)) {
      absl::StrAppend(&line, *integer);
    } else if (const auto* real = std::get_if<double>(&field.value)) {
      // JSON has no NaN or infinity.
      if (*real == *real && *real - *real == 0) {
        absl::StrAppendFormat(&line, "%.6g", *real);
      } else {
        line += "null";
      }
    } else {
      line += std::get<bool>(field.value) ? "true" : "false";
    }
  }
  // The call being handled on this thread, unless the writer named it.
  if (const TraceContext* trace = CurrentTrace()) {
    const bool named = std::any_of(
        fields.begin(), fields.end(),
        [](const LogField& field) { return field.key == "trace_id"; });
    if (!named) {
      absl::StrAppend(&line, ",\"trace_id\":\"", trace->trace_id,
                      "\",\"span_id\":\"", trace->span_id, "\"");
    }
  }
  line.push_back('}');
  return line;
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
