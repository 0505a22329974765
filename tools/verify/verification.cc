#include "tools/verify/verification.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/audit.pb.h"
#include "common/file_contents.h"
#include "nlohmann/json.hpp"
#include "services/agency/package_verification.h"
#include "services/audit/log_verification.h"
#include "services/observability/json_text.h"
#include "storage/log_integrity.h"

namespace collections::verify {
namespace {

int Unreadable(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  return kUnreadable;
}

}  // namespace

absl::StatusOr<audit::VerifyingKey> LoadVerifyingKey(const std::string& path) {
  std::string pem;
  if (path.empty() || !ReadFileContents(path, &pem)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the public key file '", path,
                     "' (collectionsctl public-key --out=FILE writes it)"));
  }
  auto key = audit::VerifyingKey::FromPem(pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", key.status().message()));
  }
  return key;
}

int PrintReport(const audit::VerificationReport& report, bool json) {
  if (json) {
    const nlohmann::ordered_json document = {{"verified", report.ok()},
                                             {"holds", report.holds},
                                             {"failures", report.failures}};
    std::printf("%s\n", observability::JsonText(document).c_str());
  } else {
    for (const std::string& line : report.holds)
      std::printf("HOLDS   %s\n", line.c_str());
    for (const std::string& line : report.failures)
      std::printf("FAILED  %s\n", line.c_str());
    std::printf("%s\n", report.ok() ? "VERIFIED" : "NOT VERIFIED");
  }
  return report.ok() ? kVerified : kNotVerified;
}

int VerifyBundleFile(const std::string& path, const audit::VerifyingKey& key,
                     bool json) {
  std::string bytes;
  collections::v1::EvidenceBundle bundle;
  if (!ReadFileContents(path, &bytes) || !bundle.ParseFromString(bytes)) {
    return Unreadable(
        absl::StrCat("cannot read an evidence bundle from '", path, "'"));
  }
  if (!json) {
    std::printf("bundle  %s: %d events, %d streams, tree size %llu\n",
                bundle.subject().c_str(), bundle.events_size(),
                bundle.streams_size(),
                static_cast<unsigned long long>(bundle.head().tree_size()));
  }
  return PrintReport(audit::VerifyEvidenceBundle(bundle, key), json);
}

int VerifyPackageDir(const std::string& dir, const audit::VerifyingKey& key,
                     bool json) {
  std::map<std::string, std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.is_regular_file()) continue;
    std::string& content = files[entry.path().filename().string()];
    if (!ReadFileContents(entry.path().string(), &content))
      error = std::make_error_code(std::errc::io_error);
  }
  if (error || files.empty())
    return Unreadable(absl::StrCat("cannot read a package from '", dir, "'"));
  return PrintReport(agency::VerifyPlacementPackage(files, key), json);
}

int VerifyDataDir(const std::string& dir, const audit::VerifyingKey& key,
                  bool json) {
  auto integrity = storage::CheckLogIntegrity(dir);
  if (!integrity.ok()) return Unreadable(integrity.status().ToString());
  return PrintReport(audit::JudgeLogIntegrity(*integrity, key), json);
}

}  // namespace collections::verify
