// Judging a whole data directory: storage/log_integrity.h recomputes every
// leaf, chain and tree node from the stored records; this checks the kept
// signed heads against those recomputed roots with the public key, so a
// log rewritten consistently (records, leaf hashes and tree nodes alike)
// still fails against the heads signed before the rewrite.
#ifndef COLLECTIONS_SERVICES_AUDIT_LOG_VERIFICATION_H_
#define COLLECTIONS_SERVICES_AUDIT_LOG_VERIFICATION_H_

#include "services/audit/ed25519_keys.h"
#include "services/audit/evidence_bundle.h"
#include "storage/log_integrity.h"

namespace collections::audit {

// Every problem the integrity check found, and for every kept head: its
// signature under `key` and its root against the recomputed one. At least
// one head must be kept and valid for the log to count as verified.
VerificationReport JudgeLogIntegrity(const storage::LogIntegrity& integrity,
                                     const VerifyingKey& key);

}  // namespace collections::audit

#endif  // COLLECTIONS_SERVICES_AUDIT_LOG_VERIFICATION_H_
