// The pure decisions of an append: expectation checks, the meaning of
// previously stored event ids and the checks of a transaction, table-driven.
#include "storage/append_checks.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/events.h"
#include "tests/testing/status_matchers.h"

namespace collections::storage {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(CheckExpectationTest, AbortedNamesWhatWasExpectedAndTheActualVersion) {
  EXPECT_OK(CheckExpectation("case-1", ExpectedVersion::Any(), 9));
  EXPECT_OK(CheckExpectation("case-1", ExpectedVersion::Exact(9), 9));
  EXPECT_THAT(
      CheckExpectation("case-1", ExpectedVersion::Exact(8), 9),
      StatusIs(absl::StatusCode::kAborted,
               HasSubstr("expected version 8 but the actual version is 9")));
  EXPECT_THAT(
      CheckExpectation("case-1", ExpectedVersion::NoStream(), 1),
      StatusIs(absl::StatusCode::kAborted, HasSubstr("expected no stream")));
  EXPECT_THAT(
      CheckExpectation("case-1", ExpectedVersion::StreamExists(), 0),
      StatusIs(absl::StatusCode::kAborted, HasSubstr("an existing stream")));
}

struct RetryCase {
  std::string name;
  std::vector<std::optional<EventIdEntry>> found;
  absl::StatusCode code;
  bool is_retry;
  uint64_t first = 0, last = 0, version = 0;
};

TEST(ClassifyRetryTest, EveryShapeOfStoredIds) {
  const std::vector<std::string> ids = {"e0", "e1", "e2"};
  auto id = [&](size_t i) -> absl::string_view { return ids[i]; };
  const std::vector<RetryCase> cases = {
      {"none stored: a new append",
       {std::nullopt, std::nullopt, std::nullopt},
       absl::StatusCode::kOk,
       false},
      {"all stored in order: the original",
       {EventIdEntry{10, 4}, EventIdEntry{11, 5}, EventIdEntry{12, 6}},
       absl::StatusCode::kOk,
       true,
       10,
       12,
       6},
      {"some stored",
       {EventIdEntry{10, 4}, std::nullopt, std::nullopt},
       absl::StatusCode::kFailedPrecondition,
       false},
      {"stored, but not consecutive",
       {EventIdEntry{10, 4}, EventIdEntry{14, 5}, EventIdEntry{15, 6}},
       absl::StatusCode::kFailedPrecondition,
       false},
      {"stored, but reordered",
       {EventIdEntry{11, 5}, EventIdEntry{10, 4}, EventIdEntry{12, 6}},
       absl::StatusCode::kFailedPrecondition,
       false},
  };
  for (const RetryCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::optional<AppendResult>> result =
        ClassifyRetry("case-1", c.found, id);
    ASSERT_EQ(result.status().code(), c.code) << result.status();
    if (!result.ok()) continue;
    ASSERT_EQ(result->has_value(), c.is_retry);
    if (!c.is_retry) continue;
    EXPECT_TRUE((*result)->already_appended);
    EXPECT_EQ((*result)->first_position, c.first);
    EXPECT_EQ((*result)->last_position, c.last);
    EXPECT_EQ((*result)->stream_version, c.version);
  }
}

TEST(ClassifyRetryTest, APartialRetryNamesTheIdsAlreadyStored) {
  const std::vector<std::string> ids = {"e0", "e1", "e2"};
  std::vector<std::optional<EventIdEntry>> found = {
      std::nullopt, EventIdEntry{7, 1}, EventIdEntry{8, 2}};
  EXPECT_THAT(
      ClassifyRetry("case-1", found,
                    [&](size_t i) -> absl::string_view { return ids[i]; }),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("event ids e1, e2")));
}

TEST(ValidateAppendTest, AWellFormedRequestPassesAndLeavesSizesCached) {
  std::vector<collections::v1::Event> events =
      collections::testing::MakeCalls("a", 2, 300);
  EXPECT_OK(
      ValidateAppend(AppendLimits{}, "case-1", ExpectedVersion::Any(), events));
  EXPECT_EQ(static_cast<size_t>(events[0].GetCachedSize()),
            events[0].ByteSizeLong());
}

struct TransactionCase {
  std::string name;
  std::vector<StreamAppend> parts;
  std::string message;  // empty: valid
};

TEST(ValidateTransactionTest, ABadTransactionIsRefusedNamingThePart) {
  using ::collections::testing::MakeCalls;
  const std::vector<TransactionCase> cases = {
      {"one part", {{"a", ExpectedVersion::Any(), MakeCalls("a", 1)}}, ""},
      {"two streams",
       {{"a", ExpectedVersion::Any(), MakeCalls("a", 1)},
        {"b", ExpectedVersion::NoStream(), MakeCalls("b", 2)}},
       ""},
      {"no parts", {}, "at least one part"},
      {"a stream named twice",
       {{"a", ExpectedVersion::Any(), MakeCalls("a", 1)},
        {"a", ExpectedVersion::Any(), MakeCalls("b", 1)}},
       "transaction part 1 (stream a): the stream is named by an earlier "
       "part too"},
      {"a bad part",
       {{"a", ExpectedVersion::Any(), MakeCalls("a", 1)},
        {"b", ExpectedVersion::Any(), {}}},
       "transaction part 1 (stream b): append of an empty batch"},
      {"a part over the limits",
       {{"a", ExpectedVersion::Any(), MakeCalls("a", 1001, 20)}},
       "transaction part 0 (stream a): append of 1001 events"},
  };
  for (const TransactionCase& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = ValidateTransaction(AppendLimits{}, c.parts);
    if (c.message.empty()) {
      EXPECT_OK(status);
    } else {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr(c.message)));
    }
  }
}

TEST(TransactionPartErrorTest, KeepsTheCodeAndNamesThePart) {
  EXPECT_THAT(
      TransactionPartError(2, "case-7", absl::AbortedError("stale")),
      StatusIs(absl::StatusCode::kAborted,
               ::testing::StrEq("transaction part 2 (stream case-7): stale")));
  EXPECT_THAT(PartialTransactionRetryError(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a retry")));
}

}  // namespace
}  // namespace collections::storage
