#include "tests/testing/test_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace collections::testing {

server::ServerOptions TestServerOptions(const std::string& data_dir) {
  server::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.data_dir = data_dir;
  options.due_events_interval = absl::ZeroDuration();
  options.tree_head_interval = absl::ZeroDuration();
  // Callers name themselves (x-actor-role); the security tests set TLS.
  options.insecure_plaintext = true;
  return options;
}

absl::StatusOr<RunningServer> StartTestServer(
    const server::ServerOptions& options) {
  RunningServer running;
  COLLECTIONS_ASSIGN_OR_RETURN(running.server,
                               server::CollectionsServer::Start(options));
  running.channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", running.server->port()),
                          grpc::InsecureChannelCredentials());
  return running;
}

}  // namespace collections::testing
