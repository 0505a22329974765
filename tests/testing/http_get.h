// A minimal HTTP/1.0 GET over loopback, for tests that scrape the metrics
// endpoint the way Prometheus does (no HTTP client library needed).
#ifndef COLLECTIONS_TESTS_TESTING_HTTP_GET_H_
#define COLLECTIONS_TESTS_TESTING_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"

namespace collections::testing {

// GET http://127.0.0.1:<port><path>; the body of a 200 answer, else
// UNAVAILABLE (no connection) or INTERNAL (another status) with the status
// line.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

// The value of the series `series` (its name and labels exactly as printed,
// e.g. `up{job="x"}`) in a Prometheus text exposition; NaN when absent.
double SeriesValue(const std::string& exposition, const std::string& series);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_HTTP_GET_H_
