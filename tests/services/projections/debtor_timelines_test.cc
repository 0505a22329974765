// The debtor timeline projection: business-time order across cases, paging,
// the as-of cut, and the pre-serialized bytes parsing as the real response.
#include "services/projections/debtor_timelines.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

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

std::vector<uint64_t> Positions(const DebtorTimelines::Page& page) {
  std::vector<uint64_t> positions;
  for (const auto& [key, entry] : page.entries)
    positions.push_back(key.position);
  return positions;
}

class DebtorTimelinesTest : public ::testing::Test {
 protected:
  DebtorTimelinesTest() {
    // Two cases of d1 and one of d2, applied in log order; business time
    // does not follow the log (day 5 is logged before day 3).
    timelines_.Apply(Opened("a", "d1", 1, 0));
    timelines_.Apply(Opened("b", "d1", 2, 1));
    timelines_.Apply(Opened("x", "d2", 3, 1));
    timelines_.Apply(Event("a", 4, 5));
    timelines_.Apply(Event("b", 5, 3));
    timelines_.Apply(Event("x", 6, 2));
    timelines_.Apply(Event("a", 7, 3));      // same day as position 5
    timelines_.Apply(Event("other", 8, 4));  // not a case stream it knows
  }
  DebtorTimelines timelines_;
};

TEST_F(DebtorTimelinesTest, OrdersByBusinessTimeThenPositionAcrossCases) {
  auto page = timelines_.Read("d1", std::nullopt, 100, 10);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(Positions(*page), (std::vector<uint64_t>{1, 2, 5, 7, 4}));
  EXPECT_FALSE(page->more);
  auto other = timelines_.Read("d2", std::nullopt, 100, 10);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(Positions(*other), (std::vector<uint64_t>{3, 6}));
}

TEST_F(DebtorTimelinesTest, PagesContinueAfterTheLastKeyWithoutGapsOrRepeats) {
  std::vector<uint64_t> seen;
  std::optional<TimelineKey> after;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = timelines_.Read("d1", after, 100, 2);
    ASSERT_TRUE(page.has_value());
    for (uint64_t p : Positions(*page)) seen.push_back(p);
    if (!page->more) break;
    after = page->entries.back().first;
  }
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 5, 7, 4}));
}

TEST_F(DebtorTimelinesTest, LeavesOutEventsAboveTheAsOfPosition) {
  auto page = timelines_.Read("d1", std::nullopt, 5, 10);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(Positions(*page), (std::vector<uint64_t>{1, 2, 5, 4}));
  // A full page with only later events left is the last page.
  auto first_four = timelines_.Read("d1", std::nullopt, 5, 4);
  EXPECT_FALSE(first_four->more);
  auto first_three = timelines_.Read("d1", std::nullopt, 5, 3);
  EXPECT_TRUE(first_three->more);
}

TEST_F(DebtorTimelinesTest, AnUnknownDebtorHasNoTimeline) {
  EXPECT_FALSE(timelines_.Read("nobody", std::nullopt, 100, 10).has_value());
}

TEST_F(DebtorTimelinesTest,
       EncodedEntriesParseAsTheResponseWithOrWithoutEvents) {
  auto page = timelines_.Read("d1", std::nullopt, 100, 10);
  ASSERT_TRUE(page.has_value());
  for (bool with_event : {false, true}) {
    std::string bytes;
    for (const auto& [key, entry] : page->entries) {
      AppendEncodedEntry(*entry, with_event,
                         v1::GetDebtorTimelineResponse::kEntriesFieldNumber,
                         &bytes);
    }
    v1::GetDebtorTimelineResponse tail;
    tail.set_as_of_position(100);
    tail.set_next_page_token("t1.2");
    tail.AppendToString(&bytes);

    v1::GetDebtorTimelineResponse response;
    ASSERT_TRUE(response.ParseFromString(bytes));
    EXPECT_EQ(response.as_of_position(), 100u);
    EXPECT_EQ(response.next_page_token(), "t1.2");
    ASSERT_EQ(response.entries_size(), 5);
    const v1::TimelineEntry& third = response.entries(2);
    EXPECT_EQ(third.case_id(), "b");
    EXPECT_EQ(third.global_position(), 5u);
    EXPECT_EQ(third.type(), "CallLogged");
    EXPECT_EQ(third.actor().id(), "agent-7");
    EXPECT_EQ(third.summary(), "Outbound call: UNSPECIFIED");
    EXPECT_EQ(third.has_event(), with_event);
    if (with_event) {
      EXPECT_EQ(third.event().stream_id(), "case-b");
      EXPECT_EQ(third.event().global_position(), 5u);
    }
    EXPECT_EQ(response.entries(0).case_id(), "a");
    EXPECT_EQ(response.entries(0).type(), "CaseOpened");
  }
}

}  // namespace
}  // namespace collections::projections
