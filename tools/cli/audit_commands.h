// collectionsctl's audit commands: the public key, signed heads, evidence
// bundles written to a file (for collections-verify), and the audit trail.
#ifndef COLLECTIONS_TOOLS_CLI_AUDIT_COMMANDS_H_
#define COLLECTIONS_TOOLS_CLI_AUDIT_COMMANDS_H_

#include <memory>
#include <string>

#include "collections/v1/audit.pb.h"
#include "grpcpp/grpcpp.h"

namespace collections::cli {

// `public-key [--out=FILE]`: the PEM public key, to a file or stdout.
int PublicKey(const std::shared_ptr<grpc::Channel>& channel);
// `head [--fresh]`: the newest signed tree head.
int Head(const std::shared_ptr<grpc::Channel>& channel);
// The evidence bundle of a case (`kind` "case") or a debtor (else) from
// Audit.GetEvidenceBundle: the call's status.
grpc::Status FetchBundle(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& kind, const std::string& id,
                         collections::v1::EvidenceBundle* bundle);
// `bundle case|debtor <id> --out=FILE`.
int Bundle(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& kind, const std::string& id);
// `trail [--actor=…] [--case_id=…] [--debtor=…] [--type=…]`.
int Trail(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_AUDIT_COMMANDS_H_
