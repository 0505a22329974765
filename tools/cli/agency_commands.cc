#include "tools/cli/agency_commands.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "collections/v1/agency.grpc.pb.h"
#include "common/sha256.h"
#include "google/protobuf/util/json_util.h"
#include "tools/cli/cli_output.h"

ABSL_FLAG(std::string, package_id, "",
          "package: which placement (default: the latest)");
ABSL_FLAG(uint64_t, since, 0, "delivery: after this global position");
ABSL_FLAG(uint64_t, through, 0, "delivery: up to this position (0: the head)");
ABSL_FLAG(std::string, actor_id, "", "the caller's id (x-actor-id)");
ABSL_FLAG(std::string, actor_role, "",
          "the caller's role (x-actor-role), e.g. agency:incasso-noord");
ABSL_DECLARE_FLAG(std::string, out);

namespace collections::cli {
namespace {

namespace v1 = ::collections::v1;

void Identify(grpc::ClientContext* context) {
  if (!absl::GetFlag(FLAGS_actor_id).empty())
    context->AddMetadata("x-actor-id", absl::GetFlag(FLAGS_actor_id));
  if (!absl::GetFlag(FLAGS_actor_role).empty())
    context->AddMetadata("x-actor-role", absl::GetFlag(FLAGS_actor_role));
}

bool Write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

// Writes the package's files into `dir` (created); false on an I/O error.
bool WritePackage(const v1::PlacementPackage& package,
                  const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return false;
  for (const v1::PackageFile& file : package.files()) {
    if (!Write(dir / file.name(), file.content())) return false;
  }
  return true;
}

std::string JsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out + "\n";
}

std::string OutDir() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) std::fprintf(stderr, "error: --out=DIR is required\n");
  return out;
}

}  // namespace

int Package(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& case_id) {
  const std::string out = OutDir();
  if (out.empty() || case_id.empty()) return 2;
  auto stub = v1::AgencyHandoff::NewStub(channel);
  grpc::ClientContext context;
  Identify(&context);
  v1::GetPlacementPackageRequest request;
  request.set_case_id(case_id);
  request.set_package_id(absl::GetFlag(FLAGS_package_id));
  v1::PlacementPackage package;
  grpc::Status status = stub->GetPlacementPackage(&context, request, &package);
  if (!status.ok()) return Fail(status);
  if (!WritePackage(package, out)) {
    std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
    return 1;
  }
  if (JsonOutput()) {
    for (auto& file : *package.mutable_files()) file.clear_content();
    PrintJson(package);  // the files' names and hashes; contents in `out`
    return kExitOk;
  }
  std::printf("package   %s of case %s\nmanifest  %s\n",
              package.package_id().c_str(), package.case_id().c_str(),
              package.manifest_sha256_hex().c_str());
  for (const v1::PackageFile& file : package.files()) {
    std::printf("  %-22s %8zu bytes  %s\n", file.name().c_str(),
                file.content().size(), file.sha256_hex().c_str());
  }
  return 0;
}

int Delivery(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& agency_id) {
  const std::string out = OutDir();
  if (out.empty() || agency_id.empty()) return 2;
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) {
    std::fprintf(stderr, "error: cannot create %s\n", out.c_str());
    return 1;
  }
  auto stub = v1::AgencyHandoff::NewStub(channel);
  grpc::ClientContext context;
  Identify(&context);
  v1::ExportDeliveryRequest request;
  request.set_agency_id(agency_id);
  request.set_since_position(absl::GetFlag(FLAGS_since));
  request.set_through_position(absl::GetFlag(FLAGS_through));
  auto reader = stub->ExportDelivery(&context, request);
  std::string lines;
  v1::DeliveryPart part;
  v1::DeliveryTrailer trailer;
  while (reader->Read(&part)) {
    if (part.has_placement()) {
      const std::filesystem::path dir =
          std::filesystem::path(out) / part.placement().package().package_id();
      if (!WritePackage(part.placement().package(), dir)) {
        std::fprintf(stderr, "error: cannot write %s\n", dir.c_str());
        return 1;
      }
      for (auto& file :
           *part.mutable_placement()->mutable_package()->mutable_files()) {
        file.clear_content();  // in its own file
      }
    }
    if (part.has_trailer()) trailer = part.trailer();
    lines += JsonLine(part);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Fail(status);
  if (!Write(std::filesystem::path(out) / "delivery.jsonl", lines)) {
    std::fprintf(stderr, "error: cannot write %s/delivery.jsonl\n",
                 out.c_str());
    return 1;
  }
  if (PrintedAsJson(trailer)) return kExitOk;
  std::printf(
      "delivery for %s through position %llu: %u placements, %u recalls, "
      "%u payment notices\nnext delivery: --since=%llu\n",
      agency_id.c_str(),
      static_cast<unsigned long long>(trailer.through_position()),
      trailer.placements(), trailer.recalls(), trailer.payment_notices(),
      static_cast<unsigned long long>(trailer.through_position()));
  return 0;
}

int ImportReturns(const std::shared_ptr<grpc::Channel>& channel,
                  const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) {
    std::fprintf(stderr, "error: cannot read '%s'\n", path.c_str());
    return 2;
  }
  std::stringstream content;
  content << in.rdbuf();
  auto stub = v1::AgencyHandoff::NewStub(channel);
  grpc::ClientContext context;
  Identify(&context);
  v1::ImportReturnFileRequest request;
  request.set_file_name(std::filesystem::path(path).filename().string());
  request.set_content(content.str());
  v1::ImportReturnFileResponse response;
  grpc::Status status = stub->ImportReturnFile(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf("%s: %u records on %u cases %s (file %s)\n", path.c_str(),
              response.records(), response.cases(),
              response.already_imported() ? "already imported: nothing changed"
                                          : "applied",
              response.file_sha256_hex().c_str());
  for (const std::string& flag : response.reconciliation_flags())
    std::printf("  to reconcile: %s\n", flag.c_str());
  return 0;
}

int RegisterAgencyKey(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& agency_id,
                      const std::string& public_key_path) {
  std::ifstream in(public_key_path, std::ios::binary);
  if (agency_id.empty() || public_key_path.empty() || !in) {
    return UsageError(
        "agency-key <agency id> <public key PEM file> (openssl genpkey "
        "-algorithm X25519 -out agency.pem && openssl pkey -in agency.pem "
        "-pubout -out agency.pub)");
  }
  std::stringstream pem;
  pem << in.rdbuf();
  grpc::ClientContext context;
  Identify(&context);
  v1::RegisterAgencyKeyRequest request;
  request.set_agency_id(agency_id);
  request.set_public_key_pem(pem.str());
  // The same key registered twice is one registration.
  request.set_request_id(
      absl::StrCat("agency-key-", ToHex(Sha256Of(pem.str())).substr(0, 24)));
  v1::RegisterAgencyKeyResponse response;
  grpc::Status status = v1::AgencyHandoff::NewStub(channel)->RegisterAgencyKey(
      &context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf(
      "agency %s: key %s registered (position %llu); new packages "
      "seal the debtor's personal data to it\n",
      agency_id.c_str(), response.fingerprint().c_str(),
      static_cast<unsigned long long>(response.position()));
  return kExitOk;
}

}  // namespace collections::cli
