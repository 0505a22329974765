#include "services/agency/package_verification.h"

#include "absl/strings/str_cat.h"
#include "collections/v1/agency.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/agency/file_formats.h"
#include "services/agency/personal_file.h"
#include "services/agency/placement_package.h"
#include "services/audit/signed_tree_head.h"

namespace collections::agency {

namespace v1 = ::collections::v1;

audit::VerificationReport VerifyPlacementPackage(
    const std::map<std::string, std::string>& files,
    const audit::VerifyingKey& key) {
  audit::VerificationReport report;
  auto fail = [&report](std::string what) {
    report.failures.push_back(std::move(what));
    return report;
  };
  auto manifest_file = files.find(kManifestFile);
  if (manifest_file == files.end()) return fail("manifest.json is missing");
  v1::PackageManifest manifest;
  if (!google::protobuf::util::JsonStringToMessage(manifest_file->second,
                                                   &manifest)
           .ok()) {
    return fail("manifest.json is not a PackageManifest");
  }
  if (manifest.schema() != kPackageSchema) {
    return fail(absl::StrCat("manifest.json: schema '", manifest.schema(),
                             "', not ", kPackageSchema));
  }
  report.holds.push_back(
      absl::StrCat("manifest: package ", manifest.package_id(), " of case ",
                   manifest.case_id(), " for agency ", manifest.agency_id(),
                   ", ", Sha256Hex(manifest_file->second)));

  for (const v1::ManifestFile& listed : manifest.files()) {
    auto file = files.find(listed.name());
    if (file == files.end()) {
      report.failures.push_back(
          absl::StrCat(listed.name(), ": listed in the manifest, missing"));
      continue;
    }
    const std::string digest = Sha256Hex(file->second);
    if (digest != listed.sha256_hex() ||
        file->second.size() != listed.bytes()) {
      report.failures.push_back(
          absl::StrCat(listed.name(), ": SHA-256 ", digest, " (",
                       file->second.size(), " bytes), the manifest says ",
                       listed.sha256_hex(), " (", listed.bytes(), " bytes)"));
      continue;
    }
    report.holds.push_back(
        absl::StrCat(listed.name(), ": SHA-256 matches the manifest"));
  }

  // The debtor's personal data, if the package carries it: sealed to this
  // package's agency, checked without opening it.
  if (auto personal = files.find(kPersonalFile); personal != files.end()) {
    const std::vector<std::string> findings = SealedPersonalFileFindings(
        personal->second, manifest.package_id(), manifest.agency_id());
    for (const std::string& finding : findings)
      report.failures.push_back(finding);
    if (findings.empty()) {
      report.holds.push_back(absl::StrCat(
          kPersonalFile, ": sealed to agency ", manifest.agency_id(),
          " for package ", manifest.package_id(), " (not opened)"));
    }
  }

  const absl::Status head = audit::VerifyTreeHead(manifest.tree_head(), key);
  if (!head.ok()) {
    return fail(absl::StrCat("tree head: ", head.message()));
  }
  report.holds.push_back(absl::StrCat("tree head of size ",
                                      manifest.tree_head().tree_size(),
                                      ": signature valid"));

  auto bundle_file = files.find(kBundleFile);
  v1::EvidenceBundle bundle;
  if (bundle_file == files.end() ||
      !bundle.ParseFromString(bundle_file->second)) {
    return fail(absl::StrCat(kBundleFile, ": missing or unreadable"));
  }
  if (bundle.head().tree_size() != manifest.tree_head().tree_size() ||
      bundle.head().root_hash() != manifest.tree_head().root_hash()) {
    return fail(
        absl::StrCat(kBundleFile, ": its head is not the manifest's head"));
  }
  audit::VerificationReport bundle_report =
      audit::VerifyEvidenceBundle(bundle, key);
  for (auto& line : bundle_report.holds)
    report.holds.push_back(absl::StrCat("bundle: ", line));
  for (auto& line : bundle_report.failures)
    report.failures.push_back(absl::StrCat("bundle: ", line));
  if (static_cast<uint64_t>(bundle.events_size()) != manifest.case_version()) {
    report.failures.push_back(
        absl::StrCat(kBundleFile, ": ", bundle.events_size(),
                     " events; the manifest cuts the case at version ",
                     manifest.case_version()));
  } else {
    report.holds.push_back(absl::StrCat("bundle: the case's events 1..",
                                        manifest.case_version(),
                                        ", as the manifest says"));
  }
  return report;
}

}  // namespace collections::agency
