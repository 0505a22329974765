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
// bundle inside against that head. (collectionsctl verify does the same
// for an operator; this binary is the one handed to third parties.)
//
// Prints what holds and, on failure, which event and which check failed.
// Exit status: 0 verified, 1 a check failed, 2 the input could not be read.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tools/verify/verification.h"

ABSL_FLAG(std::string, bundle, "", "bundle: the evidence bundle file");
ABSL_FLAG(std::string, data_dir, "", "datadir: the event log data directory");
ABSL_FLAG(std::string, dir, "", "package: the placement package directory");
ABSL_FLAG(std::string, public_key, "",
          "the server's public key, PEM (collectionsctl public-key)");

int main(int argc, char** argv) {
  namespace verify = collections::verify;
  absl::SetProgramUsageMessage(
      "collections-verify bundle --bundle=FILE --public_key=KEY.pem\n"
      "collections-verify datadir --data_dir=DIR --public_key=KEY.pem\n"
      "collections-verify package --dir=DIR --public_key=KEY.pem");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() == 2 ? args[1] : "";
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
