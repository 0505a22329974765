// Input limits every request meets before any use case sees it, checked by
// walking the message with protobuf reflection, so every field of every
// request is covered, new ones included:
//   - a string field holds valid UTF-8 and at most kMaxStringBytes (free
//     text: notes, summaries, reasons, texts: kMaxTextBytes);
//   - a bytes field holds at most kMaxBytesField;
//   - an enum field holds a value its enum defines;
//   - a repeated field holds at most kMaxRepeated elements;
//   - a Money has |amount| ≤ kMaxAmountMinor and a currency of three
//     upper-case letters (or none, with amount 0);
//   - a LocalDate is a real date in 1900..9999 (or wholly unset);
//   - a Timestamp lies in 1970..9999 with nanos in range.
// The first breach is INVALID_ARGUMENT naming the field by its path
// ("calls[3].notes").
#ifndef COLLECTIONS_SERVICES_SECURITY_REQUEST_LIMITS_H_
#define COLLECTIONS_SERVICES_SECURITY_REQUEST_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace collections::security {

inline constexpr size_t kMaxStringBytes = 256;
inline constexpr size_t kMaxTextBytes = 8192;
inline constexpr size_t kMaxBytesField = 1 << 20;     // return files: 1 MiB…
inline constexpr size_t kMaxContentBytes = 16 << 20;  // …except `content`
inline constexpr int kMaxRepeated = 1000;
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;  // 10^15

absl::Status CheckRequestLimits(const google::protobuf::Message& request);

// The first message inside `request` (itself included) that carries fields
// this server does not know, as "<path> (<type>): field number(s) …" with
// the path from "request" ("request.calls[0]"); empty when none does.
// Such fields would otherwise be copied into stored events unchecked and
// unsealed.
std::string UnknownFieldsIn(const google::protobuf::Message& request);

// Both walks work from a per-type plan built on first use and kept for the
// process's life; both are safe to call from any thread.

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_REQUEST_LIMITS_H_
