// Requests the tests send over and over.
#ifndef COLLECTIONS_TESTS_TESTING_REQUESTS_H_
#define COLLECTIONS_TESTS_TESTING_REQUESTS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "collections/v1/case_commands.pb.h"

namespace collections::testing {

// Opens `case_id` for `debtor_id`: a Dutch business debtor of creditor
// "acme", one invoice INV-1 of EUR 10.00 due 2026-02-01, opened on
// 2026-01-01 with request id "open-<case_id>".
collections::v1::OpenCaseRequest OpenBusinessCase(const std::string& case_id,
                                                  const std::string& debtor_id);

// Logs `calls` unanswered outbound calls to phone-1 on `case_id` under
// `request_id`, at Unix time `at` (Europe/Amsterdam, from the debtor's
// record).
collections::v1::LogCallsRequest NoAnswerCalls(const std::string& case_id,
                                               const std::string& request_id,
                                               int calls,
                                               int64_t at = 1795000000);

// `minor` units of `currency`.
collections::v1::Money Money(int64_t minor, const char* currency);

// 2026-<month>-<day> <hour>:<minute> in New York (Reg F cases) and in
// Amsterdam (Dutch cases).
absl::Time NewYork(int month, int day, int hour, int minute = 0);
absl::Time Amsterdam(int month, int day, int hour = 10);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_REQUESTS_H_
