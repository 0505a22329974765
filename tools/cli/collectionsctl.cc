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
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
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

constexpr char kExitCodes[] =
    R"(TLS: --tls_ca_file [--tls_cert_file --tls_key_file] [--token_file=FILE]
     (or COLLECTIONS_TOKEN in the environment; never the token in argv)

Exit codes: 0 done, 1 refused or not verified, 2 usage, 3 not found,
4 retry later (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED with a
retry delay), 5 denied, 6 damaged.
Each command has its own --help: collectionsctl queue --help)";

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

// The command line: CLI11 parses it, each subcommand with its own --help
// naming its arguments and options. The commands themselves read their
// settings through the absl flags defined beside them (FLAGS_out in
// audit_commands.cc…): an option given here is parsed into its flag with the
// flag's own parser (absl::CommandLineFlag::ParseFrom), so a setting has one
// definition, one default and one help text.
class CommandLine {
 public:
  CommandLine()
      : app_("collectionsctl: the operator's client for collectionsd") {
    app_.footer(kExitCodes);
    app_.require_subcommand(0, 1);
    app_.fallthrough();  // global options also after the subcommand
    for (const char* name : {"server", "tls_ca_file", "tls_cert_file",
                             "tls_key_file", "token_file", "token"}) {
      Bind(&app_, name);
    }
    Bind(&app_, "json");
  }

  // Adds subcommand `name` with its positional arguments (`args`, names of
  // the required ones in order), the absl flags it reads, and what it runs.
  void Add(const std::string& group, const std::string& name,
           const std::string& description, std::vector<std::string> positionals,
           std::vector<const char*> flags,
           std::function<int(const std::vector<std::string>&)> run) {
    CLI::App* command = app_.add_subcommand(name, description);
    command->group(group);
    auto values =
        std::make_shared<std::vector<std::string>>(positionals.size());
    for (size_t i = 0; i < positionals.size(); ++i) {
      command->add_option(positionals[i], (*values)[i])->required();
    }
    for (const char* flag : flags) Bind(command, flag);
    commands_.push_back({command, values, std::move(run)});
  }

  // Parses argv and runs the chosen command: its exit code (kExitUsage for
  // a bad command line, 0 for --help).
  int Run(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
      return app_.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
      return app_.exit(help);
    } catch (const CLI::ParseError& error) {
      app_.exit(error);  // prints the reason and the usage line
      return collections::cli::kExitUsage;
    }
    for (const Bound& bound : given_) {
      if (bound.option->count() == 0) continue;
      absl::CommandLineFlag* flag = absl::FindCommandLineFlag(bound.name);
      std::string error;
      if (!flag->ParseFrom(*bound.value, &error)) {
        return collections::cli::UsageError(
            absl::StrCat("--", bound.name, "=", *bound.value, ": ", error));
      }
    }
    for (const Command& command : commands_) {
      if (command.app->parsed()) return command.run(*command.values);
    }
    std::fprintf(stderr, "%s\n", app_.help().c_str());
    return collections::cli::kExitUsage;
  }

 private:
  struct Command {
    CLI::App* app;
    std::shared_ptr<std::vector<std::string>> values;
    std::function<int(const std::vector<std::string>&)> run;
  };

  // Option --`name` on `command`, documented and defaulted as the absl flag
  // of that name; a bool flag may stand alone (--json) or take a value
  // (--wait=false).
  void Bind(CLI::App* command, const char* name) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      std::fprintf(stderr, "collectionsctl: no flag --%s\n", name);
      std::abort();  // a programming error: the table names a missing flag
    }
    auto value = std::make_shared<std::string>();
    const std::string help = absl::StrCat(
        flag->Help(),
        flag->DefaultValue().empty()
            ? ""
            : absl::StrCat(" (default ", flag->DefaultValue(), ")"));
    CLI::Option* option =
        flag->IsOfType<bool>()
            ? command->add_flag(absl::StrCat("--", name, "{true}"), *value,
                                help)
            : command->add_option(absl::StrCat("--", name), *value, help);
    given_.push_back({name, option, value});
  }

  CLI::App app_;
  std::vector<Command> commands_;
  struct Bound {
    std::string name;
    CLI::Option* option;
    std::shared_ptr<std::string> value;
  };
  std::vector<Bound> given_;  // every bound option; applied when given
};

}  // namespace

int main(int argc, char** argv) {
  namespace cli = collections::cli;
  std::shared_ptr<grpc::Channel> channel_held;
  bool credentials_failed = false;
  // The channel, made once a command that calls the server runs.
  auto channel = [&]() -> const std::shared_ptr<grpc::Channel>& {
    if (channel_held == nullptr && !credentials_failed) {
      std::shared_ptr<grpc::ChannelCredentials> credentials;
      if (!CredentialsFromFlags(&credentials)) {
        credentials_failed = true;
      } else {
        channel_held =
            grpc::CreateChannel(absl::GetFlag(FLAGS_server), credentials);
      }
    }
    return channel_held;
  };
  // A command that calls the server: kExitUsage when the credentials are not
  // usable (already said why).
  auto online = [&](auto command) {
    return [&, command](const std::vector<std::string>& args) {
      if (channel() == nullptr) return static_cast<int>(cli::kExitUsage);
      return command(channel(), args);
    };
  };
  using Args = std::vector<std::string>;
  using Channel = std::shared_ptr<grpc::Channel>;
  CommandLine line;
  const std::string cases = "Cases and portfolio";
  const std::string operations = "Operations";
  const std::string audit = "Audit and agencies";
  line.Add(cases, "list", "cases, first page", {}, {"debtor", "page_size"},
           online([](const Channel& c, const Args&) { return cli::List(c); }));
  line.Add(cases, "case", "balances, installments, holds, invoices", {"CASE"},
           {}, online([](const Channel& c, const Args& a) {
             return cli::Case(c, a[0]);
           }));
  line.Add(cases, "standing", "what may be done now, and what blocks the rest",
           {"CASE"}, {}, online([](const Channel& c, const Args& a) {
             return cli::Standing(c, a[0]);
           }));
  line.Add(cases, "timeline", "every act on the debtor's cases", {"DEBTOR"},
           {"page_size"}, online([](const Channel& c, const Args& a) {
             return cli::Timeline(c, a[0]);
           }));
  line.Add(cases, "tail", "follow the event log", {}, {"after"},
           online([](const Channel& c, const Args&) { return cli::Tail(c); }));
  line.Add(
      cases, "queue", "due actions", {},
      {"as_of", "kind", "creditor", "page_size"},
      online([](const Channel& c, const Args&) { return cli::WorkQueue(c); }));
  line.Add(cases, "kpis", "portfolio figures (DSO and CEI need the sales)", {},
           {"as_of", "creditor", "credit_sales_minor", "credit_sales_currency",
            "period_days"},
           online([](const Channel& c, const Args&) { return cli::Kpis(c); }));
  line.Add(
      operations, "health", "SERVING or not (exit 4 when not)", {}, {},
      online([](const Channel& c, const Args&) { return cli::Health(c); }));
  line.Add(
      operations, "status", "server, log head, signed head, projections", {},
      {}, online([](const Channel& c, const Args&) { return cli::Status(c); }));
  line.Add(operations, "projections", "each read model's position and state",
           {}, {}, online([](const Channel& c, const Args&) {
             return cli::Projections(c);
           }));
  line.Add(operations, "rebuild", "rebuild a projection, with a progress bar",
           {"PROJECTION"}, {"wait"},
           online([](const Channel& c, const Args& a) {
             return cli::Rebuild(c, a[0]);
           }));
  line.Add(operations, "process-due",
           "append the events whose time has come (for an instant passed)", {},
           {"as_of", "case_id"}, online([](const Channel& c, const Args&) {
             return cli::ProcessDue(c);
           }));
  line.Add(
      operations, "backup", "an online backup, on the server host", {}, {"out"},
      online([](const Channel& c, const Args&) { return cli::Backup(c); }));
  line.Add(operations, "restore",
           "offline: a backup into a new data directory, proven first",
           {"BACKUP_DIR"}, {"data_dir", "public_key", "signing_key_file"},
           [](const Args& a) { return cli::Restore(a[0]); });
  line.Add(operations, "rewrap-keys", "offline: rotate the master key", {},
           {"data_dir", "keys_dir", "master_key_file", "new_master_key_file"},
           [](const Args&) { return cli::RewrapKeys(); });
  line.Add(operations, "verify",
           "offline: bundle FILE | package DIR | datadir DIR", {"WHAT", "PATH"},
           {"public_key"},
           [](const Args& a) { return cli::Verify(a[0], a[1]); });
  line.Add(operations, "forget",
           "erase a debtor's personal data (GDPR art. 17)", {"DEBTOR"},
           {"reference"}, online([](const Channel& c, const Args& a) {
             return cli::Forget(c, a[0]);
           }));
  line.Add(audit, "public-key", "the audit signing key's public half (PEM)", {},
           {"out"}, online([](const Channel& c, const Args&) {
             return cli::PublicKey(c);
           }));
  line.Add(audit, "head", "the newest signed tree head", {}, {"fresh"},
           online([](const Channel& c, const Args&) { return cli::Head(c); }));
  line.Add(audit, "trail", "who did what and when", {},
           {"actor", "case_id", "debtor", "type", "page_size"},
           online([](const Channel& c, const Args&) { return cli::Trail(c); }));
  line.Add(audit, "bundle", "an evidence bundle to a file: case|debtor ID",
           {"KIND", "ID"}, {"out"}, online([](const Channel& c, const Args& a) {
             return cli::Bundle(c, a[0], a[1]);
           }));
  line.Add(audit, "dossier",
           "the bundle verified, as an HTML page: case|debtor ID, or file "
           "BUNDLE",
           {"KIND", "ID"}, {"out", "public_key"}, [&](const Args& a) {
             // A bundle file is rendered offline: no server, no channel.
             if (a[0] == "file") return cli::Dossier(nullptr, a[0], a[1]);
             if (channel() == nullptr) return static_cast<int>(cli::kExitUsage);
             return cli::Dossier(channel(), a[0], a[1]);
           });
  line.Add(audit, "package", "a case's placement package into a directory",
           {"CASE"}, {"out", "package_id", "actor_id", "actor_role"},
           online([](const Channel& c, const Args& a) {
             return cli::Package(c, a[0]);
           }));
  line.Add(audit, "delivery", "an agency's delivery into a directory",
           {"AGENCY"}, {"out", "since", "through", "actor_id", "actor_role"},
           online([](const Channel& c, const Args& a) {
             return cli::Delivery(c, a[0]);
           }));
  line.Add(audit, "import-returns", "an agency's return file", {"FILE"},
           {"actor_id", "actor_role"},
           online([](const Channel& c, const Args& a) {
             return cli::ImportReturns(c, a[0]);
           }));
  line.Add(audit, "agency-key",
           "admin: seal packages' personal data to an agency's key",
           {"AGENCY", "PUBLIC_KEY_PEM"}, {"actor_id", "actor_role"},
           online([](const Channel& c, const Args& a) {
             return cli::RegisterAgencyKey(c, a[0], a[1]);
           }));
  return line.Run(argc, argv);
}
