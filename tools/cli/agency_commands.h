// collectionsctl's agency commands: placement packages written to a
// directory (for collections-verify package), an agency's delivery, and
// the import of an agency's return file. --actor_id/--actor_role say who is
// calling (role agency:<id> for an agency's own view).
#ifndef COLLECTIONS_TOOLS_CLI_AGENCY_COMMANDS_H_
#define COLLECTIONS_TOOLS_CLI_AGENCY_COMMANDS_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace collections::cli {

// `package <case id> [--package_id=…] --out=DIR`.
int Package(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& case_id);
// `delivery <agency id> [--since=N] [--through=N] --out=DIR`: DIR gets
// delivery.jsonl (header, records, trailer; one DeliveryPart per line, a
// placement's files replaced by their names and hashes) and one directory
// per placement package.
int Delivery(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& agency_id);
// `agency-key <agency id> <public key PEM>`: registers the agency's X25519
// key (admin); packages then carry personal data sealed to it.
int RegisterAgencyKey(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& agency_id,
                      const std::string& public_key_path);
// `import-returns <file>`.
int ImportReturns(const std::shared_ptr<grpc::Channel>& channel,
                  const std::string& path);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_AGENCY_COMMANDS_H_
