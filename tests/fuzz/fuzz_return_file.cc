// Fuzz target: the agency return-file parser (services/agency/return_file.h)
// on arbitrary bytes — what an agency, or someone posing as one, can send.
// It answers a parsed file or INVALID_ARGUMENT naming the line; it never
// crashes, and a file it accepts names an agency on every report.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "services/agency/return_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view content(reinterpret_cast<const char*>(data), size);
  auto parsed = collections::agency::ParseReturnFile(content);
  if (!parsed.ok()) return 0;
  for (const auto& record : parsed->records) {
    if (collections::agency::AgencyIdOf(record.request).empty())
      __builtin_trap();  // an accepted report must name its agency
  }
  return 0;
}
