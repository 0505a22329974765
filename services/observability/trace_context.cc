#include "services/observability/trace_context.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/fixed_hex.h"

namespace collections::observability {
namespace {

thread_local const TraceContext* current_trace = nullptr;

// Whether `text` is `size` lower-case hex digits (§3.2.2: "HEXDIGLC").
bool LowerHex(absl::string_view text, size_t size) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZeros(absl::string_view text) {
  return text.find_first_not_of('0') == absl::string_view::npos;
}

std::string RandomHex(int digits) {
  thread_local absl::BitGen bits;
  std::string hex;
  for (int i = 0; i < digits; i += 16) {
    // An all-zero id is invalid (§3.2.2.3/4): a zero word is drawn again.
    uint64_t word = 0;
    while (word == 0) word = absl::Uniform<uint64_t>(bits);
    // Without StrFormat: parsing its format string was most of the cost
    // of an id, made for every call served (0.6% of the server's samples
    // under one-event writes).
    AppendFixedHex(word, 16, &hex);
  }
  hex.resize(static_cast<size_t>(digits));
  return hex;
}

// tracestate is at most 32 list members of up to 256 characters; 512 bytes
// is what §3.3.1.5 says a vendor must at least propagate. Longer, or not
// printable ASCII: dropped (it is a hint, never required).
constexpr size_t kMaxTracestate = 512;

bool PrintableAscii(absl::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::optional<Traceparent> ParseTraceparent(absl::string_view value) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55.
  if (value.size() < 55) return std::nullopt;
  const absl::string_view version = value.substr(0, 2);
  if (!LowerHex(version, 2) || version == "ff") return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may append
  // "-<more>" after the flags (§3.2.4).
  if (version == "00" ? value.size() != 55
                      : value.size() > 55 && value[55] != '-') {
    return std::nullopt;
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-')
    return std::nullopt;
  const absl::string_view trace_id = value.substr(3, 32);
  const absl::string_view parent_id = value.substr(36, 16);
  const absl::string_view flags = value.substr(53, 2);
  if (!LowerHex(trace_id, 32) || AllZeros(trace_id) ||
      !LowerHex(parent_id, 16) || AllZeros(parent_id) || !LowerHex(flags, 2)) {
    return std::nullopt;
  }
  return Traceparent{std::string(trace_id), std::string(parent_id),
                     std::string(flags)};
}

TraceContext StartSpan(absl::string_view traceparent,
                       absl::string_view tracestate) {
  TraceContext trace;
  trace.span_id = RandomHex(16);
  if (std::optional<Traceparent> parent = ParseTraceparent(traceparent)) {
    trace.trace_id = std::move(parent->trace_id);
    trace.parent_span_id = std::move(parent->parent_id);
    // Only the sampled bit is defined at version 00; the others are
    // cleared when passing it on (§3.2.2.6).
    const int bits = std::stoi(parent->flags, nullptr, 16);
    trace.flags = (bits & 1) != 0 ? "01" : "00";
    if (tracestate.size() <= kMaxTracestate && PrintableAscii(tracestate))
      trace.tracestate = std::string(tracestate);
  } else {
    trace.trace_id = RandomHex(32);
  }
  return trace;
}

std::string TraceparentOf(const TraceContext& trace) {
  return absl::StrCat("00-", trace.trace_id, "-", trace.span_id, "-",
                      trace.flags);
}

const TraceContext* CurrentTrace() { return current_trace; }

ScopedTrace::ScopedTrace(const TraceContext* trace) : outer_(current_trace) {
  current_trace = trace;
}

ScopedTrace::~ScopedTrace() { current_trace = outer_; }

}  // namespace collections::observability
