// The actor index: each actor's positions in log order, paged, and actors
// whose ids are prefixes of each other (or hold '/') kept apart.
#include "services/projections/actor_index_projection.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/temp_dir.h"

namespace collections::projections {
namespace {

using ::testing::ElementsAre;

storage::RecordedEvent By(const std::string& actor, uint64_t position) {
  storage::RecordedEvent recorded;
  recorded.event.mutable_actor()->set_id(actor);
  recorded.event.set_global_position(position);
  return recorded;
}

TEST(ActorIndexProjectionTest, EachActorsPositionsInOrderAndPaged) {
  testing::TempDir dir;
  auto store = *storage::OpenRocksDbProjectionStore({}, dir.Sub("store"));
  ActorIndexProjection projection;
  auto write = *store->BeginWrite("actors");
  uint64_t position = 0;
  for (const std::string actor :
       {"agent", "agent/2", "agent", "agent2", "agent", "", "agent/2"}) {
    ASSERT_TRUE(projection.Apply(By(actor, ++position), *write).ok());
  }
  ASSERT_TRUE(store->Commit(*write, position).ok());

  bool more = false;
  auto read = [&](const std::string& actor, uint64_t after, size_t limit) {
    auto positions =
        ReadActorPositions(*store, "actors", actor, after, limit, &more);
    EXPECT_TRUE(positions.ok()) << positions.status();
    return *positions;
  };
  EXPECT_THAT(read("agent", 0, 10), ElementsAre(1, 3, 5));
  EXPECT_FALSE(more);
  EXPECT_THAT(read("agent/2", 0, 10), ElementsAre(2, 7));
  EXPECT_THAT(read("agent2", 0, 10), ElementsAre(4));
  EXPECT_THAT(read("", 0, 10), ElementsAre(6));
  EXPECT_THAT(read("nobody", 0, 10), ElementsAre());
  // Paged: two, then the rest after the last.
  EXPECT_THAT(read("agent", 0, 2), ElementsAre(1, 3));
  EXPECT_TRUE(more);
  EXPECT_THAT(read("agent", 3, 2), ElementsAre(5));
  EXPECT_FALSE(more);
}

// The stored form, byte for byte (stores on disk hold it): "a/", the id's
// length in four hex digits, the id, "/", the position in sixteen.
TEST(ActorIndexProjectionTest, KeysKeepTheirStoredForm) {
  testing::TempDir dir;
  auto store = *storage::OpenRocksDbProjectionStore({}, dir.Sub("store"));
  ActorIndexProjection projection;
  auto write = *store->BeginWrite("actors");
  ASSERT_TRUE(projection.Apply(By("agent-7", 0x1a2b3c), *write).ok());
  ASSERT_TRUE(projection.Apply(By("", 18446744073709551615u), *write).ok());
  ASSERT_TRUE(store->Commit(*write, 2).ok());
  auto entries = store->Scan("actors", "a/", "", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> keys;
  for (const auto& [key, value] : *entries) {
    keys.push_back(key);
    EXPECT_EQ(value, "");
  }
  EXPECT_THAT(keys, ElementsAre("a/0000/ffffffffffffffff",
                                "a/0007agent-7/00000000001a2b3c"));
  EXPECT_EQ(ActorIndexProjection::ActorPrefix(std::string(70000, 'x')),
            "a/1170" + std::string(70000, 'x') + "/");  // 70000 & 0xffff
}

}  // namespace
}  // namespace collections::projections
