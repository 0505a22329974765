// JSON text from nlohmann::json values: the one way the server and its tools
// write JSON that is not a protobuf message (messages go through protobuf's
// own JSON mapping, google::protobuf::util::MessageToJsonString). No code
// here escapes JSON by hand.
//
// Strings are written as UTF-8; bytes that are not valid UTF-8 become
// U+FFFD (nlohmann's error_handler_t::replace), so a line always parses,
// whatever bytes a value held. NaN and infinities are written as null.
//
// Kept apart from json_log.h so that only the code that builds JSON values
// compiles the (large) nlohmann header.
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_SERVICES_OBSERVABILITY_JSON_TEXT_H_
#define COLLECTIONS_SERVICES_OBSERVABILITY_JSON_TEXT_H_

#include <string>

#include "nlohmann/json.hpp"

namespace collections::observability {

// One line of JSON (no newline).
inline std::string JsonText(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace collections::observability

#endif  // COLLECTIONS_SERVICES_OBSERVABILITY_JSON_TEXT_H_
