// collections-verify: checks audit evidence offline, with nothing but the
// evidence and the server's public key: no server, no network.
//
//   collections-verify bundle  --bundle=case-123.bundle --public_key=key.pem
//   collections-verify datadir --data_dir=data          --public_key=key.pem
//   collections-verify package --dir=PKG-c-1-1          --public_key=key.pem
//
// `bundle` checks an evidence bundle (written by `collectionsctl bundle`):
// the signed head, every event's inclusion in it at its position, and each
// stream's chain from its first version to its last. `datadir` recomputes a
// whole event log data directory (opened read-only) from its records and
// checks it against every signed head kept there. `package` checks a
// placement package directory (collectionsctl package): every file against
// the manifest's SHA-256, the manifest's signed head, and the evidence
// bundle inside against that head.
//
// Prints what holds and, on failure, which event and which check failed.
// Exit status: 0 verified, 1 a check failed, 2 the input could not be read.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "collections/v1/audit.pb.h"
#include "services/agency/package_verification.h"
#include "services/audit/ed25519_keys.h"
#include "services/audit/evidence_bundle.h"
#include "services/audit/log_verification.h"
#include "storage/log_integrity.h"

ABSL_FLAG(std::string, bundle, "", "bundle: the evidence bundle file");
ABSL_FLAG(std::string, data_dir, "", "datadir: the event log data directory");
ABSL_FLAG(std::string, dir, "", "package: the placement package directory");
ABSL_FLAG(std::string, public_key, "",
          "the server's public key, PEM (collectionsctl public-key)");

namespace {

constexpr int kVerified = 0;
constexpr int kFailed = 1;
constexpr int kUnreadable = 2;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream contents;
  contents << in.rdbuf();
  *out = contents.str();
  return true;
}

int Report(const collections::audit::VerificationReport& report) {
  for (const std::string& line : report.holds)
    std::printf("HOLDS   %s\n", line.c_str());
  for (const std::string& line : report.failures)
    std::printf("FAILED  %s\n", line.c_str());
  std::printf("%s\n", report.ok() ? "VERIFIED" : "NOT VERIFIED");
  return report.ok() ? kVerified : kFailed;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "collections-verify bundle --bundle=FILE --public_key=KEY.pem\n"
      "collections-verify datadir --data_dir=DIR --public_key=KEY.pem\n"
      "collections-verify package --dir=DIR --public_key=KEY.pem");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() == 2 ? args[1] : "";
  std::string pem;
  if ((mode != "bundle" && mode != "datadir" && mode != "package") ||
      !ReadFile(absl::GetFlag(FLAGS_public_key), &pem)) {
    std::fprintf(stderr, "%s\n(the public key file must be readable)\n",
                 absl::ProgramUsageMessage().data());
    return kUnreadable;
  }
  auto key = collections::audit::VerifyingKey::FromPem(pem);
  if (!key.ok()) {
    std::fprintf(stderr, "public key: %s\n", key.status().ToString().c_str());
    return kUnreadable;
  }
  std::printf("key     %s\n", key->Fingerprint().c_str());

  if (mode == "bundle") {
    std::string bytes;
    collections::v1::EvidenceBundle bundle;
    if (!ReadFile(absl::GetFlag(FLAGS_bundle), &bytes) ||
        !bundle.ParseFromString(bytes)) {
      std::fprintf(stderr, "cannot read an evidence bundle from '%s'\n",
                   absl::GetFlag(FLAGS_bundle).c_str());
      return kUnreadable;
    }
    std::printf("bundle  %s: %d events, %d streams, tree size %llu\n",
                bundle.subject().c_str(), bundle.events_size(),
                bundle.streams_size(),
                static_cast<unsigned long long>(bundle.head().tree_size()));
    return Report(collections::audit::VerifyEvidenceBundle(bundle, *key));
  }
  if (mode == "package") {
    std::map<std::string, std::string> files;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(absl::GetFlag(FLAGS_dir), error)) {
      if (!entry.is_regular_file()) continue;
      std::string& content = files[entry.path().filename().string()];
      if (!ReadFile(entry.path().string(), &content))
        error = std::make_error_code(std::errc::io_error);
    }
    if (error || files.empty()) {
      std::fprintf(stderr, "cannot read a package from '%s'\n",
                   absl::GetFlag(FLAGS_dir).c_str());
      return kUnreadable;
    }
    return Report(collections::agency::VerifyPlacementPackage(files, *key));
  }
  auto integrity =
      collections::storage::CheckLogIntegrity(absl::GetFlag(FLAGS_data_dir));
  if (!integrity.ok()) {
    std::fprintf(stderr, "%s\n", integrity.status().ToString().c_str());
    return kUnreadable;
  }
  return Report(collections::audit::JudgeLogIntegrity(*integrity, *key));
}
