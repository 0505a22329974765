// The placement package: everything an agency needs to take a case over,
// as files (services/agency/file_formats.h) with a manifest.
//
//   manifest.json         PackageManifest (proto/collections/v1/agency.proto):
//                         ids, agency terms, balance by bucket, each other
//                         file's SHA-256 and record count, the signed tree
//                         head the package was cut at
//   debtor.jsonl          the debtor's ids and flags (holds in force), and
//                         what the package says of personal data
//   personal.sealed.json  the debtor's name and contact points, sealed to
//                         the agency's key (personal_file.h); only when
//                         there are some and the agency has a key
//   claim_lines.csv       the invoices with their limitation deadlines
//   balance.csv           the balance by bucket
//   history.jsonl         every event of the case, the whole envelope, but
//                         another agency's (withheld in the bundle too)
//   history.csv           the same, one readable line each
//   letters.csv           letters with their delivery evidence
//   documents.csv         the evidence document index (content hashes)
//   evidence_bundle.binpb the case's EvidenceBundle against the same head,
//                         for `collections-verify bundle`
//
// Pure: the package is a function of its input, so the same events, terms
// and head always give byte-identical files (the manifest's hash, which
// HandedToAgency records, is the proof of that).
#ifndef COLLECTIONS_SERVICES_AGENCY_PLACEMENT_PACKAGE_H_
#define COLLECTIONS_SERVICES_AGENCY_PLACEMENT_PACKAGE_H_

#include <string>
#include <vector>

#include "collections/v1/agency.pb.h"
#include "collections/v1/audit.pb.h"
#include "collections/v1/events.pb.h"
#include "services/agency/personal_file.h"
#include "services/domain/case_state.h"

namespace collections::agency {

inline constexpr char kPackageSchema[] = "collections.placement-package/1";
inline constexpr char kManifestFile[] = "manifest.json";
inline constexpr char kBundleFile[] = "evidence_bundle.binpb";

struct PackageInput {
  // The agency's terms; package_id set. The package fields the server
  // fills afterwards (manifest hash, tree size) are ignored.
  collections::v1::HandedToAgency placement;
  // The case folded from exactly `events`.
  domain::CaseState state;
  // The case's events 1..state.version, in order, as stored.
  std::vector<collections::v1::Event> events;
  // The head the package is cut at and the case's bundle against it.
  collections::v1::SignedTreeHead head;
  collections::v1::EvidenceBundle bundle;
  // The debtor's personal data: what debtor.jsonl says of it (one of the
  // kPersonal* statements of personal_file.h) and, when it is sealed to the
  // agency, personal.sealed.json's content (empty: no such file).
  std::string personal_data = kPersonalNoneRecorded;
  std::string personal_file;
};

collections::v1::PlacementPackage BuildPlacementPackage(
    const PackageInput& input);

// The package's default id: "PKG-<case id>-<placement number>".
std::string DefaultPackageId(const std::string& case_id, uint32_t placement);

}  // namespace collections::agency

#endif  // COLLECTIONS_SERVICES_AGENCY_PLACEMENT_PACKAGE_H_
