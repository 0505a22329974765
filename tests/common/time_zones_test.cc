// Caller-given zone names reach the zone loader only when the tz database
// lists them (issue 25: no paths, no unbounded cache).
#include "common/time_zones.h"

#include "gtest/gtest.h"

namespace collections {
namespace {

TEST(TimeZonesTest, OnlyTheDatabasesNamesLoad) {
  struct Case {
    const char* name;
    bool known;
  };
  const Case cases[] = {
      {"Europe/Amsterdam", true},
      {"America/New_York", true},
      {"UTC", true},
      {"US/Eastern", true},  // a link of the database
      {"Etc/GMT+5", true},
      {"../../etc/passwd", false},
      {"/etc/localtime", false},
      {"Europe/../Europe/Amsterdam", false},
      {"Europe/Atlantis", false},
      {"Mars/Olympus", false},
      {"", false},
      {"Europe/Amsterdam\n", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsKnownTimeZoneName(c.name), c.known) << c.name;
    absl::TimeZone zone;
    EXPECT_EQ(LoadKnownTimeZone(c.name, &zone), c.known) << c.name;
  }
}

}  // namespace
}  // namespace collections
