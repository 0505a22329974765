// AuditQueries on a real log and projection store: heads, proofs and
// bundles answer what callers can act on, and the audit trail finds an
// actor's acts through the actor index.
#include "services/app/audit_queries.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/app/case_commands.h"
#include "services/projections/actor_index_projection.h"
#include "services/projections/case_standing_projection.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_projection_store.h"
#include "tests/testing/case_write_path.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

class AuditQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = storage::OpenRocksDbEventLog({}, dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto store = storage::OpenRocksDbProjectionStore({}, dir_.Sub("proj"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    {
      testing::CaseWritePath path(log_.get());
      CaseCommands& commands = path.commands;
      for (const char* actor_id : {"anna", "bob"}) {
        v1::Actor actor;
        actor.set_id(actor_id);
        actor.set_role("collector");
        auto opened = commands.Await(
            &CaseCommands::OpenCase,
            testing::OpenBusinessCase(std::string("c-") + actor_id,
                                      std::string("d-") + actor_id),
            actor);
        ASSERT_TRUE(opened.ok()) << opened.status();
      }
    }
    standing_ = std::make_unique<projections::ManagedProjection>(
        log_.get(), store_.get(),
        [] { return std::make_unique<projections::CaseStandingProjection>(); },
        Clock::Real());
    actors_ = std::make_unique<projections::ManagedProjection>(
        log_.get(), store_.get(),
        [] { return std::make_unique<projections::ActorIndexProjection>(); },
        Clock::Real());
    ASSERT_TRUE(standing_->Start().ok());
    ASSERT_TRUE(actors_->Start().ok());
    signer_ = std::make_unique<audit::TreeHeadSigner>(
        log_.get(), log_.get(), *audit::SigningKey::Generate(), Clock::Real());
    queries_ = std::make_unique<AuditQueries>(
        log_.get(), log_.get(), signer_.get(), store_.get(), standing_.get(),
        actors_.get(), Clock::Real());
  }

  void TearDown() override {
    queries_.reset();
    actors_.reset();
    standing_.reset();
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::DurableEventLog> log_;
  std::unique_ptr<storage::ProjectionStore> store_;
  std::unique_ptr<projections::ManagedProjection> standing_;
  std::unique_ptr<projections::ManagedProjection> actors_;
  std::unique_ptr<audit::TreeHeadSigner> signer_;
  std::unique_ptr<AuditQueries> queries_;
};

TEST_F(AuditQueriesTest, HeadsProofsAndBundlesAnswerWhatCallersCanActOn) {
  auto head = queries_->SignedHead(/*fresh=*/true);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->tree_size(), log_->HeadPosition());
  EXPECT_EQ(queries_->PublicKey().fingerprint(),
            signer_->key().public_key().Fingerprint());

  v1::GetInclusionProofRequest inclusion;
  inclusion.set_position(1);
  inclusion.set_tree_size(head->tree_size());
  auto proof = queries_->Inclusion(inclusion);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_EQ(proof->head().tree_size(), head->tree_size());  // a kept head
  inclusion.set_position(0);
  EXPECT_EQ(queries_->Inclusion(inclusion).status().code(),
            absl::StatusCode::kInvalidArgument);
  inclusion.set_position(1);
  inclusion.set_tree_size(head->tree_size() + 10);
  EXPECT_EQ(queries_->Inclusion(inclusion).status().code(),
            absl::StatusCode::kOutOfRange);

  v1::GetEvidenceBundleRequest bundle;
  EXPECT_EQ(queries_->Bundle(bundle).status().code(),
            absl::StatusCode::kInvalidArgument);
  bundle.set_debtor_id("d-nobody");
  EXPECT_EQ(queries_->Bundle(bundle).status().code(),
            absl::StatusCode::kNotFound);
  bundle.set_debtor_id("d-anna");
  auto of_anna = queries_->Bundle(bundle);
  ASSERT_TRUE(of_anna.ok()) << of_anna.status();
  ASSERT_EQ(of_anna->streams_size(), 1);
  EXPECT_EQ(of_anna->streams(0).stream_id(), "case-c-anna");
}

TEST_F(AuditQueriesTest, TheTrailFindsAnActorsActs) {
  v1::ListAuditTrailRequest request;
  request.set_actor_id("bob");
  auto trail = queries_->Trail(request);
  ASSERT_TRUE(trail.ok()) << trail.status();
  ASSERT_FALSE(trail->entries().empty());
  for (const auto& entry : trail->entries()) {
    EXPECT_EQ(entry.actor().id(), "bob");
    EXPECT_EQ(entry.case_id(), "c-bob");
  }
  request.set_page_token("not a token");
  EXPECT_THAT(queries_->Trail(request).status().message(),
              HasSubstr("page_token"));
}

}  // namespace
}  // namespace collections::app
