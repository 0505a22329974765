// Offline verification of a placement package (placement_package.h), with
// nothing but its files and the server's public key — what an agency or a
// court runs before relying on a file:
//   - manifest.json parses and names this schema;
//   - every file it lists is there with its SHA-256 and size;
//   - the tree head it was cut at carries the key's valid signature;
//   - the evidence bundle verifies (services/audit/evidence_bundle.h)
//     against that same head, and holds the case's events 1..case_version
//     that history.jsonl lists.
#ifndef COLLECTIONS_SERVICES_AGENCY_PACKAGE_VERIFICATION_H_
#define COLLECTIONS_SERVICES_AGENCY_PACKAGE_VERIFICATION_H_

#include <map>
#include <string>

#include "services/audit/ed25519_keys.h"
#include "services/audit/evidence_bundle.h"

namespace collections::agency {

// `files`: file name → content, as delivered (manifest.json included).
audit::VerificationReport VerifyPlacementPackage(
    const std::map<std::string, std::string>& files,
    const audit::VerifyingKey& key);

}  // namespace collections::agency

#endif  // COLLECTIONS_SERVICES_AGENCY_PACKAGE_VERIFICATION_H_
