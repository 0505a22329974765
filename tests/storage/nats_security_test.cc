// The NATS connection of cluster mode, secured (issue 28, point 1): a real
// three-server cluster that speaks TLS only and admits only its account's
// nkey users (tests/testing/nats_cluster.h, Security). The log works for a
// node with the CA and its user seed (the key store's bucket too); a client
// without credentials, with
// an nkey the servers do not know, or without TLS is refused; and even a
// valid user cannot make another stream or delete the log's.
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nats/nats.h"
#include "storage/jetstream_key_store.h"
#include "storage/jetstream_log.h"
#include "storage/nats_nkeys.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/tls_files.h"

namespace collections::storage {
namespace {

using ::collections::testing::NatsCluster;

class NatsSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::Status available = NatsCluster::Available();
    if (!available.ok()) GTEST_SKIP() << available.message();
    auto tls = collections::testing::MakeTlsFiles(dir_.Sub("tls"), {});
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *tls;
    auto user = NewNatsUserNKey();
    ASSERT_TRUE(user.ok());
    seed_file_ = WriteSeed("node", user->seed);
    NatsCluster::Security security;
    security.cert_file = tls_.server_cert;
    security.key_file = tls_.server_key;
    security.users = {user->public_key};
    auto cluster = NatsCluster::Start(dir_.Sub("nats"), 3, &security);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  std::string WriteSeed(const std::string& name, const std::string& seed) {
    const std::string path = dir_.Sub(name + ".nk");
    std::ofstream(path) << seed << "\n";
    return path;
  }

  JetStreamOptions Secured() const {
    JetStreamOptions options;
    options.servers = cluster_->Urls();
    options.tls_ca_file = tls_.ca_cert;
    options.nkey_seed_file = seed_file_;
    return options;
  }

  collections::testing::TempDir dir_;
  collections::testing::TlsFiles tls_;
  std::string seed_file_;
  std::unique_ptr<NatsCluster> cluster_;
};

TEST_F(NatsSecurityTest, ANodeWithTheCaAndItsSeedUsesTheLog) {
  auto log = collections::testing::UntilClusterReady(
      [&] { return JetStreamLog::Connect(Secured()); });
  ASSERT_TRUE(log.ok()) << log.status();
  auto ack =
      (*log)->Publish("case-1", "payload", "m-1", SubjectExpectation::None());
  ASSERT_TRUE(ack.ok()) << ack.status();
  auto message = (*log)->Read(ack->sequence);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->payload, "payload");
  auto tail = (*log)->Tail(1);
  auto tailed = tail->Next(10, 1 << 20, absl::Seconds(5));
  ASSERT_TRUE(tailed.ok()) << tailed.status();
  ASSERT_EQ(tailed->size(), 1u);

  // And the cluster's key store, on the same connection.
  auto keys = OpenJetStreamKeyStore(log->get(), JetStreamKeyStoreOptions{});
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_TRUE((*keys)->Put("k/d-1", "wrapped").ok());
  auto read = (*keys)->Get("k/d-1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->value_or(""), "wrapped");
  ASSERT_TRUE((*keys)->Erase("k/d-1").ok());
  read = (*keys)->Get("k/d-1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST_F(NatsSecurityTest, ClientsWithoutTheRightCredentialsOrTlsAreRefused) {
  // Ready first, so a refusal below is the servers' word, not an election.
  ASSERT_TRUE(collections::testing::UntilClusterReady([&] {
                return JetStreamLog::Connect(Secured());
              }).ok());
  JetStreamOptions no_credentials = Secured();
  no_credentials.nkey_seed_file.clear();
  auto refused = JetStreamLog::Connect(no_credentials);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("uthorization"),
            absl::string_view::npos)
      << refused.status();

  auto stranger = NewNatsUserNKey();
  ASSERT_TRUE(stranger.ok());
  JetStreamOptions unknown = Secured();
  unknown.nkey_seed_file = WriteSeed("stranger", stranger->seed);
  EXPECT_FALSE(JetStreamLog::Connect(unknown).ok());

  JetStreamOptions plaintext = Secured();
  plaintext.tls_ca_file.clear();
  for (std::string& url : plaintext.servers)
    url = "nats" + url.substr(url.find("://"));
  EXPECT_FALSE(JetStreamLog::Connect(plaintext).ok());

  // The right user, but another stream (another subject space): refused.
  JetStreamOptions elsewhere = Secured();
  elsewhere.stream = "ELSEWHERE";
  elsewhere.subject_prefix = "elsewhere.";
  EXPECT_FALSE(JetStreamLog::Connect(elsewhere).ok());
}

TEST_F(NatsSecurityTest, EvenAValidUserCannotDeleteOrPurgeTheLog) {
  auto log = collections::testing::UntilClusterReady(
      [&] { return JetStreamLog::Connect(Secured()); });
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(
      (*log)->Publish("case-1", "x", "m-1", SubjectExpectation::Any()).ok());

  // The same credentials through libnats directly, as a thief would.
  natsOptions* options = nullptr;
  ASSERT_EQ(natsOptions_Create(&options), NATS_OK);
  const std::string url = cluster_->Urls().front();
  ASSERT_EQ(natsOptions_SetURL(options, url.c_str()), NATS_OK);
  ASSERT_EQ(natsOptions_SetSecure(options, true), NATS_OK);
  ASSERT_EQ(
      natsOptions_LoadCATrustedCertificates(options, tls_.ca_cert.c_str()),
      NATS_OK);
  auto user = NatsUserPublicKeyOfSeed([&] {
    std::ifstream in(seed_file_);
    std::string seed;
    in >> seed;
    return seed;
  }());
  ASSERT_TRUE(user.ok());
  ASSERT_EQ(
      natsOptions_SetNKeyFromSeed(options, user->c_str(), seed_file_.c_str()),
      NATS_OK);
  natsConnection* connection = nullptr;
  ASSERT_EQ(natsConnection_Connect(&connection, options), NATS_OK);
  jsCtx* js = nullptr;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = 1000;  // a denied request gets no answer: a timeout
  ASSERT_EQ(natsConnection_JetStream(&js, connection, &js_options), NATS_OK);
  jsErrCode error = static_cast<jsErrCode>(0);
  EXPECT_NE(js_DeleteStream(js, "COLLECTIONS", nullptr, &error), NATS_OK);
  EXPECT_NE(js_PurgeStream(js, "COLLECTIONS", nullptr, &error), NATS_OK);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  natsOptions_Destroy(options);

  // The log is whole.
  auto last = (*log)->LastSequence();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 1u);
}

}  // namespace
}  // namespace collections::storage
