// Audit evidence over gRPC on the real server: signed heads verify with the
// exported public key, inclusion and consistency proofs verify with RFC
// 9162's algorithms alone, evidence bundles of a case and a debtor verify
// offline, and the audit trail filters and pages.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/audit/evidence_bundle.h"
#include "services/audit/signed_tree_head.h"
#include "services/server/collections_server.h"
#include "storage/merkle.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;

Sha256Digest Digest(const std::string& bytes) {
  Sha256Digest digest{};
  EXPECT_TRUE(DigestFromBytes(bytes, &digest));
  return digest;
}

std::vector<Sha256Digest> Path(
    const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  std::vector<Sha256Digest> path;
  for (const std::string& hash : hashes) path.push_back(Digest(hash));
  return path;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start() {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.seed_demo = true;
    options.demo_debtors = 6;
    auto running = testing::StartTestServer(options);
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::move(running->server);
    audit_ = v1::Audit::NewStub(running->channel);
    commands_ = v1::CaseCommands::NewStub(running->channel);
  }

  audit::VerifyingKey Key() {
    grpc::ClientContext context;
    v1::PublicKey key;
    EXPECT_TRUE(
        audit_->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key).ok());
    auto parsed = audit::VerifyingKey::FromPem(key.pem());
    EXPECT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->Fingerprint(), key.fingerprint());
    return *parsed;
  }
  v1::SignedTreeHead Head(bool fresh) {
    grpc::ClientContext context;
    v1::GetSignedTreeHeadRequest request;
    request.set_fresh(fresh);
    v1::SignedTreeHead head;
    EXPECT_TRUE(audit_->GetSignedTreeHead(&context, request, &head).ok());
    return head;
  }
  grpc::Status Trail(const v1::ListAuditTrailRequest& request,
                     v1::ListAuditTrailResponse* response) {
    grpc::ClientContext context;
    return audit_->ListAuditTrail(&context, request, response);
  }
  // Opens case c-audit-1 of debtor d-audit, as the billing service.
  void OpenAuditCase() {
    grpc::ClientContext context;
    context.AddMetadata("x-actor-id", "billing");
    v1::OpenCaseRequest request;
    request.mutable_context()->set_request_id("open-audit-1");
    request.mutable_context()->mutable_occurred_at()->set_seconds(1794900000);
    v1::CaseOpened* opened = request.mutable_case_();
    opened->set_case_id("c-audit-1");
    opened->set_debtor_id("d-audit");
    opened->set_creditor_id("acme-energy");
    opened->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
    opened->set_currency("EUR");
    opened->set_rule_pack("nl-consumer");
    opened->set_jurisdiction("NL");
    v1::ClaimLine* line = opened->add_claim_lines();
    line->set_invoice_number("INV-AUDIT-1");
    line->mutable_due_date()->set_year(2026);
    line->mutable_due_date()->set_month(11);
    line->mutable_due_date()->set_day(1);
    for (auto* money : {line->mutable_net(), line->mutable_gross()}) {
      money->set_currency("EUR");
      money->set_amount_minor(10000);
    }
    line->mutable_vat()->set_currency("EUR");
    v1::CommandResult result;
    grpc::Status status = commands_->OpenCase(&context, request, &result);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // Appends one call to c-audit-1, as the dialer (the tree grows).
  void LogACall(const std::string& id) {
    grpc::ClientContext context;
    v1::LogCallsRequest request = testing::NoAnswerCalls("c-audit-1", id, 1);
    context.AddMetadata("x-actor-id", "dialer-7");
    v1::CommandResult result;
    grpc::Status status = commands_->LogCalls(&context, request, &result);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  testing::TempDir dir_;
  std::unique_ptr<server::CollectionsServer> server_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::CaseCommands::Stub> commands_;
};

TEST_F(AuditTest, HeadsAndProofsVerifyWithThePublicKeyAndTheRfcAlone) {
  const audit::VerifyingKey key = Key();
  const v1::SignedTreeHead first = Head(/*fresh=*/true);
  ASSERT_GT(first.tree_size(), 50u);
  EXPECT_TRUE(audit::VerifyTreeHead(first, key).ok());

  // Every tenth position's inclusion proof against the newest head.
  for (uint64_t position = 1; position <= first.tree_size(); position += 10) {
    grpc::ClientContext context;
    v1::GetInclusionProofRequest request;
    request.set_position(position);
    v1::InclusionProof proof;
    ASSERT_TRUE(audit_->GetInclusionProof(&context, request, &proof).ok());
    EXPECT_EQ(proof.tree_size(), first.tree_size());
    EXPECT_EQ(proof.head().SerializeAsString(), first.SerializeAsString());
    EXPECT_TRUE(storage::merkle::VerifyInclusion(
                    position - 1, proof.tree_size(), Digest(proof.leaf_hash()),
                    Path(proof.path()), Digest(first.root_hash()))
                    .ok())
        << "position " << position;
  }

  // The log grows; the old head is provably a prefix of the new one.
  OpenAuditCase();
  const v1::SignedTreeHead second = Head(/*fresh=*/true);
  ASSERT_GT(second.tree_size(), first.tree_size());
  grpc::ClientContext context;
  v1::GetConsistencyProofRequest request;
  request.set_old_size(first.tree_size());
  v1::ConsistencyProof proof;
  ASSERT_TRUE(audit_->GetConsistencyProof(&context, request, &proof).ok());
  EXPECT_EQ(proof.new_size(), second.tree_size());
  EXPECT_EQ(proof.old_head().SerializeAsString(), first.SerializeAsString());
  EXPECT_TRUE(storage::merkle::VerifyConsistency(
                  first.tree_size(), second.tree_size(),
                  Digest(first.root_hash()), Digest(second.root_hash()),
                  Path(proof.path()))
                  .ok());

  // The key and the heads survive a restart.
  server_.reset();
  Start();
  EXPECT_EQ(Key().Fingerprint(), key.Fingerprint());
  EXPECT_EQ(Head(false).SerializeAsString(), second.SerializeAsString());
}

TEST_F(AuditTest, EvidenceBundlesOfACaseAndADebtorVerifyOffline) {
  const audit::VerifyingKey key = Key();
  for (const auto& [field, id] :
       std::vector<std::pair<std::string, std::string>>{{"case", "c-0002-1"},
                                                        {"debtor", "d-0002"}}) {
    grpc::ClientContext context;
    v1::GetEvidenceBundleRequest request;
    if (field == "case")
      request.set_case_id(id);
    else
      request.set_debtor_id(id);
    v1::EvidenceBundle bundle;
    grpc::Status status = audit_->GetEvidenceBundle(&context, request, &bundle);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(bundle.subject(), absl::StrCat(field, " ", id));
    ASSERT_GT(bundle.events_size(), 3);
    std::set<std::string> streams;
    for (const auto& event : bundle.events()) streams.insert(event.stream_id());
    EXPECT_EQ(static_cast<int>(streams.size()), bundle.streams_size());
    if (field == "case") {
      EXPECT_EQ(streams.size(), 1u);
    }
    // Offline: only the bytes and the key.
    v1::EvidenceBundle file;
    ASSERT_TRUE(file.ParseFromString(bundle.SerializeAsString()));
    const audit::VerificationReport report =
        audit::VerifyEvidenceBundle(file, key);
    EXPECT_TRUE(report.ok()) << report.failures.front();
  }
}

TEST_F(AuditTest, BadRequestsGetStatusesACallerCanActOn) {
  auto code = [&](auto call) {
    grpc::ClientContext context;
    return call(&context).error_code();
  };
  EXPECT_EQ(code([&](grpc::ClientContext* c) {
              v1::GetEvidenceBundleRequest request;
              request.set_case_id("no-such-case");
              v1::EvidenceBundle bundle;
              return audit_->GetEvidenceBundle(c, request, &bundle);
            }),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(code([&](grpc::ClientContext* c) {
              v1::EvidenceBundle bundle;
              return audit_->GetEvidenceBundle(
                  c, v1::GetEvidenceBundleRequest(), &bundle);
            }),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(code([&](grpc::ClientContext* c) {
              v1::GetInclusionProofRequest request;  // position 0
              v1::InclusionProof proof;
              return audit_->GetInclusionProof(c, request, &proof);
            }),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(code([&](grpc::ClientContext* c) {
              v1::GetInclusionProofRequest request;
              request.set_position(1);
              request.set_tree_size(1u << 30);
              v1::InclusionProof proof;
              return audit_->GetInclusionProof(c, request, &proof);
            }),
            grpc::StatusCode::OUT_OF_RANGE);
  v1::ListAuditTrailResponse response;
  v1::ListAuditTrailRequest request;
  request.set_page_token("not-a-token");
  EXPECT_EQ(Trail(request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_token("");
  request.set_page_size(5000);
  EXPECT_EQ(Trail(request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTest, TheTrailFiltersByActorCaseAndTypeAndPagesWithoutGaps) {
  OpenAuditCase();
  LogACall("audit-call-1");
  LogACall("audit-call-2");
  // By actor: exactly the two calls the dialer logged.
  v1::ListAuditTrailRequest by_actor;
  by_actor.set_actor_id("dialer-7");
  v1::ListAuditTrailResponse response;
  ASSERT_TRUE(Trail(by_actor, &response).ok());
  ASSERT_EQ(response.entries_size(), 2);
  for (const auto& entry : response.entries()) {
    EXPECT_EQ(entry.actor().id(), "dialer-7");
    EXPECT_EQ(entry.event_type(), "CallLogged");
    EXPECT_EQ(entry.case_id(), "c-audit-1");
    EXPECT_FALSE(entry.summary().empty());
    EXPECT_EQ(entry.leaf_hash().size(), 32u);
  }
  EXPECT_TRUE(response.next_page_token().empty());

  // By case, in pages of 3: the pages join up to the whole case, in order.
  v1::ListAuditTrailRequest by_case;
  by_case.set_case_id("c-0001-1");
  by_case.set_page_size(3);
  std::vector<uint64_t> positions;
  for (int page = 0; page < 100; ++page) {
    v1::ListAuditTrailResponse part;
    ASSERT_TRUE(Trail(by_case, &part).ok());
    for (const auto& entry : part.entries()) {
      EXPECT_EQ(entry.stream_id(), "case-c-0001-1");
      positions.push_back(entry.position());
    }
    if (part.next_page_token().empty()) break;
    by_case.set_page_token(part.next_page_token());
  }
  ASSERT_GT(positions.size(), 3u);
  for (size_t i = 1; i < positions.size(); ++i)
    EXPECT_LT(positions[i - 1], positions[i]);
  v1::ListAuditTrailRequest whole_case;
  whole_case.set_case_id("c-0001-1");
  whole_case.set_page_size(1000);
  ASSERT_TRUE(Trail(whole_case, &response).ok());
  EXPECT_EQ(static_cast<size_t>(response.entries_size()), positions.size());

  // By type over the whole log.
  v1::ListAuditTrailRequest by_type;
  by_type.add_event_types("CaseOpened");
  by_type.set_page_size(1000);
  ASSERT_TRUE(Trail(by_type, &response).ok());
  EXPECT_GE(response.entries_size(), 6);  // at least one case per debtor
  for (const auto& entry : response.entries())
    EXPECT_EQ(entry.event_type(), "CaseOpened");
}

}  // namespace
}  // namespace collections
