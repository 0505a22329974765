#include "tools/cli/audit_commands.h"

#include <cstdio>
#include <fstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "collections/v1/audit.grpc.pb.h"
#include "common/time_conversion.h"
#include "nlohmann/json.hpp"
#include "tools/cli/cli_output.h"

ABSL_FLAG(std::string, out, "", "public-key, bundle: the file to write");
ABSL_FLAG(bool, fresh, false, "head: sign the log's current head first");
ABSL_FLAG(std::string, actor, "", "trail: only this actor's acts");
ABSL_FLAG(std::string, case_id, "", "trail, process-due: only this case");
ABSL_FLAG(std::string, type, "", "trail: only this event type");
ABSL_DECLARE_FLAG(std::string, debtor);
ABSL_DECLARE_FLAG(int, page_size);

namespace collections::cli {
namespace {

namespace v1 = ::collections::v1;

std::string Time(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", ToTime(ts),
                          absl::UTCTimeZone());
}

bool WriteTo(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

}  // namespace

int PublicKey(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Audit::NewStub(channel);
  grpc::ClientContext context;
  v1::PublicKey key;
  grpc::Status status =
      stub->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key);
  if (!status.ok()) return Fail(status);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty() && PrintedAsJson(key)) return kExitOk;
  if (out.empty()) {
    std::printf("%s", key.pem().c_str());
  } else if (!WriteTo(out, key.pem())) {
    std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "fingerprint %s\n", key.fingerprint().c_str());
  return 0;
}

int Head(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Audit::NewStub(channel);
  grpc::ClientContext context;
  v1::GetSignedTreeHeadRequest request;
  request.set_fresh(absl::GetFlag(FLAGS_fresh));
  v1::SignedTreeHead head;
  grpc::Status status = stub->GetSignedTreeHead(&context, request, &head);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(head)) return kExitOk;
  std::printf("tree size  %llu\nroot hash  %s\nsigned at  %s\nkey        %s\n",
              static_cast<unsigned long long>(head.tree_size()),
              absl::BytesToHexString(head.root_hash()).c_str(),
              Time(head.timestamp()).c_str(), head.key_fingerprint().c_str());
  return 0;
}

grpc::Status FetchBundle(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& kind, const std::string& id,
                         v1::EvidenceBundle* bundle) {
  grpc::ClientContext context;
  v1::GetEvidenceBundleRequest request;
  if (kind == "case") {
    request.set_case_id(id);
  } else {
    request.set_debtor_id(id);
  }
  return v1::Audit::NewStub(channel)->GetEvidenceBundle(&context, request,
                                                        bundle);
}

int Bundle(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& kind, const std::string& id) {
  const std::string out = absl::GetFlag(FLAGS_out);
  if ((kind != "case" && kind != "debtor") || id.empty() || out.empty()) {
    std::fprintf(stderr,
                 "usage: collectionsctl bundle case|debtor <id> "
                 "--out=FILE\n");
    return 2;
  }
  v1::EvidenceBundle bundle;
  grpc::Status status = FetchBundle(channel, kind, id, &bundle);
  if (!status.ok()) return Fail(status);
  if (!WriteTo(out, bundle.SerializeAsString())) {
    std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
    return 1;
  }
  if (JsonOutput()) {
    // The bundle itself is binary, in `out`: say what it holds.
    PrintJson(nlohmann::ordered_json{{"subject", bundle.subject()},
                                     {"events", bundle.events_size()},
                                     {"streams", bundle.streams_size()},
                                     {"tree_size", bundle.head().tree_size()},
                                     {"out", out}});
    return kExitOk;
  }
  std::printf(
      "%s: %d events in %d streams, proven against tree size %llu; "
      "written to %s\n",
      bundle.subject().c_str(), bundle.events_size(), bundle.streams_size(),
      static_cast<unsigned long long>(bundle.head().tree_size()), out.c_str());
  return 0;
}

int Trail(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::Audit::NewStub(channel);
  v1::ListAuditTrailRequest request;
  request.set_actor_id(absl::GetFlag(FLAGS_actor));
  request.set_case_id(absl::GetFlag(FLAGS_case_id));
  request.set_debtor_id(absl::GetFlag(FLAGS_debtor));
  if (!absl::GetFlag(FLAGS_type).empty())
    request.add_event_types(absl::GetFlag(FLAGS_type));
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  grpc::ClientContext context;
  v1::ListAuditTrailResponse response;
  grpc::Status status = stub->ListAuditTrail(&context, request, &response);
  if (!status.ok()) return Fail(status);
  if (PrintedAsJson(response)) return kExitOk;
  for (const v1::AuditEntry& entry : response.entries()) {
    std::printf("#%-8llu %s  %-12s %-22s %s\n",
                static_cast<unsigned long long>(entry.position()),
                Time(entry.recorded_at()).c_str(), entry.actor().id().c_str(),
                entry.event_type().c_str(), entry.summary().c_str());
  }
  if (!response.next_page_token().empty()) {
    std::printf("… more after position %s\n",
                response.next_page_token().c_str());
  }
  return 0;
}

}  // namespace collections::cli
