// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent`
// a caller sends, the span this server starts for each call, and the call's
// current trace on the thread that handles it.
//
// traceparent = "00-<trace-id: 32 hex>-<parent-id: 16 hex>-<flags: 2 hex>",
// lower-case hex, neither id all zeros, version "ff" invalid; a later
// version is read by its first four fields (§3.2.4 "versioning"). A call that
// brings no valid traceparent starts a new trace (§3.2.2.3: a receiver that
// cannot parse it restarts the trace). `tracestate` is kept as it came, only
// when the traceparent was valid (§3.3.1.1), and at most 512 bytes.
//
// Where the trace goes: every JSON log line written while a ScopedTrace is
// current carries trace_id and span_id (json_log.h); the RPC line carries
// them too; events appended by the call record its traceparent; the cluster
// log sends it on to NATS as a message header.
//
// Thread safety: functions of values; CurrentTrace is per thread.
#ifndef COLLECTIONS_SERVICES_OBSERVABILITY_TRACE_CONTEXT_H_
#define COLLECTIONS_SERVICES_OBSERVABILITY_TRACE_CONTEXT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace collections::observability {

struct TraceContext {
  std::string trace_id;        // 32 lower-case hex digits
  std::string span_id;         // this call's span: 16 hex digits, new
  std::string parent_span_id;  // the caller's span; "" for a new trace
  std::string flags = "00";    // 2 hex digits; "01": sampled by the caller
  std::string tracestate;      // as the caller sent it (valid parent only)

  // Whether the trace came from the caller (a valid traceparent).
  bool continued() const { return !parent_span_id.empty(); }
};

// The parts of a valid traceparent header value; nullopt when invalid.
struct Traceparent {
  std::string trace_id;
  std::string parent_id;
  std::string flags;
};
std::optional<Traceparent> ParseTraceparent(absl::string_view value);

// The span a call starts: continuing `traceparent` (with `tracestate`) when
// it is valid, else a new trace. The span id (and a new trace id) are random.
TraceContext StartSpan(absl::string_view traceparent,
                       absl::string_view tracestate);

// The traceparent naming this span as the parent, for what the call sends
// on ("00-<trace_id>-<span_id>-<flags>").
std::string TraceparentOf(const TraceContext& trace);

// The trace of the call the current thread is handling, or nullptr.
const TraceContext* CurrentTrace();

// Makes `trace` current on this thread for the scope's life (nesting
// restores the outer one). `trace` must outlive the scope.
class ScopedTrace {
 public:
  explicit ScopedTrace(const TraceContext* trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  const TraceContext* const outer_;
};

}  // namespace collections::observability

#endif  // COLLECTIONS_SERVICES_OBSERVABILITY_TRACE_CONTEXT_H_
