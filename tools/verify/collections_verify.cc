// collections-verify: checks audit evidence offline, with nothing but the
// evidence and the server's public key: no server, no network.
//
//   collections-verify bundle  --bundle=case-123.bundle --public_key=key.pem
//   collections-verify datadir --data_dir=data          --public_key=key.pem
//   collections-verify package --dir=PKG-c-1-1          --public_key=key.pem
//   collections-verify open-personal --dir=PKG-c-1-1 --agency_key=agency.pem
//
// `bundle` checks an evidence bundle (written by `collectionsctl bundle`):
// the signed head, every event's inclusion in it at its position, and each
// stream's chain from its first version to its last. `datadir` recomputes a
// whole event log data directory (opened read-only) from its records and
// checks it against every signed head kept there. `package` checks a
// placement package directory (collectionsctl package): every file against
// the manifest's SHA-256, the manifest's signed head, and the evidence
// bundle inside against that head. (collectionsctl verify does the same
// for an operator; this binary is the one handed to third parties.)
// `open-personal` is the agency's: it opens the package's
// personal.sealed.json with the agency's X25519 private key and prints the
// debtor's name and contact points as JSON (exit 1 when the file is not
// sealed to that key).
//
// Prints what holds and, on failure, which event and which check failed.
// Exit status: 0 verified, 1 a check failed, 2 the input could not be read.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/file_contents.h"
#include "services/agency/file_formats.h"
#include "services/agency/personal_file.h"
#include "tools/verify/verification.h"

ABSL_FLAG(std::string, bundle, "", "bundle: the evidence bundle file");
ABSL_FLAG(std::string, data_dir, "", "datadir: the event log data directory");
ABSL_FLAG(std::string, dir, "", "package: the placement package directory");
ABSL_FLAG(std::string, public_key, "",
          "the server's public key, PEM (collectionsctl public-key)");
ABSL_FLAG(std::string, agency_key, "",
          "open-personal: the agency's X25519 private key, PEM");

namespace {

int OpenPersonal(const std::string& dir, const std::string& key_file) {
  namespace verify = collections::verify;
  std::string sealed, key;
  const std::string path = dir + "/" + collections::agency::kPersonalFile;
  if (!collections::ReadFileContents(path, &sealed)) {
    std::fprintf(stderr,
                 "%s cannot be read (the package carries no sealed "
                 "personal data: see personal_data in debtor.jsonl)\n",
                 path.c_str());
    return verify::kUnreadable;
  }
  if (!collections::ReadFileContents(key_file, &key)) {
    std::fprintf(stderr, "the agency key %s cannot be read\n",
                 key_file.c_str());
    return verify::kUnreadable;
  }
  auto opened = collections::agency::OpenPersonalFile(sealed, key);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(opened.status().message()).c_str());
    return opened.status().code() == absl::StatusCode::kDataLoss
               ? verify::kNotVerified
               : verify::kUnreadable;
  }
  std::printf("%s\n", collections::agency::MessageJsonLine(*opened).c_str());
  return verify::kVerified;
}

}  // namespace

int main(int argc, char** argv) {
  namespace verify = collections::verify;
  absl::SetProgramUsageMessage(
      "collections-verify bundle --bundle=FILE --public_key=KEY.pem\n"
      "collections-verify datadir --data_dir=DIR --public_key=KEY.pem\n"
      "collections-verify package --dir=DIR --public_key=KEY.pem\n"
      "collections-verify open-personal --dir=DIR --agency_key=AGENCY.pem");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() == 2 ? args[1] : "";
  if (mode == "open-personal") {
    return OpenPersonal(absl::GetFlag(FLAGS_dir),
                        absl::GetFlag(FLAGS_agency_key));
  }
  if (mode != "bundle" && mode != "datadir" && mode != "package") {
    std::fprintf(stderr, "%s\n", absl::ProgramUsageMessage().data());
    return verify::kUnreadable;
  }
  auto key = verify::LoadVerifyingKey(absl::GetFlag(FLAGS_public_key));
  if (!key.ok()) {
    std::fprintf(stderr, "%s\n", std::string(key.status().message()).c_str());
    return verify::kUnreadable;
  }
  std::printf("key     %s\n", key->Fingerprint().c_str());
  if (mode == "bundle")
    return verify::VerifyBundleFile(absl::GetFlag(FLAGS_bundle), *key, false);
  if (mode == "package")
    return verify::VerifyPackageDir(absl::GetFlag(FLAGS_dir), *key, false);
  return verify::VerifyDataDir(absl::GetFlag(FLAGS_data_dir), *key, false);
}
