// The stored debtor timeline: business-time order across cases (late events
// in their place), paging by token, filters by case, type and period, the
// as-of cut, and stored bytes that parse as the real response.
#include "services/projections/timeline_projection.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/services/projections/failing_at.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace collections::projections {
namespace {

namespace v1 = ::collections::v1;

// An event of case `case_id` at log position `position`, `day` days into
// business time.
v1::Event Event(const std::string& case_id, uint64_t position, int day) {
  v1::Event event;
  event.set_stream_id("case-" + case_id);
  event.set_global_position(position);
  event.set_type("CallLogged");
  event.mutable_occurred_at()->set_seconds(1795000000 + day * 86400);
  event.mutable_actor()->set_id("agent-7");
  event.mutable_payload()->mutable_call_logged()->set_direction(
      v1::CALL_DIRECTION_OUTBOUND);
  return event;
}

v1::Event Opened(const std::string& case_id, const std::string& debtor,
                 uint64_t position, int day) {
  v1::Event event = Event(case_id, position, day);
  event.set_type("CaseOpened");
  v1::CaseOpened* opened = event.mutable_payload()->mutable_case_opened();
  opened->set_case_id(case_id);
  opened->set_debtor_id(debtor);
  return event;
}

// An event as the runner hands it over: decoded, and its stored encoding.
storage::RecordedEvent Recorded(const v1::Event& event) {
  storage::RecordedEvent recorded;
  recorded.event = event;
  recorded.record = event.SerializeAsString();
  return recorded;
}

class TimelineProjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *storage::OpenRocksDbProjectionStore({}, dir_.Sub("store"));
    log_ = *storage::OpenRocksDbEventLog({}, dir_.Sub("log"));
    // Two cases of d1 and one of d2, logged at positions 1..7; business
    // time does not follow the log (day 5 is logged before day 3).
    int id = 0;
    for (v1::Event event :
         {Opened("a", "d1", 1, 0), Opened("b", "d1", 2, 1),
          Opened("x", "d2", 3, 1), Event("a", 4, 5), Event("b", 5, 3),
          Event("x", 6, 2), Event("a", 7, 3)}) {
      const std::string stream = event.stream_id();
      event.clear_stream_id();
      event.clear_global_position();
      event.set_event_id(absl::StrCat("e", ++id));
      ASSERT_TRUE(
          log_->Append(stream, storage::ExpectedVersion::Any(), {event}).ok());
    }
    storage::LogRead read;
    auto logged = log_->ReadAll(read);
    ASSERT_TRUE(logged.ok());
    ASSERT_EQ(logged->events.size(), 7u);
    auto write = *store_->BeginWrite("tl");
    for (const storage::RecordedEvent& recorded : logged->events) {
      ASSERT_TRUE(projection_.Apply(recorded, *write).ok());
    }
    ASSERT_TRUE(projection_.Flush(*write).ok());
    ASSERT_TRUE(store_->Commit(*write, 7).ok());
  }
  std::vector<uint64_t> Positions(const TimelineQuery& query,
                                  std::optional<TimelineKey>* next = nullptr) {
    auto page = ReadTimeline(*store_, "tl", query);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<uint64_t> positions;
    for (const TimelineItem& item : page->items) {
      v1::TimelineEntry entry;
      EXPECT_TRUE(entry.ParseFromString(item.entry_bytes));
      positions.push_back(entry.global_position());
    }
    if (next != nullptr) *next = page->next;
    return positions;
  }
  TimelineQuery Query(const std::string& debtor) {
    TimelineQuery query;
    query.debtor_id = debtor;
    return query;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::ProjectionStore> store_;
  std::unique_ptr<storage::EventLog> log_;
  TimelineProjection projection_;
};

TEST_F(TimelineProjectionTest, OrdersByBusinessTimeThenPositionAcrossCases) {
  EXPECT_EQ(Positions(Query("d1")), (std::vector<uint64_t>{1, 2, 5, 7, 4}));
  EXPECT_EQ(Positions(Query("d2")), (std::vector<uint64_t>{3, 6}));
  auto unknown = ReadTimeline(*store_, "tl", Query("nobody"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->debtor_known);
}

TEST_F(TimelineProjectionTest, PagesContinueAfterTheTokenWithoutGapsOrRepeats) {
  TimelineQuery query = Query("d1");
  query.limit = 2;
  std::vector<uint64_t> all;
  std::optional<TimelineKey> next;
  do {
    for (uint64_t p : Positions(query, &next)) all.push_back(p);
    query.after = next;
  } while (next.has_value());
  EXPECT_EQ(all, (std::vector<uint64_t>{1, 2, 5, 7, 4}));
}

TEST_F(TimelineProjectionTest, FiltersByCaseTypeAndPeriodAndCutsAtAsOf) {
  TimelineQuery by_case = Query("d1");
  by_case.case_id = "a";
  EXPECT_EQ(Positions(by_case), (std::vector<uint64_t>{1, 7, 4}));
  TimelineQuery by_type = Query("d1");
  by_type.event_types = {"CaseOpened"};
  EXPECT_EQ(Positions(by_type), (std::vector<uint64_t>{1, 2}));
  TimelineQuery by_period = Query("d1");
  by_period.from = absl::FromUnixSeconds(1795000000 + 3 * 86400);
  by_period.to = absl::FromUnixSeconds(1795000000 + 5 * 86400);
  EXPECT_EQ(Positions(by_period), (std::vector<uint64_t>{5, 7}));
  TimelineQuery as_of = Query("d1");
  as_of.as_of = 5;
  EXPECT_EQ(Positions(as_of), (std::vector<uint64_t>{1, 2, 5, 4}));
  // A scan bound stops early with a token; continuing finds the rest.
  TimelineQuery bounded = Query("d1");
  bounded.case_id = "a";
  bounded.max_scanned = 2;
  std::optional<TimelineKey> next;
  EXPECT_EQ(Positions(bounded, &next), (std::vector<uint64_t>{1}));
  ASSERT_TRUE(next.has_value());
  bounded.after = next;
  EXPECT_EQ(Positions(bounded, &next), (std::vector<uint64_t>{7}));
}

TEST_F(TimelineProjectionTest, ALateEventLandsInItsPlace) {
  auto write = *store_->BeginWrite("tl");
  ASSERT_TRUE(
      projection_.Apply(Recorded(Event("b", 8, 0)), *write).ok());  // day 0
  ASSERT_TRUE(projection_.Flush(*write).ok());
  ASSERT_TRUE(store_->Commit(*write, 8).ok());
  EXPECT_EQ(Positions(Query("d1")), (std::vector<uint64_t>{1, 8, 2, 5, 7, 4}));
}

// Hundreds of events of one debtor in shuffled business time, applied over
// several commits: the chunks split, late events land in earlier chunks,
// and pages of any size read the exact timeline order without gaps.
TEST_F(TimelineProjectionTest, ManyEventsSplitIntoChunksAndPageInOrder) {
  std::vector<int> days(400);
  for (int i = 0; i < 400; ++i) days[i] = (i * 7919) % 400;  // a permutation
  uint64_t position = 8;
  // d1's entries so far (days 0 to 5), then the new ones (days 10 on).
  std::vector<uint64_t> want = Positions(Query("d1"));
  size_t applied = 0;
  while (applied < days.size()) {
    auto write = *store_->BeginWrite("tl");
    for (int n = 0; n < 37 && applied < days.size(); ++n, ++applied) {
      ASSERT_TRUE(
          projection_
              .Apply(Recorded(Event("b", position++, 10 + days[applied])),
                     *write)
              .ok());
    }
    ASSERT_TRUE(projection_.Flush(*write).ok());
    ASSERT_TRUE(store_->Commit(*write, position - 1).ok());
  }
  std::vector<std::pair<int, uint64_t>> added;
  for (size_t i = 0; i < days.size(); ++i) added.push_back({days[i], 8 + i});
  std::sort(added.begin(), added.end());
  for (const auto& [unused, p] : added) want.push_back(p);

  for (size_t limit : {1, 7, 64, 100, 1000}) {
    TimelineQuery query = Query("d1");
    query.limit = limit;
    std::vector<uint64_t> got;
    for (int page = 0; page < 1000; ++page) {
      std::optional<TimelineKey> next;
      for (uint64_t p : Positions(query, &next)) got.push_back(p);
      if (!next.has_value()) break;
      query.after = next;
    }
    EXPECT_EQ(got, want) << "pages of " << limit;
  }
  // A period in the middle starts in the right chunk.
  TimelineQuery period = Query("d1");
  period.from = absl::FromUnixSeconds(1795000000 + (10 + 200) * 86400);
  period.to = absl::FromUnixSeconds(1795000000 + (10 + 203) * 86400);
  EXPECT_EQ(Positions(period).size(), 3u);
}

// Stopped at any event (commits of 7 events, chunks splitting, late events
// going into earlier chunks), the timeline resumes to exactly the state of
// a fresh build: what Apply kept in memory is either committed whole with
// its checkpoint or applied again.
TEST_F(TimelineProjectionTest, StoppedAtAnyEventItResumesToAFreshBuild) {
  int id = 100;
  for (int i = 0; i < 150; ++i) {
    v1::Event event = Event(i % 3 == 0 ? "a" : "b", 0, (i * 37) % 150);
    event.clear_stream_id();
    event.clear_global_position();
    event.set_event_id(absl::StrCat("e", ++id));
    ASSERT_TRUE(log_->Append(i % 3 == 0 ? "case-a" : "case-b",
                             storage::ExpectedVersion::Any(), {event})
                    .ok());
  }
  FakeClock clock(absl::FromUnixSeconds(1795000000));
  ExpectResumesToAFreshBuildFromAnyEvent<TimelineProjection>(
      *log_, *store_, clock, /*events_per_commit=*/7);
  // And the fresh build holds all of d1: its 5 first entries and the 150.
  TimelineQuery all = Query("d1");
  all.limit = 1000;
  auto page = ReadTimeline(*store_, "fresh", all);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 5u + 150u);
}

TEST_F(TimelineProjectionTest, AnEventBeforeItsCaseOpenedIsDataLoss) {
  auto write = *store_->BeginWrite("tl");
  TimelineProjection fresh;  // nothing cached
  EXPECT_EQ(fresh.Apply(Recorded(Event("ghost", 9, 1)), *write).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      fresh.Apply(Recorded(Event("b", 9, 1)), *write).ok());  // from "cd/b"
}

TEST_F(TimelineProjectionTest,
       StoredBytesParseAsTheResponseWithOrWithoutEvents) {
  for (bool with_event : {false, true}) {
    TimelineQuery query = Query("d1");
    query.include_events = with_event;
    auto page = ReadTimeline(*store_, "tl", query, log_.get());
    ASSERT_TRUE(page.ok()) << page.status();
    std::string bytes;
    for (const TimelineItem& item : page->items) {
      AppendEncodedEntry(item, with_event,
                         v1::GetDebtorTimelineResponse::kEntriesFieldNumber,
                         &bytes);
    }
    v1::GetDebtorTimelineResponse tail;
    tail.set_as_of_position(7);
    tail.AppendToString(&bytes);
    v1::GetDebtorTimelineResponse response;
    ASSERT_TRUE(response.ParseFromString(bytes));
    ASSERT_EQ(response.entries_size(), 5);
    const v1::TimelineEntry& third = response.entries(2);
    EXPECT_EQ(third.case_id(), "b");
    EXPECT_EQ(third.global_position(), 5u);
    EXPECT_EQ(third.actor().id(), "agent-7");
    EXPECT_EQ(third.summary(), "Outbound call: UNSPECIFIED");
    EXPECT_EQ(third.has_event(), with_event);
    if (with_event) {
      EXPECT_EQ(third.event().stream_id(), "case-b");
    }
  }
}

TEST(TimelineKeyTest, EncodingSortsLikeTheKeysAndRoundTrips) {
  const TimelineKey keys[] = {{-5, 9}, {-5, 10}, {0, 1}, {7, 0}, {7, 3}};
  for (size_t i = 0; i + 1 < std::size(keys); ++i) {
    EXPECT_LT(keys[i].Encode(), keys[i + 1].Encode());
    auto decoded = TimelineKey::Decode(keys[i].Encode());
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->occurred_nanos, keys[i].occurred_nanos);
    EXPECT_EQ(decoded->position, keys[i].position);
  }
  EXPECT_FALSE(TimelineKey::Decode("t1.2").has_value());
  // The stored form, byte for byte (timeline chunks on disk hold it):
  // "%016llx.%016llx" of the time with its sign bit flipped and the
  // position.
  EXPECT_EQ((TimelineKey{-5, 9}.Encode()), "7ffffffffffffffb.0000000000000009");
  EXPECT_EQ((TimelineKey{7, 0xdeadbeef12}.Encode()),
            "8000000000000007.000000deadbeef12");
  EXPECT_EQ((TimelineKey{INT64_MIN, UINT64_MAX}.Encode()),
            "0000000000000000.ffffffffffffffff");
}

}  // namespace
}  // namespace collections::projections
