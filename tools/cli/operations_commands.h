// collectionsctl's operator commands: over gRPC (health, status,
// projections and their rebuild, erasure, backup, due-time processing) and,
// offline on files and data directories (verify, restore).
//
//   health               grpc.health.v1: SERVING (exit 0) or not (4)
//   status               serving?, log head, signed head, projections
//   projections          each projection's checkpoint, lag, state
//   rebuild PROJECTION [--wait=false]
//                        rebuild one; by default with a progress bar until
//                        the new generation is swapped in
//   forget DEBTOR --reference=REF
//                        erase a debtor (or learn until when it may not be)
//   backup --out=DIR     online backup into DIR on the server host
//   process-due [--as_of=…] [--case_id=…]
//                        append the events due by an instant
//   restore BACKUP_DIR --data_dir=NEW_DIR [--public_key=KEY.pem]
//                        verify a backup, then copy it into place (offline)
//   verify bundle FILE | package DIR | datadir DIR --public_key=KEY.pem
#ifndef COLLECTIONS_TOOLS_CLI_OPERATIONS_COMMANDS_H_
#define COLLECTIONS_TOOLS_CLI_OPERATIONS_COMMANDS_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace collections::cli {

int Health(const std::shared_ptr<grpc::Channel>& channel);
int Status(const std::shared_ptr<grpc::Channel>& channel);
int Projections(const std::shared_ptr<grpc::Channel>& channel);
int Rebuild(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& projection);
int Forget(const std::shared_ptr<grpc::Channel>& channel,
           const std::string& debtor_id);
int Backup(const std::shared_ptr<grpc::Channel>& channel);
int ProcessDue(const std::shared_ptr<grpc::Channel>& channel);
// Offline: no server involved.
int Restore(const std::string& backup_dir);
// Re-wraps the data keys under a new master key (rotation), server stopped.
int RewrapKeys();
int Verify(const std::string& what, const std::string& path);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_OPERATIONS_COMMANDS_H_
