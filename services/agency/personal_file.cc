#include "services/agency/personal_file.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "services/agency/file_formats.h"
#include "services/security/recipient_sealing.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;

std::string AssociatedData(const std::string& package_id,
                           const std::string& agency_id,
                           const std::string& recipient_key) {
  return absl::StrCat(kSealedPersonalSchema, "\n", package_id, "\n", agency_id,
                      "\n", recipient_key);
}

absl::StatusOr<v1::SealedPersonalFile> Parse(absl::string_view content) {
  v1::SealedPersonalFile file;
  absl::string_view line = absl::StripTrailingAsciiWhitespace(content);
  if (!google::protobuf::util::JsonStringToMessage(
           std::string(line), &file, google::protobuf::util::JsonParseOptions())
           .ok() ||
      file.schema() != kSealedPersonalSchema) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPersonalFile, " is not a sealed personal file (schema ",
                     kSealedPersonalSchema, ")"));
  }
  return file;
}

}  // namespace

std::vector<std::string> DisclosedCategories(
    const v1::PackagePersonalData& data) {
  std::vector<std::string> categories;
  if (!data.name().empty()) categories.push_back("name");
  for (const char* kind : {"phone", "email", "postal"}) {
    for (const auto& point : data.contact_points()) {
      if (point.kind() == kind) {
        categories.push_back(kind);
        break;
      }
    }
  }
  if (data.representation_size() > 0) categories.push_back("representation");
  return categories;
}

absl::StatusOr<std::string> SealPersonalFile(
    const v1::PackagePersonalData& data, const std::string& package_id,
    const std::string& agency_id, absl::string_view recipient_public_key,
    absl::string_view seed) {
  v1::SealedPersonalFile file;
  file.set_schema(kSealedPersonalSchema);
  file.set_package_id(package_id);
  file.set_recipient(agency_id);
  file.set_recipient_key(security::PublicKeyFingerprint(recipient_public_key));
  file.set_algorithm(security::kRecipientSealingAlgorithm);
  absl::StatusOr<security::RecipientSealed> sealed = security::SealToRecipient(
      recipient_public_key, MessageJsonLine(data),
      AssociatedData(package_id, agency_id, file.recipient_key()), seed);
  if (!sealed.ok()) return sealed.status();
  file.set_ephemeral_public_key(sealed->ephemeral_public_key);
  file.set_nonce(sealed->nonce);
  file.set_ciphertext(sealed->ciphertext);
  return MessageJsonLine(file) + "\n";
}

absl::StatusOr<v1::PackagePersonalData> OpenPersonalFile(
    absl::string_view content, absl::string_view private_key_pem) {
  absl::StatusOr<v1::SealedPersonalFile> file = Parse(content);
  if (!file.ok()) return file.status();
  security::RecipientSealed sealed{file->ephemeral_public_key(), file->nonce(),
                                   file->ciphertext()};
  absl::StatusOr<std::string> plaintext = security::OpenAsRecipient(
      private_key_pem, sealed,
      AssociatedData(file->package_id(), file->recipient(),
                     file->recipient_key()));
  if (!plaintext.ok()) return plaintext.status();
  v1::PackagePersonalData data;
  if (!google::protobuf::util::JsonStringToMessage(*plaintext, &data).ok()) {
    return absl::DataLossError("the opened personal data is not readable");
  }
  return data;
}

std::vector<std::string> SealedPersonalFileFindings(
    absl::string_view content, const std::string& package_id,
    const std::string& agency_id) {
  std::vector<std::string> findings;
  absl::StatusOr<v1::SealedPersonalFile> file = Parse(content);
  if (!file.ok()) return {std::string(file.status().message())};
  if (file->package_id() != package_id)
    findings.push_back(absl::StrCat(kPersonalFile, " is for package ",
                                    file->package_id(), ", not ", package_id));
  if (file->recipient() != agency_id)
    findings.push_back(absl::StrCat(kPersonalFile, " is sealed to ",
                                    file->recipient(), ", not ", agency_id));
  if (file->algorithm() != security::kRecipientSealingAlgorithm)
    findings.push_back(absl::StrCat(kPersonalFile, " uses ", file->algorithm(),
                                    ", not ",
                                    security::kRecipientSealingAlgorithm));
  if (file->recipient_key().size() != 64 ||
      file->ephemeral_public_key().size() != 32 || file->nonce().size() != 12 ||
      file->ciphertext().size() < 16)
    findings.push_back(absl::StrCat(
        kPersonalFile, ": a key, nonce or ciphertext has the wrong size"));
  return findings;
}

}  // namespace collections::agency
