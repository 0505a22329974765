// collectionsctl: the operator's and newcomer's client for collectionsd.
// Tables for people by default, --json for scripts; exit codes in
// tools/cli/cli_output.h. The commands live in case_views.h (cases, work
// queue, KPIs), operations_commands.h (status, projections, rebuild,
// backup, restore, due-time processing, verification), audit_commands.h
// (keys, signed heads, evidence bundles, the audit trail) and
// agency_commands.h (placement packages, deliveries, return files).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "grpcpp/grpcpp.h"
#include "tools/cli/agency_commands.h"
#include "tools/cli/audit_commands.h"
#include "tools/cli/case_views.h"
#include "tools/cli/cli_output.h"
#include "tools/cli/dossier.h"
#include "tools/cli/operations_commands.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "collectionsd address");
ABSL_FLAG(std::string, tls_ca_file, "",
          "TLS: the CA (PEM) the server's certificate chains to; empty = "
          "plaintext (a development server)");
ABSL_FLAG(std::string, tls_cert_file, "",
          "mutual TLS: this client's certificate (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "mutual TLS: its private key (PEM)");
ABSL_FLAG(std::string, token_file, "",
          "a file holding the bearer token (over TLS); or set "
          "COLLECTIONS_TOKEN. Never on the command line: argv is readable "
          "by every user of the host (ps, /proc)");
// Kept only to refuse it with the way out (absl would say "unknown flag").
ABSL_FLAG(std::string, token, "",
          "refused: use --token_file or COLLECTIONS_TOKEN");

namespace {

constexpr char kUsage[] =
    R"(collectionsctl [--server=HOST:PORT] [--json] COMMAND

cases and portfolio
  list [--debtor=ID]              cases, first page
  case CASE                       balances, installments, holds, invoices
  standing CASE                   what may be done now, and what blocks the rest
  timeline DEBTOR                 every act on the debtor's cases
  tail [--after=N]                follow the event log
  queue [--as_of=T] [--kind=K,…] [--creditor=ID]   due actions
  kpis [--as_of=T] [--creditor=ID]                 portfolio figures
       [--credit_sales_minor=N --period_days=D]    DSO and CEI need them
operations
  health | status | projections
  rebuild PROJECTION [--wait=false]   with a progress bar
  process-due [--as_of=T] [--case_id=ID]
  backup --out=DIR                (on the server host)
  restore BACKUP_DIR --data_dir=NEW_DIR --public_key=KEY.pem | --signing_key_file=FILE  (offline)
  rewrap-keys --data_dir=DIR --master_key_file=OLD --new_master_key_file=NEW
                                  rotate the master key (offline)
  verify bundle FILE | package DIR | datadir DIR --public_key=KEY.pem
  forget DEBTOR --reference=REF
audit and agencies
  public-key [--out=FILE] | head [--fresh] | trail [--actor=…] [--case_id=…]
  bundle case|debtor ID --out=FILE
  dossier case|debtor ID --out=FILE.html [--public_key=KEY.pem]
  dossier file BUNDLE --public_key=KEY.pem --out=FILE.html
                                  the bundle verified, as a page for people
  package CASE --out=DIR | delivery AGENCY --out=DIR | import-returns FILE
  agency-key AGENCY PUBLIC_KEY.pem   (admin: seal packages' personal data to it)

TLS: --tls_ca_file [--tls_cert_file --tls_key_file] [--token_file=FILE]
     (or COLLECTIONS_TOKEN in the environment; never the token in argv)

exit codes: 0 done, 1 refused or not verified, 2 usage, 3 not found,
4 retry later (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED with a
retry delay), 5 denied, 6 damaged)";

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
  if (!absl::GetFlag(FLAGS_token).empty()) {
    collections::cli::UsageError(
        "--token puts the secret where every user of the host can read it "
        "(ps, /proc/*/cmdline); use --token_file=FILE or COLLECTIONS_TOKEN");
    return false;
  }
  std::string token;
  if (const std::string file = absl::GetFlag(FLAGS_token_file); !file.empty()) {
    token = std::string(absl::StripAsciiWhitespace(ReadFileOrEmpty(file)));
    if (token.empty()) {
      collections::cli::UsageError("cannot read a token from --token_file");
      return false;
    }
  } else if (std::getenv("COLLECTIONS_TOKEN") != nullptr) {
    token = std::getenv("COLLECTIONS_TOKEN");
  }
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  if (ca.empty()) {
    if (!token.empty()) {
      collections::cli::UsageError("a bearer token needs TLS (--tls_ca_file)");
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
    collections::cli::UsageError("cannot read the TLS files");
    return false;
  }
  *out = grpc::SslCredentials(ssl);
  if (!token.empty()) {
    *out = grpc::CompositeChannelCredentials(
        *out, grpc::AccessTokenCredentials(token));
  }
  return true;
}

int Usage() {
  std::fprintf(stderr, "%s\n", kUsage);
  return collections::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = collections::cli;
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) return Usage();
  const std::string command = args[1];
  const std::string arg = args.size() > 2 ? args[2] : "";
  const std::string arg2 = args.size() > 3 ? args[3] : "";

  // Offline commands: files and data directories, no server.
  if (command == "restore") return cli::Restore(arg);
  if (command == "rewrap-keys") return cli::RewrapKeys();
  if (command == "verify") return cli::Verify(arg, arg2);

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!CredentialsFromFlags(&credentials)) return cli::kExitUsage;
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_server), credentials);
  if (command == "health") return cli::Health(channel);
  if (command == "status") return cli::Status(channel);
  if (command == "list") return cli::List(channel);
  if (command == "case" && !arg.empty()) return cli::Case(channel, arg);
  if (command == "standing" && !arg.empty()) return cli::Standing(channel, arg);
  if (command == "timeline" && !arg.empty()) return cli::Timeline(channel, arg);
  if (command == "tail") return cli::Tail(channel);
  if (command == "queue") return cli::WorkQueue(channel);
  if (command == "kpis") return cli::Kpis(channel);
  if (command == "projections") return cli::Projections(channel);
  if (command == "rebuild" && !arg.empty()) return cli::Rebuild(channel, arg);
  if (command == "process-due") return cli::ProcessDue(channel);
  if (command == "forget" && !arg.empty()) return cli::Forget(channel, arg);
  if (command == "backup") return cli::Backup(channel);
  if (command == "public-key") return cli::PublicKey(channel);
  if (command == "head") return cli::Head(channel);
  if (command == "bundle") return cli::Bundle(channel, arg, arg2);
  if (command == "dossier") return cli::Dossier(channel, arg, arg2);
  if (command == "trail") return cli::Trail(channel);
  if (command == "package") return cli::Package(channel, arg);
  if (command == "delivery") return cli::Delivery(channel, arg);
  if (command == "import-returns") return cli::ImportReturns(channel, arg);
  if (command == "agency-key")
    return cli::RegisterAgencyKey(channel, arg, arg2);
  return Usage();
}
