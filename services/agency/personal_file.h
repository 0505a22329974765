// personal.sealed.json: the debtor's identity and contact points in a
// placement package, sealed to the agency's registered X25519 key
// (proto/collections/v1/agency.proto SealedPersonalFile; issue 25). The
// agency opens it with its private key; anyone else, and the files at rest
// or in transit, see only ciphertext. `collections-verify package` checks
// it by the manifest's hash and its envelope (SealedPersonalFileFindings)
// without opening it.
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_SERVICES_AGENCY_PERSONAL_FILE_H_
#define COLLECTIONS_SERVICES_AGENCY_PERSONAL_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collections/v1/agency.pb.h"

namespace collections::agency {

inline constexpr char kPersonalFile[] = "personal.sealed.json";
inline constexpr char kSealedPersonalSchema[] = "collections.sealed-personal/1";

// What debtor.jsonl says of the debtor's personal data ("personal_data").
inline constexpr char kPersonalSealed[] = "sealed to the agency";
inline constexpr char kPersonalErased[] =
    "none: the debtor's personal data was erased (GDPR art. 17)";
inline constexpr char kPersonalNoAgencyKey[] =
    "withheld: the agency has no registered key (RegisterAgencyKey)";
inline constexpr char kPersonalNoneRecorded[] =
    "none: no personal data of the debtor is recorded";

// The categories `data` discloses ("name", "phone", "email", "postal",
// "representation"), each once, in that order.
std::vector<std::string> DisclosedCategories(
    const collections::v1::PackagePersonalData& data);

// The file's one line. `seed`: a secret of at least 32 bytes that differs
// whenever `data` may (recipient_sealing.h).
absl::StatusOr<std::string> SealPersonalFile(
    const collections::v1::PackagePersonalData& data,
    const std::string& package_id, const std::string& agency_id,
    absl::string_view recipient_public_key, absl::string_view seed);

// Opens the file with the agency's private key (PEM). INVALID_ARGUMENT for
// a file that is not a sealed personal file; DATA_LOSS when it does not
// open with that key (another agency's key, or tampered).
absl::StatusOr<collections::v1::PackagePersonalData> OpenPersonalFile(
    absl::string_view content, absl::string_view private_key_pem);

// Checks without opening: the schema, that it is for `package_id` and
// `agency_id`, and the sizes of its key, nonce and ciphertext. Empty when
// all hold; else one line per failure.
std::vector<std::string> SealedPersonalFileFindings(
    absl::string_view content, const std::string& package_id,
    const std::string& agency_id);

}  // namespace collections::agency

#endif  // COLLECTIONS_SERVICES_AGENCY_PERSONAL_FILE_H_
