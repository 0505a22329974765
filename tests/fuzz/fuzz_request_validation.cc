// Fuzz target: decoding and validating a command request as the server does
// before any use case sees it: protobuf parsing of the wire bytes, the
// gatekeeper's request limits (sizes, UTF-8, repeated-field counts) and the
// domain's checks of a case to open and of logged calls. Every input gets
// an answer (OK or a status); none crashes or leaks.
#include <cstddef>
#include <cstdint>

#include "collections/v1/case_commands.pb.h"
#include "services/domain/command_checks.h"
#include "services/security/request_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace v1 = collections::v1;
  const int length = static_cast<int>(size);
  v1::OpenCaseRequest open;
  if (open.ParseFromArray(data, length) &&
      collections::security::CheckRequestLimits(open).ok()) {
    (void)collections::domain::CheckRequestId(open.context().request_id());
    (void)collections::domain::CheckCaseOpened(open.case_());
  }
  v1::LogCallsRequest calls;
  if (calls.ParseFromArray(data, length) &&
      collections::security::CheckRequestLimits(calls).ok()) {
    for (const v1::CallLogged& call : calls.calls())
      (void)collections::domain::CheckCallLogged(call);
  }
  return 0;
}
