// Offline verification of audit evidence, shared by collections-verify (the
// standalone verifier handed to auditors and agencies) and collectionsctl's
// `verify` and `restore` commands: an evidence bundle file, a placement
// package directory, or a whole event log data directory (opened
// read-only), each against the server's public key.
//
// Each check prints what holds and what failed ("HOLDS …", "FAILED …",
// then VERIFIED or NOT VERIFIED), or with `json` one object
// {"verified":…,"holds":[…],"failures":[…]}, and returns the exit status:
// 0 verified, 1 a check failed, 2 the input could not be read.
#ifndef COLLECTIONS_TOOLS_VERIFY_VERIFICATION_H_
#define COLLECTIONS_TOOLS_VERIFY_VERIFICATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/audit/ed25519_keys.h"
#include "services/audit/evidence_bundle.h"

namespace collections::verify {

inline constexpr int kVerified = 0;
inline constexpr int kNotVerified = 1;
inline constexpr int kUnreadable = 2;

// The public key in the PEM file `path`. INVALID_ARGUMENT naming the file
// when it is unreadable or not an Ed25519 public key.
absl::StatusOr<audit::VerifyingKey> LoadVerifyingKey(const std::string& path);

int VerifyBundleFile(const std::string& path, const audit::VerifyingKey& key,
                     bool json);
int VerifyPackageDir(const std::string& dir, const audit::VerifyingKey& key,
                     bool json);
int VerifyDataDir(const std::string& dir, const audit::VerifyingKey& key,
                  bool json);

// Prints `report` as described above; returns kVerified or kNotVerified.
int PrintReport(const audit::VerificationReport& report, bool json);

}  // namespace collections::verify

#endif  // COLLECTIONS_TOOLS_VERIFY_VERIFICATION_H_
