// collectionsctl: a small operator and newcomer client for collectionsd.
//
//   collectionsctl [--server=127.0.0.1:50051] health
//   collectionsctl list [--debtor=d-0001] [--page_size=20]
//   collectionsctl case c-0001-1
//   collectionsctl timeline d-0001
//   collectionsctl tail [--after=0]     follow the log (Ctrl-C to stop)
//   collectionsctl public-key --out=key.pem
//   collectionsctl head [--fresh]
//   collectionsctl bundle case c-0001-1 --out=c-0001-1.bundle
//   collectionsctl trail [--actor=…] [--case_id=…] [--debtor=…] [--type=…]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "collections/v1/case_queries.grpc.pb.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tools/cli/agency_commands.h"
#include "tools/cli/audit_commands.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "collectionsd address");
ABSL_DECLARE_FLAG(std::string, out);
ABSL_FLAG(std::string, tls_ca_file, "",
          "TLS: the CA (PEM) the server's certificate chains to; empty = "
          "plaintext (a development server)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "mutual TLS: this client's certificate (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "mutual TLS: its private key (PEM)");
ABSL_FLAG(std::string, reference, "",
          "forget: the erasure request's reference (e.g. GDPR-2026-117)");
ABSL_FLAG(std::string, token, "",
          "a bearer token (over TLS); or set COLLECTIONS_TOKEN");
ABSL_FLAG(std::string, debtor, "", "list: only this debtor's cases");
ABSL_FLAG(int, page_size, 50, "entries per page");
ABSL_FLAG(uint64_t, after, 0, "tail: start after this global position");

namespace {

namespace v1 = ::collections::v1;

std::string Time(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z",
                          absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string Money(const v1::Money& m) {
  const int64_t a = m.amount_minor() < 0 ? -m.amount_minor() : m.amount_minor();
  return absl::StrFormat("%s %s%d.%02d", m.currency(),
                         m.amount_minor() < 0 ? "-" : "", a / 100, a % 100);
}

int Fail(const grpc::Status& status) {
  std::fprintf(stderr, "error: %s: %s\n",
               status.error_code() == grpc::StatusCode::UNAVAILABLE
                   ? "server unavailable"
                   : "request failed",
               status.error_message().c_str());
  return 1;
}

int Timeline(v1::CaseQueries::Stub& stub, const std::string& debtor) {
  v1::GetDebtorTimelineRequest request;
  request.set_debtor_id(debtor);
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  for (;;) {
    grpc::ClientContext context;
    v1::GetDebtorTimelineResponse response;
    grpc::Status status = stub.GetDebtorTimeline(&context, request, &response);
    if (!status.ok()) return Fail(status);
    for (const auto& e : response.entries()) {
      std::printf("%s  %-10s  %-18s %s  (by %s, #%llu)\n",
                  Time(e.occurred_at()).c_str(), e.case_id().c_str(),
                  e.type().c_str(), e.summary().c_str(), e.actor().id().c_str(),
                  static_cast<unsigned long long>(e.global_position()));
    }
    if (response.next_page_token().empty()) return 0;
    request.set_page_token(response.next_page_token());
  }
}

int Case(v1::CaseQueries::Stub& stub, const std::string& case_id) {
  grpc::ClientContext context;
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::GetCaseResponse response;
  grpc::Status status = stub.GetCase(&context, request, &response);
  if (!status.ok()) return Fail(status);
  const v1::CaseView& c = response.case_();
  std::printf("case %s  debtor %s  creditor %s  (%s)\n", c.case_id().c_str(),
              c.debtor_id().c_str(), c.creditor_id().c_str(),
              c.rule_pack().c_str());
  std::printf("stage       %s\n", v1::CaseStage_Name(c.stage()).c_str());
  for (int h : c.holds())
    std::printf("hold        %s\n", v1::CaseHold_Name(h).c_str());
  std::printf(
      "claimed     %s\npaid        %s\nwritten off %s\noutstanding %s\n",
      Money(c.claimed()).c_str(), Money(c.paid()).c_str(),
      Money(c.written_off()).c_str(), Money(c.outstanding()).c_str());
  std::printf("  principal %s, interest %s, costs %s, fees %s\n",
              Money(c.balance().principal()).c_str(),
              Money(c.balance().interest()).c_str(),
              Money(c.balance().costs()).c_str(),
              Money(c.balance().fees()).c_str());
  for (const auto& installment : c.installments()) {
    std::printf("installment %u due %04d-%02d-%02d %s paid %s%s\n",
                installment.number(), installment.due_date().year(),
                installment.due_date().month(), installment.due_date().day(),
                Money(installment.amount()).c_str(),
                Money(installment.paid()).c_str(),
                installment.missed() ? "  MISSED" : "");
  }
  if (c.has_limitation_deadline()) {
    std::printf("limitation  %04d-%02d-%02d\n", c.limitation_deadline().year(),
                c.limitation_deadline().month(), c.limitation_deadline().day());
  }
  std::printf("calls %u, letters %u, version %llu, last position %llu\n",
              c.calls_logged(), c.letters_issued(),
              static_cast<unsigned long long>(c.version()),
              static_cast<unsigned long long>(c.last_position()));
  return 0;
}

int List(v1::CaseQueries::Stub& stub) {
  grpc::ClientContext context;
  v1::ListCasesRequest request;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_debtor_id(absl::GetFlag(FLAGS_debtor));
  v1::ListCasesResponse response;
  grpc::Status status = stub.ListCases(&context, request, &response);
  if (!status.ok()) return Fail(status);
  for (const auto& c : response.cases()) {
    std::printf("%-10s %-8s %-16s %-22s %s\n", c.case_id().c_str(),
                c.debtor_id().c_str(), c.creditor_id().c_str(),
                v1::CaseStage_Name(c.stage()).c_str(),
                Money(c.outstanding()).c_str());
  }
  if (!response.next_page_token().empty())
    std::printf("… more (page token %s)\n", response.next_page_token().c_str());
  return 0;
}

int Tail(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::EventStream::NewStub(channel);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_position(absl::GetFlag(FLAGS_after));
  auto reader = stub->Subscribe(&context, request);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    for (const auto& e : message.events()) {
      std::printf("#%llu %s v%llu %s\n",
                  static_cast<unsigned long long>(e.global_position()),
                  e.stream_id().c_str(),
                  static_cast<unsigned long long>(e.stream_version()),
                  e.type().c_str());
    }
    std::fflush(stdout);
  }
  grpc::Status status = reader->Finish();
  return status.ok() ? 0 : Fail(status);
}

int Health(const std::shared_ptr<grpc::Channel>& channel) {
  // grpc.health.v1.Health/Check with an empty service name, called
  // generically so no health proto needs generating.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(3));
  grpc::GenericStub stub(channel);
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::CompletionQueue cq;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check",
                                    request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  if (!status.ok()) return Fail(status);
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  // HealthCheckResponse{status = SERVING(1)} encodes as 08 01.
  const bool serving =
      !slices.empty() && slices[0].size() >= 2 && slices[0].begin()[1] == 1;
  std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 2;
}

}  // namespace

// What may be done with a case now, and what is blocked by which rule.
int Standing(v1::CaseQueries::Stub& stub, const std::string& case_id) {
  grpc::ClientContext context;
  v1::GetCaseStandingRequest request;
  request.set_case_id(case_id);
  v1::CaseStanding standing;
  grpc::Status status = stub.GetCaseStanding(&context, request, &standing);
  if (!status.ok()) return Fail(status);
  std::printf(
      "case %s  stage %s  outstanding %s  %u days past due\n", case_id.c_str(),
      v1::CaseStage_Name(standing.case_().stage()).c_str(),
      Money(standing.case_().outstanding()).c_str(), standing.days_past_due());
  for (const auto& action : standing.actions()) {
    if (action.allowed()) {
      std::printf("  %-26s allowed\n", action.action().c_str());
    } else {
      std::printf("  %-26s blocked  %s: %s\n", action.action().c_str(),
                  action.rule().c_str(), action.reason().c_str());
    }
  }
  return 0;
}

void PrintProjection(const v1::ProjectionStatus& p) {
  std::printf("%-16s %-22s at %llu of %llu (lag %llu, %llu ms)%s\n",
              p.name().c_str(), p.keyspace().c_str(),
              static_cast<unsigned long long>(p.checkpoint()),
              static_cast<unsigned long long>(p.head()),
              static_cast<unsigned long long>(p.lag_positions()),
              static_cast<unsigned long long>(p.lag_millis()),
              p.failed() ? "  STOPPED" : "");
  if (p.failed()) std::printf("  %s\n", p.failure().c_str());
  if (p.rebuild().running()) {
    std::printf("  rebuilding generation %llu: %u%%\n",
                static_cast<unsigned long long>(p.rebuild().generation()),
                p.rebuild().percent());
  }
}

// Projection status, or a rebuild of one (`name` set).
int Projections(const std::shared_ptr<grpc::Channel>& channel,
                const std::string& rebuild) {
  auto stub = v1::Operations::NewStub(channel);
  grpc::ClientContext context;
  if (!rebuild.empty()) {
    v1::RebuildProjectionRequest request;
    request.set_name(rebuild);
    v1::ProjectionStatus status;
    grpc::Status rpc = stub->RebuildProjection(&context, request, &status);
    if (!rpc.ok()) return Fail(rpc);
    PrintProjection(status);
    return 0;
  }
  v1::ListProjectionsResponse response;
  grpc::Status rpc =
      stub->ListProjections(&context, v1::ListProjectionsRequest(), &response);
  if (!rpc.ok()) return Fail(rpc);
  for (const auto& projection : response.projections())
    PrintProjection(projection);
  return 0;
}

// `forget <debtor> --reference=…`: erase a debtor (or defer it, within
// retention).
int Forget(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& debtor) {
  auto stub = v1::Operations::NewStub(channel);
  grpc::ClientContext context;
  v1::ForgetDebtorRequest request;
  request.set_debtor_id(debtor);
  request.set_request_reference(absl::GetFlag(FLAGS_reference));
  v1::ForgetDebtorResponse response;
  grpc::Status rpc = stub->ForgetDebtor(&context, request, &response);
  if (!rpc.ok()) return Fail(rpc);
  if (response.outcome() == v1::ForgetDebtorResponse::OUTCOME_DEFERRED) {
    std::printf(
        "deferred until %s: %s\n",
        absl::FormatTime("%Y-%m-%d",
                         absl::FromUnixSeconds(response.until().seconds()),
                         absl::UTCTimeZone())
            .c_str(),
        response.basis().c_str());
  } else {
    std::printf("erased: key %s destroyed\n", response.key_id().empty()
                                                  ? "(none left)"
                                                  : response.key_id().c_str());
  }
  return 0;
}

// `backup --out=DIR`: an online backup into DIR on the server's host.
int Backup(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Operations::NewStub(channel);
  grpc::ClientContext context;
  v1::CreateBackupRequest request;
  request.set_directory(absl::GetFlag(FLAGS_out));
  v1::CreateBackupResponse response;
  grpc::Status rpc = stub->CreateBackup(&context, request, &response);
  if (!rpc.ok()) return Fail(rpc);
  std::printf(
      "backup in %s (signed head of %llu events; restore: start "
      "collectionsd on a copy, with the master key)\n",
      response.directory().c_str(),
      static_cast<unsigned long long>(response.signed_tree_size()));
  return 0;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Plaintext without --tls_ca_file; TLS (mutual with a client certificate)
// with it, plus the bearer token when given. False (after saying why) for
// an unreadable file or a token without TLS.
bool CredentialsFromFlags(std::shared_ptr<grpc::ChannelCredentials>* out) {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty() && std::getenv("COLLECTIONS_TOKEN") != nullptr)
    token = std::getenv("COLLECTIONS_TOKEN");
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  if (ca.empty()) {
    if (!token.empty()) {
      std::fprintf(stderr, "error: a bearer token needs TLS (--tls_ca_file)\n");
      return false;
    }
    *out = grpc::InsecureChannelCredentials();
    return true;
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFileOrEmpty(ca);
  if (!absl::GetFlag(FLAGS_tls_cert_file).empty()) {
    ssl.pem_cert_chain = ReadFileOrEmpty(absl::GetFlag(FLAGS_tls_cert_file));
    ssl.pem_private_key = ReadFileOrEmpty(absl::GetFlag(FLAGS_tls_key_file));
  }
  if (ssl.pem_root_certs.empty() ||
      (!absl::GetFlag(FLAGS_tls_cert_file).empty() &&
       (ssl.pem_cert_chain.empty() || ssl.pem_private_key.empty()))) {
    std::fprintf(stderr, "error: cannot read the TLS files\n");
    return false;
  }
  *out = grpc::SslCredentials(ssl);
  if (!token.empty()) {
    *out = grpc::CompositeChannelCredentials(
        *out, grpc::AccessTokenCredentials(token));
  }
  return true;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "collectionsctl health | list | case <id> | standing <id> | "
      "timeline <debtor> | tail | projections | rebuild <projection> | "
      "public-key | head | bundle case|debtor <id> | trail | "
      "package <case> --out=DIR | delivery <agency> --out=DIR | "
      "import-returns <file> | forget <debtor> --reference=REF | "
      "backup --out=DIR");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return 2;
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!CredentialsFromFlags(&credentials)) return 2;
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server), credentials);
  auto queries = v1::CaseQueries::NewStub(channel);
  const std::string command = args[1];
  const std::string arg = args.size() > 2 ? args[2] : "";
  if (command == "health") return Health(channel);
  if (command == "list") return List(*queries);
  if (command == "case" && !arg.empty()) return Case(*queries, arg);
  if (command == "standing" && !arg.empty()) return Standing(*queries, arg);
  if (command == "timeline" && !arg.empty()) return Timeline(*queries, arg);
  if (command == "tail") return Tail(channel);
  if (command == "projections") return Projections(channel, "");
  if (command == "rebuild" && !arg.empty()) return Projections(channel, arg);
  if (command == "public-key") return collections::cli::PublicKey(channel);
  if (command == "head") return collections::cli::Head(channel);
  if (command == "bundle")
    return collections::cli::Bundle(channel, arg,
                                    args.size() > 3 ? args[3] : "");
  if (command == "trail") return collections::cli::Trail(channel);
  if (command == "forget" && !arg.empty()) return Forget(channel, arg);
  if (command == "backup") return Backup(channel);
  if (command == "package") return collections::cli::Package(channel, arg);
  if (command == "delivery") return collections::cli::Delivery(channel, arg);
  if (command == "import-returns")
    return collections::cli::ImportReturns(channel, arg);
  std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
  return 2;
}
