// GoogleTest helpers for absl::Status and absl::StatusOr (Debian's Abseil
// ships none):
//   EXPECT_OK(expr); ASSERT_OK(expr);
//   ASSERT_OK_AND_ASSIGN(auto value, expr);
//   EXPECT_THAT(expr, StatusIs(absl::StatusCode::kAborted));
//   EXPECT_THAT(expr, StatusIs(absl::StatusCode::kAborted, HasSubstr("version
//   3")));
#ifndef COLLECTIONS_TESTS_TESTING_STATUS_MATCHERS_H_
#define COLLECTIONS_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collections::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER_P2(StatusIsImpl, code, message_matcher, "") {
  const absl::Status& status = ::collections::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

inline auto StatusIs(absl::StatusCode code) {
  return StatusIsImpl(code, ::testing::_);
}
template <typename M>
auto StatusIs(absl::StatusCode code, M message_matcher) {
  return StatusIsImpl(code,
                      ::testing::MatcherCast<std::string>(message_matcher));
}

}  // namespace collections::testing

// Each evaluates `expr` once (a second evaluation would run the call
// again: append twice, or print a different status than the one checked).
#define EXPECT_OK(expr)                                                 \
  do {                                                                  \
    const auto& collections_expect_ok_ = (expr);                        \
    EXPECT_TRUE(                                                        \
        ::collections::testing::GetStatus(collections_expect_ok_).ok()) \
        << ::collections::testing::GetStatus(collections_expect_ok_);   \
  } while (0)
#define ASSERT_OK(expr)                                                 \
  do {                                                                  \
    const auto& collections_assert_ok_ = (expr);                        \
    ASSERT_TRUE(                                                        \
        ::collections::testing::GetStatus(collections_assert_ok_).ok()) \
        << ::collections::testing::GetStatus(collections_assert_ok_);   \
  } while (0)

#define COLLECTIONS_TEST_CONCAT_INNER_(a, b) a##b
#define COLLECTIONS_TEST_CONCAT_(a, b) COLLECTIONS_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                       \
  auto COLLECTIONS_TEST_CONCAT_(collections_statusor_, __LINE__) = (expr);    \
  ASSERT_TRUE(COLLECTIONS_TEST_CONCAT_(collections_statusor_, __LINE__).ok()) \
      << COLLECTIONS_TEST_CONCAT_(collections_statusor_, __LINE__).status();  \
  lhs = std::move(COLLECTIONS_TEST_CONCAT_(collections_statusor_, __LINE__))  \
            .value()

#endif  // COLLECTIONS_TESTS_TESTING_STATUS_MATCHERS_H_
