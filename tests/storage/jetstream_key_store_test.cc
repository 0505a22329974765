// The cluster's key store (storage/jetstream_key_store.h; issue 28, point 3)
// on a real three-server NATS JetStream cluster, seen from two nodes (two
// connections): what one node stores the other reads; a key created
// concurrently is the same for both; an erasure on one is seen by the
// other (its cache dropped). And two personal-data vaults on it, one per
// node, with the shared master key: personal data sealed through node A
// reads the same on node B; destroying the debtor's key on A makes it read
// as erased on B, also after B restarts.
#include "storage/jetstream_key_store.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/security/personal_data.h"
#include "services/security/personal_data_vault.h"
#include "storage/rocksdb_key_store.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::NatsCluster;

TEST(BucketKeysTest, EscapingKeepsPrefixesAndRoundTrips) {
  for (const std::string& key :
       std::vector<std::string>{"k/d-1", "k/debtor with spaces", "d/a.b@c#=3D",
                                std::string("\0x", 2)}) {
    const std::string escaped = EscapeBucketKey(key);
    for (char c : escaped) {
      EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                  c == '_' || c == '/' || c == '=')
          << escaped;
    }
    EXPECT_EQ(UnescapeBucketKey(escaped), key);
    EXPECT_EQ(EscapeBucketKey(key.substr(0, 2)),
              escaped.substr(0, EscapeBucketKey(key.substr(0, 2)).size()));
  }
}

class JetStreamKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto cluster = NatsCluster::Start(dir_.Sub("nats"));
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    a_ = Node();
    b_ = Node();
    ASSERT_NE(a_.store, nullptr);
    ASSERT_NE(b_.store, nullptr);
  }

  struct Connected {
    std::unique_ptr<JetStreamLog> nats;
    std::unique_ptr<KeyStore> store;
  };

  Connected Node() {
    Connected node;
    JetStreamOptions options;
    options.servers = cluster_->Urls();
    auto nats = collections::testing::UntilClusterReady(
        [&] { return JetStreamLog::Connect(options); });
    EXPECT_TRUE(nats.ok()) << nats.status();
    if (!nats.ok()) return node;
    node.nats = *std::move(nats);
    auto store = collections::testing::UntilClusterReady([&] {
      return OpenJetStreamKeyStore(node.nats.get(), JetStreamKeyStoreOptions{});
    });
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) node.store = *std::move(store);
    return node;
  }

  // Waits (up to 10 s) until `store` has seen more than `before` erasures.
  static bool SeesErasure(const KeyStore& store, uint64_t before) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (store.erasures_seen() <= before) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

  collections::testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
  Connected a_, b_;
};

TEST_F(JetStreamKeyStoreTest, BothNodesSeeOneStore) {
  ASSERT_TRUE(a_.store->Put("g/d-1", "1").ok());
  auto read = b_.store->Get("g/d-1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->value_or(""), "1");

  // Created once: the second creator gets the first one's value.
  auto first = a_.store->PutIfAbsent("k/d 1", "key-from-a");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "key-from-a");
  auto second = b_.store->PutIfAbsent("k/d 1", "key-from-b");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, "key-from-a");

  auto scanned = b_.store->Scan("k/");
  ASSERT_TRUE(scanned.ok()) << scanned.status();
  ASSERT_EQ(scanned->size(), 1u);
  EXPECT_EQ((*scanned)[0].first, "k/d 1");

  // Erased on b: gone for a, and a has seen it.
  const uint64_t seen_by_a = a_.store->erasures_seen();
  ASSERT_TRUE(b_.store->Erase("k/d 1").ok());
  EXPECT_TRUE(SeesErasure(*a_.store, seen_by_a));
  read = a_.store->Get("k/d 1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
  // And made again afterwards, by either node.
  auto again = a_.store->PutIfAbsent("k/d 1", "second-key");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, "second-key");

  // A node's backup copies the entries into a RocksDB key store.
  ASSERT_TRUE(a_.store->Checkpoint(dir_.Sub("backup-keys")).ok());
  auto copy = OpenRocksDbKeyStore(dir_.Sub("backup-keys"));
  ASSERT_TRUE(copy.ok()) << copy.status();
  read = (*copy)->Get("k/d 1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->value_or(""), "second-key");
}

namespace v1 = ::collections::v1;

v1::Event Opened(const std::string& name) {
  v1::Event event;
  event.mutable_payload()->mutable_case_opened()->set_debtor_name(name);
  return event;
}

v1::Event Stored(v1::Event event) {
  event.set_stream_id("case-c-1");
  event.set_stream_version(1);
  return event;
}

TEST_F(JetStreamKeyStoreTest, PersonalDataAndItsErasureAreTheSameOnEveryNode) {
  const std::string master(32, 'm');
  security::PersonalDataVault vault_a(a_.store.get(), master);
  auto vault_b =
      std::make_unique<security::PersonalDataVault>(b_.store.get(), master);

  std::vector<v1::Event> events = {Opened("Jan Jansen")};
  ASSERT_TRUE(vault_a.Seal("d-1", "case-c-1", 1, events).ok());
  v1::Event on_b = Stored(events[0]);
  ASSERT_TRUE(vault_b->Reveal(on_b).ok());
  EXPECT_EQ(on_b.payload().case_opened().debtor_name(), "Jan Jansen");

  // Forgotten on a: erased on b, whose cache held the key.
  const uint64_t seen_by_b = b_.store->erasures_seen();
  auto destroyed = vault_a.Destroy("d-1");
  ASSERT_TRUE(destroyed.ok()) << destroyed.status();
  ASSERT_TRUE(SeesErasure(*b_.store, seen_by_b));
  on_b = Stored(events[0]);
  ASSERT_TRUE(vault_b->Reveal(on_b).ok());
  EXPECT_EQ(on_b.payload().case_opened().debtor_name(), security::kErased);

  // Node b restarts: still erased.
  vault_b.reset();
  b_ = Node();
  ASSERT_NE(b_.store, nullptr);
  security::PersonalDataVault restarted(b_.store.get(), master);
  on_b = Stored(events[0]);
  ASSERT_TRUE(restarted.Reveal(on_b).ok());
  EXPECT_EQ(on_b.payload().case_opened().debtor_name(), security::kErased);
  auto erased = restarted.WasErased("d-1");
  ASSERT_TRUE(erased.ok());
  EXPECT_TRUE(*erased);
}

}  // namespace
}  // namespace collections::storage
