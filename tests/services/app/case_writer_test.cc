// The one write path (services/app/case_writer.h) on a real RocksDB log:
// the envelope it puts on decided events, retries recognised by request id,
// the ABORTED policy (decided again on a fresh state unless the caller
// pinned a version, at most kMaxAttempts times), ordering per case, writes
// on several cases together, and the debtor's own stream.
//
// A case "moves" under a write the way it does in production: another
// writer appends to its stream between the writer's load and its append.
// The tests do that from inside the decision, which runs exactly there.
#include "services/app/case_writer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/domain/case_snapshot.h"
#include "storage/rocksdb_event_log.h"
#include "tests/testing/case_write_path.h"
#include "tests/testing/requests.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1767312000;  // 2026-01-02

class CaseWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = storage::OpenRocksDbEventLog({}, dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    path_ = std::make_unique<testing::CaseWritePath>(log_.get());
    actor_.set_id("anna");
    actor_.set_role("collector");
    for (const char* id : {"c-1", "c-2"}) {
      auto opened =
          path_->commands.Await(&CaseCommands::OpenCase,
                                testing::OpenBusinessCase(id, "d-1"), actor_);
      ASSERT_TRUE(opened.ok()) << opened.status();
    }
  }

  // A write of one PromiseMade on `case_id` under `request_id`, whose
  // decision calls `during` first (to move the case under it) and counts
  // its runs in `decisions`.
  CaseWrite PromiseWrite(const std::string& case_id,
                         const std::string& request_id,
                         std::function<void()> during = nullptr) {
    CaseWrite write;
    write.case_id = case_id;
    write.envelope.request_id = request_id;
    write.envelope.occurred_at = absl::FromUnixSeconds(kNow);
    write.envelope.actor = actor_;
    write.envelope.correlation_id = "corr-1";
    write.envelope.causation_id = "cause-1";
    write.decide =
        [this, request_id,
         during](const domain::CaseState& state) -> absl::StatusOr<Draft> {
      ++decisions_;
      seen_versions_.push_back(state.version);
      if (during) during();
      Draft draft;
      DraftEvent& event = draft.events.emplace_back();
      v1::PromiseMade* promise = event.payload.mutable_promise_made();
      promise->set_promise_id(request_id);
      promise->mutable_amount()->set_amount_minor(500);
      promise->mutable_amount()->set_currency("EUR");
      return draft;
    };
    return write;
  }

  // Another writer: one event appended to the case behind the writer's back.
  void AppendElsewhere(const std::string& case_id) {
    v1::Event event;
    event.set_event_id(absl::StrCat("elsewhere-", ++elsewhere_));
    event.set_type("HoldPlaced");
    event.mutable_payload()->mutable_hold_placed()->set_hold(
        v1::CASE_HOLD_LAWYER_REPRESENTED);
    event.mutable_payload()->mutable_hold_placed()->set_reason("letter");
    auto appended = log_->Append(domain::CaseStreamId(case_id),
                                 storage::ExpectedVersion::Any(), {event});
    ASSERT_TRUE(appended.ok()) << appended.status();
  }

  uint64_t VersionOf(const std::string& case_id) {
    auto head = log_->GetStreamHead(domain::CaseStreamId(case_id));
    return head.ok() && head->has_value() ? (*head)->version : 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<testing::CaseWritePath> path_;
  v1::Actor actor_;
  int decisions_ = 0;
  std::vector<uint64_t> seen_versions_;
  int elsewhere_ = 0;
};

TEST_F(CaseWriterTest, DecidedEventsGetTheRequestsEnvelope) {
  const uint64_t before = VersionOf("c-1");
  auto written = path_->writer.WriteAndWait(PromiseWrite("c-1", "req-1"));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->events, 1u);
  EXPECT_EQ(written->case_version, before + 1);
  EXPECT_FALSE(written->already_applied);

  auto events = log_->ReadStream(domain::CaseStreamId("c-1"), before + 1,
                                 storage::ReadDirection::kForward, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const v1::Event& event = events->front().event;
  EXPECT_EQ(event.event_id(), "req-1/0");
  EXPECT_EQ(event.type(), "PromiseMade");
  EXPECT_EQ(event.actor().id(), "anna");
  EXPECT_EQ(event.correlation_id(), "corr-1");
  EXPECT_EQ(event.causation_id(), "cause-1");
  EXPECT_EQ(event.occurred_at().seconds(), kNow);
  EXPECT_EQ(event.global_position(), written->last_position);
}

// Step 8: the writer hands the reader the case folded through what it
// appended, so the next command reads nothing back; that state must be the
// one a fresh fold of the log gives, also after another writer appended in
// between (the cache is then caught up from the log).
TEST_F(CaseWriterTest, TheStateItCachesIsTheFoldOfTheLog) {
  auto fresh_fold = [this](const std::string& case_id) {
    CaseReader fresh(log_.get());
    auto state = fresh.Load(case_id);
    EXPECT_TRUE(state.ok()) << state.status();
    return domain::ToSnapshot(*state);
  };
  auto cached_fold = [this](const std::string& case_id) {
    auto state = path_->reader.Load(case_id);
    EXPECT_TRUE(state.ok()) << state.status();
    return domain::ToSnapshot(*state);
  };
  using google::protobuf::util::MessageDifferencer;
  ASSERT_TRUE(path_->writer.WriteAndWait(PromiseWrite("c-1", "req-1")).ok());
  EXPECT_TRUE(
      MessageDifferencer::Equals(cached_fold("c-1"), fresh_fold("c-1")));
  auto state = path_->reader.Load("c-1");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->version, VersionOf("c-1"));
  EXPECT_EQ(state->last_position, log_->HeadPosition());
  AppendElsewhere("c-1");
  ASSERT_TRUE(path_->writer.WriteAndWait(PromiseWrite("c-1", "req-2")).ok());
  EXPECT_TRUE(
      MessageDifferencer::Equals(cached_fold("c-1"), fresh_fold("c-1")));
  // A case opened by the writer is cached as opened.
  auto opened = path_->commands.Await(
      &CaseCommands::OpenCase, testing::OpenBusinessCase("c-3", "d-3"), actor_);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(
      MessageDifferencer::Equals(cached_fold("c-3"), fresh_fold("c-3")));
}

TEST_F(CaseWriterTest, ARetriedRequestGetsTheFirstResultAndAppendsNothing) {
  auto first = path_->writer.WriteAndWait(PromiseWrite("c-1", "req-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t head = log_->HeadPosition();
  auto again = path_->writer.WriteAndWait(PromiseWrite("c-1", "req-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_applied);
  EXPECT_EQ(again->events, 0u);
  EXPECT_EQ(again->case_version, first->case_version);
  EXPECT_EQ(again->last_position, first->last_position);
  EXPECT_EQ(log_->HeadPosition(), head);
  EXPECT_EQ(decisions_, 1);  // the retry was never decided
}

TEST_F(CaseWriterTest, ARetryOfARefusedContactIsRefusedAgain) {
  // A lawyer represents the debtor: calls are refused, and the refusal is
  // recorded as evidence (ContactSuppressedByRule).
  AppendElsewhere("c-1");  // CASE_HOLD_LAWYER_REPRESENTED
  v1::LogCallsRequest calls = testing::NoAnswerCalls("c-1", "calls-1", 1);
  auto refused = path_->commands.Await(&CaseCommands::LogCalls, calls, actor_);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("LAWYER")));
  const uint64_t head = log_->HeadPosition();
  auto again = path_->commands.Await(&CaseCommands::LogCalls, calls, actor_);
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition,
                              HasSubstr("LAWYER")));
  EXPECT_EQ(log_->HeadPosition(), head);  // the evidence is recorded once
}

TEST_F(CaseWriterTest, ACaseThatMovesMidDecisionIsDecidedAgainOnItsFreshState) {
  const uint64_t before = VersionOf("c-1");
  bool moved = false;
  auto written = path_->writer.WriteAndWait(PromiseWrite("c-1", "req-1", [&] {
    if (moved) return;
    moved = true;
    AppendElsewhere("c-1");  // the first append will be ABORTED
  }));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(decisions_, 2);
  EXPECT_THAT(seen_versions_, ::testing::ElementsAre(before, before + 1));
  EXPECT_EQ(written->case_version, before + 2);
  EXPECT_EQ(VersionOf("c-1"), before + 2);
}

TEST_F(CaseWriterTest, APinnedVersionIsAnsweredAbortedNeverRetried) {
  const uint64_t before = VersionOf("c-1");
  CaseWrite write =
      PromiseWrite("c-1", "req-1", [&] { AppendElsewhere("c-1"); });
  write.expected_version = before;
  auto written = path_->writer.WriteAndWait(std::move(write));
  EXPECT_THAT(written, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(decisions_, 1);
  EXPECT_EQ(VersionOf("c-1"), before + 1);  // only the other writer's event
}

TEST_F(CaseWriterTest, AStalePinnedVersionIsAbortedBeforeDeciding) {
  const uint64_t before = VersionOf("c-1");
  CaseWrite write = PromiseWrite("c-1", "req-1");
  write.expected_version = before - 1;
  auto written = path_->writer.WriteAndWait(std::move(write));
  EXPECT_THAT(written,
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr(absl::StrCat("is at version ", before))));
  EXPECT_EQ(decisions_, 0);
}

TEST_F(CaseWriterTest, ACaseMovingOnEveryAttemptGivesUpAfterMaxAttempts) {
  const uint64_t before = VersionOf("c-1");
  auto written = path_->writer.WriteAndWait(
      PromiseWrite("c-1", "req-1", [&] { AppendElsewhere("c-1"); }));
  EXPECT_THAT(written, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(decisions_, CaseWriter::kMaxAttempts);
  EXPECT_EQ(VersionOf("c-1"), before + CaseWriter::kMaxAttempts);
}

TEST_F(CaseWriterTest,
       UnknownCasesAreNotFoundAndOpeningATakenOneAlreadyExists) {
  EXPECT_THAT(path_->writer.WriteAndWait(PromiseWrite("c-404", "req-1")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("c-404")));
  auto reopened = path_->commands.Await(
      &CaseCommands::OpenCase,
      [] {
        v1::OpenCaseRequest request = testing::OpenBusinessCase("c-1", "d-1");
        request.mutable_context()->set_request_id("open-again");
        return request;
      }(),
      actor_);
  EXPECT_THAT(reopened, StatusIs(absl::StatusCode::kAlreadyExists,
                                 HasSubstr("c-1 already exists")));
  EXPECT_EQ(decisions_, 0);
}

TEST_F(CaseWriterTest, AnEmptyDraftAppendsNothingAndAnswersTheCaseAsItIs) {
  const uint64_t head = log_->HeadPosition();
  CaseWrite write = PromiseWrite("c-1", "req-1");
  write.decide = [](const domain::CaseState&) -> absl::StatusOr<Draft> {
    return Draft{};
  };
  auto written = path_->writer.WriteAndWait(std::move(write));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->events, 0u);
  EXPECT_EQ(written->case_version, VersionOf("c-1"));
  EXPECT_EQ(log_->HeadPosition(), head);
}

TEST_F(CaseWriterTest, WritesOnOneCaseTakeTurnsSoNoneIsDecidedTwice) {
  constexpr int kWrites = 40;
  const uint64_t before = VersionOf("c-1");
  absl::Mutex mu;
  int answered = 0;
  int failed = 0;
  for (int i = 0; i < kWrites; ++i) {
    path_->writer.Write(PromiseWrite("c-1", absl::StrCat("req-", i)),
                        [&](absl::StatusOr<Written> written) {
                          absl::MutexLock lock(&mu);
                          ++answered;
                          if (!written.ok()) ++failed;
                        });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == kWrites; }, &answered));
  EXPECT_EQ(failed, 0);
  // One decision per write: the lanes kept them from racing for a version.
  EXPECT_EQ(decisions_, kWrites);
  EXPECT_EQ(VersionOf("c-1"), before + kWrites);
}

TEST_F(CaseWriterTest, WritesTogetherLandAllOrNone) {
  const uint64_t head = log_->HeadPosition();
  std::vector<CaseWrite> writes;
  writes.push_back(PromiseWrite("c-1", "file-1"));
  writes.push_back(PromiseWrite("c-2", "file-1"));
  writes[1].decide = [](const domain::CaseState&) -> absl::StatusOr<Draft> {
    return absl::FailedPreconditionError("RULE: line 2 refused");
  };
  EXPECT_THAT(path_->writer.WriteTogether(std::move(writes)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("line 2 refused")));
  EXPECT_EQ(log_->HeadPosition(), head);  // c-1's part was not written

  writes.clear();
  decisions_ = 0;
  writes.push_back(PromiseWrite("c-1", "file-2"));
  bool moved = false;
  writes.push_back(PromiseWrite("c-2", "file-2", [&] {
    if (moved) return;
    moved = true;
    AppendElsewhere("c-2");
  }));
  const uint64_t c2 = VersionOf("c-2");
  auto written = path_->writer.WriteTogether(std::move(writes));
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->size(), 2u);
  EXPECT_EQ((*written)[1].case_version, c2 + 2);  // decided again, then written
  EXPECT_EQ(decisions_, 4);  // both cases decided twice: one transaction

  // The same file again: every case recognised, nothing appended.
  const uint64_t after = log_->HeadPosition();
  writes.clear();
  writes.push_back(PromiseWrite("c-1", "file-2"));
  writes.push_back(PromiseWrite("c-2", "file-2"));
  auto again = path_->writer.WriteTogether(std::move(writes));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)[0].already_applied);
  EXPECT_TRUE((*again)[1].already_applied);
  EXPECT_EQ(log_->HeadPosition(), after);
}

TEST_F(CaseWriterTest, DebtorRecordsGoToTheDebtorsStreamOnce) {
  Envelope envelope;
  envelope.occurred_at = absl::FromUnixSeconds(kNow);
  envelope.actor = actor_;
  envelope.correlation_id = "forget-1";
  auto records = [] {
    std::vector<DraftEvent> events(1);
    events[0].payload.mutable_erasure_requested()->set_request_reference("r");
    events[0].event_id = "forget-r/requested";
    return events;
  };
  auto written = path_->writer.WriteToDebtor("d-1", envelope, records());
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->case_version, 1u);
  auto again = path_->writer.WriteToDebtor("d-1", envelope, records());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_applied);
  EXPECT_EQ(again->last_position, written->last_position);
  auto head = log_->GetStreamHead(domain::DebtorStreamId("d-1"));
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->version, 1u);
}

}  // namespace
}  // namespace collections::app
