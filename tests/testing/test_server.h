// The real server for integration tests: on a free loopback port, in a
// data directory of the test's, with a channel to it.
#ifndef COLLECTIONS_TESTS_TESTING_TEST_SERVER_H_
#define COLLECTIONS_TESTS_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "services/server/collections_server.h"

namespace collections::testing {

// Port 0, `data_dir`, and the background timers (due events, tree heads)
// off: tests drive them.
server::ServerOptions TestServerOptions(const std::string& data_dir);

struct RunningServer {
  std::unique_ptr<server::CollectionsServer> server;
  std::shared_ptr<grpc::Channel> channel;
};

// Starts the server; its errors as CollectionsServer::Start.
absl::StatusOr<RunningServer> StartTestServer(
    const server::ServerOptions& options);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_TEST_SERVER_H_
