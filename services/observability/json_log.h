// JsonLog: the server's structured log, one JSON object per line, for log
// shippers (Loki, Elasticsearch, journald with a JSON parser) to index
// without regular expressions:
//
//   {"ts":"2026-11-23T03:51:07.123Z","level":"info","msg":"rpc",
//    "method":"collections.v1.CaseCommands/RecordPayment","code":"OK",
//    "ms":1.84,"request_id":"pay-7781","correlation_id":"inv-2026-0042"}
//
// What goes in a line is chosen by its writer; the rule for every writer is
// that no personal data does: no names, addresses, free text or request
// bodies, only identifiers the system assigns, codes and figures. Error
// messages from our own code name ids and rules, never personal values
// (proto fields marked (personal) are sealed before any check reports them).
//
// Strings are escaped for JSON; bytes that are not valid UTF-8 become
// U+FFFD, so a line always parses.
//
// Thread safety: Write may be called from any thread; each line is written
// whole (one fwrite under a lock), never interleaved with another.
#ifndef COLLECTIONS_SERVICES_OBSERVABILITY_JSON_LOG_H_
#define COLLECTIONS_SERVICES_OBSERVABILITY_JSON_LOG_H_

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"

namespace collections::observability {

enum class LogLevel { kInfo, kWarning, kError };

// One field of a line: a key and a string, integer, real or boolean value.
struct LogField {
  using Value = std::variant<absl::string_view, int64_t, double, bool>;
  LogField(absl::string_view field_key, absl::string_view field_value)
      : key(field_key), value(field_value) {}
  LogField(absl::string_view field_key, const char* field_value)
      : key(field_key), value(absl::string_view(field_value)) {}
  LogField(absl::string_view field_key, const std::string& field_value)
      : key(field_key), value(absl::string_view(field_value)) {}
  LogField(absl::string_view field_key, int64_t field_value)
      : key(field_key), value(field_value) {}
  LogField(absl::string_view field_key, int field_value)
      : key(field_key), value(static_cast<int64_t>(field_value)) {}
  LogField(absl::string_view field_key, uint64_t field_value)
      : key(field_key), value(static_cast<int64_t>(field_value)) {}
  LogField(absl::string_view field_key, double field_value)
      : key(field_key), value(field_value) {}
  LogField(absl::string_view field_key, bool field_value)
      : key(field_key), value(field_value) {}

  absl::string_view key;
  Value value;
};

class JsonLog {
 public:
  // Lines go to `out` (not owned; stderr in the server), stamped with
  // `clock`'s time in UTC, millisecond precision.
  explicit JsonLog(std::FILE* out, const Clock* clock = Clock::Real())
      : out_(out), clock_(clock) {}

  void Write(LogLevel level, absl::string_view message,
             std::initializer_list<LogField> fields = {});
  void Info(absl::string_view message,
            std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kInfo, message, fields);
  }
  void Warning(absl::string_view message,
               std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kWarning, message, fields);
  }
  void Error(absl::string_view message,
             std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kError, message, fields);
  }

  // The line Write would print (without the newline), for tests.
  std::string Format(LogLevel level, absl::string_view message,
                     std::initializer_list<LogField> fields) const;

  // The process's log on stderr. Never destroyed.
  static JsonLog* Stderr();

 private:
  std::FILE* const out_;
  const Clock* const clock_;
  absl::Mutex mu_;
};

}  // namespace collections::observability

#endif  // COLLECTIONS_SERVICES_OBSERVABILITY_JSON_LOG_H_
