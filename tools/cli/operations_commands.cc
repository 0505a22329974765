#include "tools/cli/operations_commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "collections/v1/audit.grpc.pb.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "collections/v1/operations.grpc.pb.h"
#include "common/secret_files.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/audit/ed25519_keys.h"
#include "services/security/personal_data_vault.h"
#include "storage/rocksdb_key_store.h"
#include "tools/cli/cli_output.h"
#include "tools/verify/verification.h"

ABSL_FLAG(std::string, reference, "",
          "forget: the erasure request's reference (e.g. GDPR-2026-117)");
ABSL_FLAG(bool, wait, true,
          "rebuild: follow the rebuild with a progress bar until it is "
          "swapped in");
ABSL_FLAG(std::string, data_dir, "",
          "restore: the data directory to create from the backup");
ABSL_FLAG(std::string, keys_dir, "",
          "rewrap-keys: the data key store (the server's --keys_dir, "
          "default <data_dir>/keys)");
ABSL_FLAG(std::string, master_key_file, "",
          "rewrap-keys: the master key the data keys are wrapped by now");
ABSL_FLAG(std::string, new_master_key_file, "",
          "rewrap-keys: the master key to wrap them by");
ABSL_FLAG(std::string, signing_key_file, "",
          "restore: the server's audit signing key (backups do not hold it): "
          "proves the backup and is copied into the restored directory");
ABSL_FLAG(std::string, public_key, "",
          "verify, restore: the server's public key (PEM; collectionsctl "
          "public-key --out=FILE)");
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, as_of);
ABSL_DECLARE_FLAG(std::string, case_id);

namespace collections::cli {
namespace {

namespace v1 = ::collections::v1;

// grpc.health.v1.Health/Check for `service` (empty: the server as a
// whole), called generically so no health proto needs generating. OK with
// `serving` set, or the call's error.
grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& service, bool* serving) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(3));
  grpc::GenericStub stub(channel);
  // HealthCheckRequest{service}: field 1, length-delimited.
  std::string encoded;
  if (!service.empty()) {
    encoded =
        absl::StrCat("\x0a", std::string(1, char(service.size())), service);
  }
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::CompletionQueue cq;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check",
                                    request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  if (!status.ok()) return status;
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  // HealthCheckResponse{status = SERVING(1)} encodes as 08 01.
  *serving =
      !slices.empty() && slices[0].size() >= 2 && slices[0].begin()[1] == 1;
  return status;
}

void PrintProjection(const v1::ProjectionStatus& p) {
  std::printf("%-16s %-22s %10llu %10llu %8llu %8llu  %s\n", p.name().c_str(),
              p.keyspace().c_str(),
              static_cast<unsigned long long>(p.checkpoint()),
              static_cast<unsigned long long>(p.head()),
              static_cast<unsigned long long>(p.lag_positions()),
              static_cast<unsigned long long>(p.lag_millis()),
              p.failed() ? "STOPPED" : "running");
  if (p.failed()) std::printf("  %s\n", p.failure().c_str());
  if (p.rebuild().running()) {
    std::printf("  rebuilding generation %llu: %u%%\n",
                static_cast<unsigned long long>(p.rebuild().generation()),
                p.rebuild().percent());
  }
}

void PrintProjectionHeader() {
  std::printf("%-16s %-22s %10s %10s %8s %8s  %s\n", "PROJECTION", "KEYSPACE",
              "CHECKPOINT", "HEAD", "LAG", "LAG_MS", "STATE");
}

grpc::Status ListProjections(const std::shared_ptr<grpc::Channel>& channel,
                             v1::ListProjectionsResponse* response) {
  grpc::ClientContext context;
  return v1::Operations::NewStub(channel)->ListProjections(
      &context, v1::ListProjectionsRequest(), response);
}

// "[##########          ]  52%"
std::string ProgressBar(uint32_t percent) {
  const int filled = static_cast<int>(std::min<uint32_t>(percent, 100) / 5);
  return absl::StrCat("[", std::string(filled, '#'),
                      std::string(20 - filled, ' '), "] ",
                      absl::StrFormat("%3u%%", percent));
}

}  // namespace

int Health(const std::shared_ptr<grpc::Channel>& channel) {
  bool serving = false;
  grpc::Status status = CheckHealth(channel, "", &serving);
  if (!status.ok()) return Fail(status);
  if (JsonOutput()) {
    PrintJson(nlohmann::ordered_json{
        {"status", serving ? "SERVING" : "NOT_SERVING"}});
  } else {
    std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
  }
  return serving ? kExitOk : kExitUnavailable;
}

int Status(const std::shared_ptr<grpc::Channel>& channel) {
  bool serving = false, queries_serving = false;
  grpc::Status status = CheckHealth(channel, "", &serving);
  if (!status.ok()) return Fail(status);
  status = CheckHealth(channel, "collections.v1.CaseQueries", &queries_serving);
  // A server that never reported on queries separately serves them.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    queries_serving = serving;
  } else if (!status.ok()) {
    return Fail(status);
  }
  v1::ListProjectionsResponse projections;
  status = ListProjections(channel, &projections);
  if (!status.ok()) return Fail(status);
  v1::SignedTreeHead head;
  {
    grpc::ClientContext context;
    status = v1::Audit::NewStub(channel)->GetSignedTreeHead(
        &context, v1::GetSignedTreeHeadRequest(), &head);
    if (!status.ok()) return Fail(status);
  }
  uint64_t log_head = 0;
  for (const auto& p : projections.projections())
    log_head = std::max<uint64_t>(log_head, p.head());
  const bool healthy = serving && queries_serving;
  if (JsonOutput()) {
    PrintJson(nlohmann::ordered_json{{"serving", serving},
                                     {"queries_serving", queries_serving},
                                     {"log_head", log_head},
                                     {"signed_head", JsonOf(head)},
                                     {"projections", JsonOf(projections)}});
    return healthy ? kExitOk : kExitUnavailable;
  }
  std::printf(
      "server        %s%s\n", serving ? "SERVING" : "NOT_SERVING",
      queries_serving ? "" : " (queries NOT_SERVING: a projection stopped)");
  std::printf("log head      %llu events\n",
              static_cast<unsigned long long>(log_head));
  std::printf("signed head   %llu events, signed %s (%llu unsigned)\n",
              static_cast<unsigned long long>(head.tree_size()),
              FormatTime(head.timestamp()).c_str(),
              static_cast<unsigned long long>(log_head > head.tree_size()
                                                  ? log_head - head.tree_size()
                                                  : 0));
  std::printf("\n");
  PrintProjectionHeader();
  for (const auto& p : projections.projections()) PrintProjection(p);
  return healthy ? kExitOk : kExitUnavailable;
}

int Projections(const std::shared_ptr<grpc::Channel>& channel) {
  v1::ListProjectionsResponse response;
  grpc::Status status = ListProjections(channel, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  PrintProjectionHeader();
  for (const auto& projection : response.projections())
    PrintProjection(projection);
  return kExitOk;
}

// The named projection's status, from ListProjections; NOT_FOUND naming it.
grpc::Status FindProjection(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& name,
                            v1::ProjectionStatus* out) {
  v1::ListProjectionsResponse response;
  grpc::Status status = ListProjections(channel, &response);
  if (!status.ok()) return status;
  for (const auto& p : response.projections()) {
    if (p.name() != name) continue;
    *out = p;
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat("no projection ", name));
}

int Rebuild(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& projection) {
  // Swaps counted before the call: a small rebuild may be swapped in before
  // RebuildProjection even answers.
  v1::ProjectionStatus before;
  grpc::Status status = FindProjection(channel, projection, &before);
  if (!status.ok()) return Fail(status);
  v1::RebuildProjectionRequest request;
  request.set_name(projection);
  v1::ProjectionStatus current;
  {
    grpc::ClientContext context;
    status = v1::Operations::NewStub(channel)->RebuildProjection(
        &context, request, &current);
    if (!status.ok()) return Fail(status);
  }
  const uint64_t generation = current.rebuild().generation();
  const bool wait = absl::GetFlag(FLAGS_wait);
  // Progress on stderr, so stdout keeps only the outcome: a bar redrawn in
  // place on a terminal, a line per 10% step otherwise (logs, CI).
  const bool terminal = isatty(STDERR_FILENO) == 1;
  const bool show = wait && !JsonOutput();
  int shown = -10;
  auto draw = [&](uint32_t percent, uint64_t done, uint64_t of) {
    if (terminal) {
      std::fprintf(stderr, "\rrebuilding %s %s  (%llu of %llu)",
                   projection.c_str(), ProgressBar(percent).c_str(),
                   static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(of));
    } else if (static_cast<int>(percent) >= shown + 10) {
      std::fprintf(stderr, "rebuilding %s %s\n", projection.c_str(),
                   ProgressBar(percent).c_str());
      shown = static_cast<int>(percent);
    }
  };
  while (wait && current.rebuild().running()) {
    if (show) {
      draw(current.rebuild().percent(), current.rebuild().checkpoint(),
           current.rebuild().head());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = FindProjection(channel, projection, &current);
    if (!status.ok()) return Fail(status);
  }
  const bool swapped = current.rebuild().swaps() > before.rebuild().swaps();
  if (show && swapped) draw(100, current.checkpoint(), current.checkpoint());
  if (show && terminal) std::fprintf(stderr, "\n");
  if (JsonOutput()) {
    PrintJson(current);
  } else if (!wait) {
    std::printf("rebuild of %s started (generation %llu)\n", projection.c_str(),
                static_cast<unsigned long long>(generation));
  } else if (swapped) {
    std::printf("rebuilt %s: generation %llu swapped in at position %llu\n",
                projection.c_str(), static_cast<unsigned long long>(generation),
                static_cast<unsigned long long>(current.checkpoint()));
  } else {
    std::printf("rebuild of %s did not complete: %s\n", projection.c_str(),
                current.rebuild().last_outcome().c_str());
  }
  return !wait || swapped ? kExitOk : kExitRefused;
}

int Forget(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& debtor_id) {
  grpc::ClientContext context;
  v1::ForgetDebtorRequest request;
  request.set_debtor_id(debtor_id);
  request.set_request_reference(absl::GetFlag(FLAGS_reference));
  v1::ForgetDebtorResponse response;
  grpc::Status status = v1::Operations::NewStub(channel)->ForgetDebtor(
      &context, request, &response);
  if (!status.ok()) return Fail(status);
  if (JsonOutput()) {
    PrintJson(response);
  } else if (response.outcome() == v1::ForgetDebtorResponse::OUTCOME_DEFERRED) {
    std::printf("deferred until %s: %s\n", FormatTime(response.until()).c_str(),
                response.basis().c_str());
  } else {
    std::printf("erased: key %s destroyed\n", response.key_id().empty()
                                                  ? "(none left)"
                                                  : response.key_id().c_str());
  }
  return kExitOk;
}

int Backup(const std::shared_ptr<grpc::Channel>& channel) {
  if (absl::GetFlag(FLAGS_out).empty())
    return UsageError("backup needs --out=DIR (a new directory on the server)");
  grpc::ClientContext context;
  v1::CreateBackupRequest request;
  request.set_directory(absl::GetFlag(FLAGS_out));
  v1::CreateBackupResponse response;
  grpc::Status status = v1::Operations::NewStub(channel)->CreateBackup(
      &context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf(
      "backup in %s (signed head of %llu events); restore with: "
      "collectionsctl restore %s --data_dir=NEW_DIR "
      "--signing_key_file=SERVER_SIGNING_KEY\n",
      response.directory().c_str(),
      static_cast<unsigned long long>(response.signed_tree_size()),
      response.directory().c_str());
  return kExitOk;
}

int ProcessDue(const std::shared_ptr<grpc::Channel>& channel) {
  v1::ProcessDueEventsRequest request;
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  if (!as_of.empty() && !ParseInstant(as_of, request.mutable_as_of())) {
    return UsageError(absl::StrCat("--as_of=", as_of,
                                   " is not an RFC 3339 instant or a date"));
  }
  request.set_case_id(absl::GetFlag(FLAGS_case_id));
  grpc::ClientContext context;
  v1::ProcessDueEventsResponse response;
  grpc::Status status = v1::CaseCommands::NewStub(channel)->ProcessDueEvents(
      &context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  std::printf(
      "%u cases examined, %u changed, %u events appended (log at %llu)\n",
      response.cases_examined(), response.cases_changed(),
      response.events_appended(),
      static_cast<unsigned long long>(response.last_position()));
  return kExitOk;
}

int Restore(const std::string& backup_dir) {
  namespace fs = std::filesystem;
  const std::string target = absl::GetFlag(FLAGS_data_dir);
  if (backup_dir.empty() || target.empty())
    return UsageError("restore <backup dir> --data_dir=NEW_DIR");
  std::error_code error;
  if (!fs::is_directory(backup_dir, error))
    return UsageError(absl::StrCat(backup_dir, " is not a directory"));
  if (fs::exists(target, error)) {
    std::fprintf(stderr,
                 "error: %s exists: restore only into a new directory (move "
                 "the old one aside first)\n",
                 target.c_str());
    return kExitRefused;
  }
  // Backups never hold the signing key (a stolen backup must not be able
  // to sign heads): the log is proved with the public key auditors hold,
  // or with the server's signing key given here.
  const std::string signing_key_file = absl::GetFlag(FLAGS_signing_key_file);
  if (absl::GetFlag(FLAGS_public_key).empty() && signing_key_file.empty()) {
    return UsageError(
        "restore needs --public_key=KEY.pem (the server's public key, as "
        "auditors hold it) or --signing_key_file=FILE (the server's signing "
        "key; backups do not hold it)");
  }
  std::optional<std::string> signing_pem;
  absl::StatusOr<audit::VerifyingKey> key =
      absl::GetFlag(FLAGS_public_key).empty()
      ? [&]() -> absl::StatusOr<audit::VerifyingKey> {
    auto signing = audit::SigningKey::LoadOrCreate(signing_key_file,
                                                   /*create_if_missing=*/false);
    if (!signing.ok()) return signing.status();
    auto pem = ReadSecretFile(signing_key_file, "the signing key");
    if (!pem.ok()) return pem.status();
    if (!pem->has_value())
      return absl::NotFoundError(signing_key_file + " does not exist");
    signing_pem = **pem;
    return signing->public_key();
  }()
      : verify::LoadVerifyingKey(absl::GetFlag(FLAGS_public_key));
  if (!key.ok()) return UsageError(key.status().message());
  const int verified = verify::VerifyDataDir(backup_dir, *key, JsonOutput());
  if (verified == verify::kUnreadable) return kExitUsage;
  if (verified != verify::kVerified) {
    std::fprintf(stderr,
                 "error: the backup did not verify; nothing restored\n");
    return kExitDamaged;
  }
  // Copy into a sibling first and rename, so a failed copy leaves nothing
  // that looks like a data directory.
  const std::string partial = target + ".restoring";
  fs::remove_all(partial, error);
  fs::copy(backup_dir, partial, fs::copy_options::recursive, error);
  if (!error) fs::rename(partial, target, error);
  if (error) {
    fs::remove_all(partial, error);
    std::fprintf(stderr, "error: copying %s to %s: %s\n", backup_dir.c_str(),
                 target.c_str(), error.message().c_str());
    return kExitUnavailable;
  }
  if (signing_pem.has_value()) {
    const absl::Status copied =
        CreateSecretFile((fs::path(target) / "audit_signing_key.pem").string(),
                         *signing_pem, "the signing key");
    if (!copied.ok()) {
      std::fprintf(stderr, "error: %s\n", copied.ToString().c_str());
      return kExitUnavailable;
    }
  }
  if (!JsonOutput()) {
    std::printf(
        "restored into %s; start collectionsd --data_dir=%s with the original "
        "master key and its erasure ledger (keys erased since the backup are "
        "destroyed again on start)%s; projections rebuild on start\n",
        target.c_str(), target.c_str(),
        signing_pem.has_value() ? "" : " and the original --signing_key_file");
  }
  return kExitOk;
}

int RewrapKeys() {
  const std::string old_file = absl::GetFlag(FLAGS_master_key_file);
  const std::string new_file = absl::GetFlag(FLAGS_new_master_key_file);
  std::string keys_dir = absl::GetFlag(FLAGS_keys_dir);
  if (keys_dir.empty() && !absl::GetFlag(FLAGS_data_dir).empty())
    keys_dir = absl::StrCat(absl::GetFlag(FLAGS_data_dir), "/keys");
  if (keys_dir.empty() || old_file.empty() || new_file.empty()) {
    return UsageError(
        "rewrap-keys --keys_dir=DIR (or --data_dir=DIR) "
        "--master_key_file=OLD --new_master_key_file=NEW, with the server "
        "stopped");
  }
  // Both keys from their files (never the environment: which is which
  // must be explicit).
  absl::StatusOr<std::string> old_key =
      security::LoadMasterKey(old_file, /*data_dir=*/"");
  absl::StatusOr<std::string> new_key =
      security::LoadMasterKey(new_file, /*data_dir=*/"");
  if (!old_key.ok()) return UsageError(old_key.status().message());
  if (!new_key.ok()) return UsageError(new_key.status().message());
  absl::StatusOr<std::unique_ptr<storage::KeyStore>> store =
      storage::OpenRocksDbKeyStore(keys_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string(store.status().message()).c_str());
    return kExitUnavailable;
  }
  absl::StatusOr<int> rewrapped =
      security::RewrapDataKeys(**store, *old_key, *new_key);
  if (!rewrapped.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string(rewrapped.status().message()).c_str());
    return rewrapped.status().code() == absl::StatusCode::kDataLoss
               ? kExitDamaged
               : kExitRefused;
  }
  std::printf("re-wrapped %d data keys: master key %s -> %s\n", *rewrapped,
              security::MasterKeyId(*old_key).c_str(),
              security::MasterKeyId(*new_key).c_str());
  return kExitOk;
}

int Verify(const std::string& what, const std::string& path) {
  if ((what != "bundle" && what != "package" && what != "datadir") ||
      path.empty()) {
    return UsageError(
        "verify bundle FILE | package DIR | datadir DIR --public_key=KEY.pem");
  }
  auto key = verify::LoadVerifyingKey(absl::GetFlag(FLAGS_public_key));
  if (!key.ok()) return UsageError(key.status().message());
  int result;
  if (what == "bundle") {
    result = verify::VerifyBundleFile(path, *key, JsonOutput());
  } else if (what == "package") {
    result = verify::VerifyPackageDir(path, *key, JsonOutput());
  } else {
    result = verify::VerifyDataDir(path, *key, JsonOutput());
  }
  // verify's own codes: 0 verified, 1 not verified, 2 unreadable, which are
  // collectionsctl's kExitOk, kExitRefused and kExitUsage.
  return result;
}

}  // namespace collections::cli
