// Security on the real server: every role against every RPC (allowed and
// denied as the permission table says), mutual TLS refusing clients
// without a trusted certificate, identities from certificates and tokens
// with forged actor claims ignored, input limits and rate limits over the
// wire, and no plaintext unless asked for.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "services/domain/case_state.h"
#include "services/security/permissions.h"
#include "tests/testing/requests.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_server.h"
#include "tests/testing/tls_files.h"

namespace collections {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

v1::OpenCaseRequest OpenCase(const std::string& case_id) {
  return testing::OpenBusinessCase(case_id, "d-1");
}

// Calls `method` with an empty request as `role` (plaintext development
// mode: the role is claimed); the status.
grpc::Status CallAs(const std::shared_ptr<grpc::Channel>& channel,
                    const std::string& method, const std::string& role) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.AddMetadata("x-actor-id", "matrix");
  context.AddMetadata("x-actor-role", role);
  // Streaming methods that are let in keep streaming: the deadline ends
  // them, and only the table's refusal matters here.
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, absl::StrCat("/", method), grpc::StubOptions(),
                 &request, &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

TEST(SecurityTest, EveryRoleAgainstEveryRpcAsThePermissionTableSays) {
  testing::TempDir dir;
  auto running =
      testing::StartTestServer(testing::TestServerOptions(dir.Sub("data")));
  ASSERT_TRUE(running.ok()) << running.status();
  const std::vector<std::string> roles = {"collector", "agency:incasso-noord",
                                          "auditor", "service", "admin"};
  int allowed = 0, denied = 0;
  for (const auto& entry : security::MethodTable()) {
    const std::vector<std::string> holders =
        security::RolesWith(entry.permission);
    for (const std::string& role : roles) {
      const std::string role_class =
          role.rfind("agency:", 0) == 0 ? "agency" : role;
      const bool may = std::find(holders.begin(), holders.end(), role_class) !=
                       holders.end();
      const grpc::Status status = CallAs(running->channel, entry.method, role);
      // Refused by the table: PERMISSION_DENIED saying so. (An agency's
      // scope refusal, for a case not placed with it, is a different one.)
      const bool refused =
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED &&
          status.error_message().find("may not call") != std::string::npos;
      EXPECT_EQ(refused, !may)
          << role << " → " << entry.method << ": " << status.error_code() << " "
          << status.error_message();
      (may ? allowed : denied) += 1;
    }
  }
  EXPECT_GT(allowed, 40);
  EXPECT_GT(denied, 40);
  // A role that is no role is not let in at all.
  EXPECT_EQ(
      CallAs(running->channel, "collections.v1.Audit/GetPublicKey", "root")
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = testing::MakeTlsFiles(
        dir_.Sub("tls"), {"anna.example.com", "mallory.example.com"});
    ASSERT_TRUE(files.ok()) << files.status();
    tls_ = *std::move(files);
    std::ofstream identities(dir_.Sub("identities"));
    identities << "cert anna.example.com anna collector\n"
               << "token sha256:" << ToHex(Sha256Of("aud1t"))
               << " audra auditor\n";
  }

  void Start(bool mutual,
             const std::function<void(server::ServerOptions&)>& more = {}) {
    server::ServerOptions options =
        testing::TestServerOptions(dir_.Sub("data"));
    options.insecure_plaintext = false;
    options.tls.cert_file = tls_.server_cert;
    options.tls.key_file = tls_.server_key;
    if (mutual) options.tls.client_ca_file = tls_.ca_cert;
    options.identities_file = dir_.Sub("identities");
    if (more) more(options);
    auto started = server::CollectionsServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  // Polls `call` until it answers `want` (true) or 20 s pass (false): for
  // files the server re-reads on its own schedule.
  static bool Eventually(const std::function<grpc::StatusCode()>& call,
                         grpc::StatusCode want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      if (call() == want) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // A TLS channel trusting the test CA, presenting `client`'s certificate
  // unless empty.
  std::shared_ptr<grpc::Channel> Channel(const std::string& client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = testing::ReadText(tls_.ca_cert);
    if (!client.empty()) {
      ssl.pem_cert_chain = testing::ReadText(tls_.ClientCert(client));
      ssl.pem_private_key = testing::ReadText(tls_.ClientKey(client));
    }
    return grpc::CreateChannel(absl::StrCat("localhost:", server_->port()),
                               grpc::SslCredentials(ssl));
  }

  grpc::Status Open(const std::shared_ptr<grpc::Channel>& channel,
                    const std::string& case_id,
                    const std::map<std::string, std::string>& metadata = {}) {
    auto stub = v1::CaseCommands::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    v1::CommandResult result;
    return stub->OpenCase(&context, OpenCase(case_id), &result);
  }

  testing::TempDir dir_;
  testing::TlsFiles tls_;
  std::unique_ptr<server::CollectionsServer> server_;
};

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutATrustedCertificate) {
  Start(/*mutual=*/true);
  // No certificate, or one from a CA the server does not trust: the
  // handshake fails.
  EXPECT_EQ(Open(Channel(""), "c-1").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Open(Channel("rogue"), "c-1").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Trusted but not a known identity.
  const grpc::Status stranger = Open(Channel("mallory.example.com"), "c-1");
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(stranger.error_message(), HasSubstr("not a known identity"));

  // Anna is a collector, whatever her metadata claims.
  const grpc::Status opened =
      Open(Channel("anna.example.com"), "c-1",
           {{"x-actor-id", "mallory"}, {"x-actor-role", "admin"}});
  ASSERT_TRUE(opened.ok()) << opened.error_message();
  {
    auto operations = v1::Operations::NewStub(Channel("anna.example.com"));
    grpc::ClientContext context;
    context.AddMetadata("x-actor-role", "admin");
    v1::RebuildProjectionRequest rebuild;
    rebuild.set_name("case_standing");
    v1::ProjectionStatus status;
    EXPECT_EQ(
        operations->RebuildProjection(&context, rebuild, &status).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  // The event records the authenticated actor (read by the auditor, with
  // a bearer token over the same mutual TLS).
  auto stream = v1::EventStream::NewStub(Channel("anna.example.com"));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer aud1t");
  v1::ReadStreamRequest read;
  read.set_stream_id("case-c-1");
  v1::ReadStreamResponse events;
  grpc::Status status = stream->ReadStream(&context, read, &events);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GE(events.events_size(), 1);
  EXPECT_EQ(events.events(0).actor().id(), "anna");
  EXPECT_EQ(events.events(0).actor().role(), "collector");
}

// Issue 25: one typed certificate name per principal; a certificate whose
// names match two principals is refused, not mapped to the first.
TEST_F(TlsTest, TypedCertificateNamesAndOnePrincipalPerCertificate) {
  ASSERT_TRUE(
      testing::IssueClient(tls_, "noord", "Incasso Noord",
                           "URI:spiffe://collections.test/agency/incasso-noord")
          .ok());
  ASSERT_TRUE(
      testing::IssueClient(tls_, "both", "both",
                           "URI:spiffe://collections.test/agency/incasso-noord,"
                           "DNS:staff.example.com")
          .ok());
  std::ofstream(dir_.Sub("identities"))
      << "cert uri:spiffe://collections.test/agency/incasso-noord "
         "incasso-noord agency:incasso-noord\n"
      << "cert dns:staff.example.com staff collector\n";
  Start(/*mutual=*/true);
  // The agency by its URI name: an agency may not open cases.
  EXPECT_EQ(Open(Channel("noord"), "c-1").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status both = Open(Channel("both"), "c-1");
  EXPECT_EQ(both.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(both.error_message(), HasSubstr("matches two principals"));
}

// Revocation without a restart: a principal removed from the identities
// file loses access once the file is re-read.
TEST_F(TlsTest, AnIdentityRemovedFromTheFileLosesAccess) {
  Start(/*mutual=*/true);
  ASSERT_TRUE(Open(Channel("anna.example.com"), "c-1").ok());
  std::ofstream(dir_.Sub("identities"), std::ios::trunc)
      << "token sha256:" << ToHex(Sha256Of("aud1t")) << " audra auditor\n";
  int n = 1;
  EXPECT_TRUE(Eventually(
      [&] {
        return Open(Channel("anna.example.com"), absl::StrCat("c-r", ++n))
            .error_code();
      },
      grpc::StatusCode::UNAUTHENTICATED));
}

// A renewed client CA is read again without a restart.
TEST_F(TlsTest, TheClientCaFileIsReloaded) {
  ASSERT_TRUE(testing::MakeCa(tls_, "ca2", "second CA").ok());
  ASSERT_TRUE(
      testing::IssueClient(tls_, "late", "anna.example.com", "", "ca2").ok());
  const std::string clients_ca = dir_.Sub("clients-ca.pem");
  std::ofstream(clients_ca) << testing::ReadText(tls_.ca_cert);
  Start(/*mutual=*/true, [&](server::ServerOptions& options) {
    options.tls.client_ca_file = clients_ca;
    options.tls.reload_interval = absl::Seconds(1);
  });
  EXPECT_EQ(Open(Channel("late"), "c-1").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  std::ofstream(clients_ca, std::ios::trunc)
      << testing::ReadText(tls_.ca_cert)
      << testing::ReadText(dir_.Sub("tls/ca2.pem"));
  int n = 1;
  EXPECT_TRUE(Eventually(
      [&] {
        return Open(Channel("late"), absl::StrCat("c-l", ++n)).error_code();
      },
      grpc::StatusCode::OK));
}

// A revoked client certificate is refused in the handshake (CRL
// directory); the CA's other certificates still work.
TEST_F(TlsTest, ARevokedCertificateIsRefused) {
  ASSERT_TRUE(
      testing::WriteCrl(tls_, "ca", {"mallory.example.com"}, dir_.Sub("crls"))
          .ok());
  std::ofstream(dir_.Sub("identities"), std::ios::app)
      << "cert mallory.example.com mallory collector\n";
  Start(/*mutual=*/true, [&](server::ServerOptions& options) {
    options.tls.crl_dir = dir_.Sub("crls");
  });
  EXPECT_TRUE(Open(Channel("anna.example.com"), "c-1").ok());
  EXPECT_EQ(Open(Channel("mallory.example.com"), "c-2").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// Agencies under their own CA: an agency's certificate must come from it,
// and it cannot mint anyone else's.
TEST_F(TlsTest, AgenciesUnderTheirOwnCa) {
  ASSERT_TRUE(testing::MakeCa(tls_, "agency-ca", "agency CA").ok());
  const std::string noord_uri =
      "URI:spiffe://collections.test/agency/incasso-noord";
  ASSERT_TRUE(
      testing::IssueClient(tls_, "noord", "noord", noord_uri, "agency-ca")
          .ok());
  ASSERT_TRUE(
      testing::IssueClient(tls_, "noord-by-staff-ca", "noord", noord_uri, "ca")
          .ok());
  ASSERT_TRUE(testing::IssueClient(tls_, "forged-staff", "anna.example.com", "",
                                   "agency-ca")
                  .ok());
  std::ofstream(dir_.Sub("identities"), std::ios::app)
      << "cert uri:spiffe://collections.test/agency/incasso-noord "
         "incasso-noord agency:incasso-noord\n";
  const std::string clients_ca = dir_.Sub("clients-ca.pem");
  std::ofstream(clients_ca) << testing::ReadText(tls_.ca_cert)
                            << testing::ReadText(dir_.Sub("tls/agency-ca.pem"));
  Start(/*mutual=*/true, [&](server::ServerOptions& options) {
    options.tls.client_ca_file = clients_ca;
    options.tls.agency_ca_file = dir_.Sub("tls/agency-ca.pem");
  });
  // The agency, by the agency CA: authenticated (and may not open cases).
  EXPECT_EQ(Open(Channel("noord"), "c-1").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const grpc::Status wrong_ca = Open(Channel("noord-by-staff-ca"), "c-1");
  EXPECT_EQ(wrong_ca.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(wrong_ca.error_message(), HasSubstr("issued by the agency CA"));
  const grpc::Status forged = Open(Channel("forged-staff"), "c-1");
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(forged.error_message(), HasSubstr("is not an agency"));
  EXPECT_TRUE(Open(Channel("anna.example.com"), "c-2").ok());
}

TEST_F(TlsTest, TlsWithBearerTokens) {
  Start(/*mutual=*/false);
  const grpc::Status anonymous = Open(Channel(""), "c-1");
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(anonymous.error_message(), HasSubstr("no credentials"));
  // Claims without credentials are not an identity over TLS.
  EXPECT_EQ(Open(Channel(""), "c-1",
                 {{"x-actor-id", "mallory"}, {"x-actor-role", "admin"}})
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Open(Channel(""), "c-1", {{"authorization", "Bearer guess"}})
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The auditor's token authenticates; an auditor records no acts.
  EXPECT_EQ(Open(Channel(""), "c-1", {{"authorization", "Bearer aud1t"}})
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST(ServerSecurityTest, NoPlaintextUnlessAskedFor) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  options.insecure_plaintext = false;
  auto started = server::CollectionsServer::Start(options);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(started.status().message(), HasSubstr("--insecure_plaintext"));
}

TEST(ServerSecurityTest, InputLimitsAndRateLimitsOverTheWire) {
  testing::TempDir dir;
  server::ServerOptions options = testing::TestServerOptions(dir.Sub("data"));
  options.rate_limit_per_second = 0.5;
  options.rate_limit_burst = 3;
  auto running = testing::StartTestServer(options);
  ASSERT_TRUE(running.ok()) << running.status();
  auto commands = v1::CaseCommands::NewStub(running->channel);
  auto call = [&](const v1::OpenCaseRequest& request, const char* caller) {
    grpc::ClientContext context;
    context.AddMetadata("x-actor-id", caller);
    v1::CommandResult result;
    return commands->OpenCase(&context, request, &result);
  };
  v1::OpenCaseRequest request = OpenCase("c-1");
  request.mutable_case_()->set_creditor_id(std::string(300, 'x'));
  grpc::Status status = call(request, "a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("case.creditor_id is 300 bytes; at most 256"));
  request = OpenCase("c-1");
  request.mutable_case_()->set_debtor_kind(static_cast<v1::DebtorKind>(7));
  status = call(request, "a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("case.debtor_kind holds 7, not a value of DebtorKind"));
  // Bytes that are not UTF-8 in a string: protobuf's parser refuses the
  // request before any of our code runs, and the server goes on.
  {
    grpc::GenericStub stub(running->channel);
    grpc::ClientContext context;
    context.AddMetadata("x-actor-id", "utf8");
    std::string bytes = OpenCase("c-9").SerializeAsString();
    const size_t at = bytes.find("acme");
    ASSERT_NE(at, std::string::npos);
    bytes[at] = '\xff';
    grpc::Slice slice(bytes);
    grpc::ByteBuffer raw(&slice, 1), reply;
    absl::Notification done;
    grpc::Status refused;
    stub.UnaryCall(&context, "/collections.v1.CaseCommands/OpenCase",
                   grpc::StubOptions(), &raw, &reply, [&](grpc::Status s) {
                     refused = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    // (gRPC's code for a request that does not parse: UNIMPLEMENTED on
    // the callback CaseCommands service, with no message. Not
    // INVALID_ARGUMENT: see the README.)
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNIMPLEMENTED)
        << refused.error_message();
    EXPECT_TRUE(call(OpenCase("c-9"), "utf8").ok());  // still serving
  }
  // Caller "a" used its burst of 3 on the next call; "b" has its own.
  EXPECT_TRUE(call(OpenCase("c-1"), "a").ok());
  status = call(OpenCase("c-2"), "a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("caller a is over its limit"));
  EXPECT_TRUE(call(OpenCase("c-2"), "b").ok());
}

}  // namespace
}  // namespace collections
