// Requests the tests send over and over.
#ifndef COLLECTIONS_TESTS_TESTING_REQUESTS_H_
#define COLLECTIONS_TESTS_TESTING_REQUESTS_H_

#include <cstdint>
#include <string>

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

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_REQUESTS_H_
