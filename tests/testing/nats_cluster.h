// A real three-server NATS JetStream cluster on loopback, for the cluster
// mode's tests: each server a nats-server process with its own store in a
// temporary directory, routes to the other two. Servers can be killed,
// restarted, and paused (SIGSTOP: cut off from the others and the client,
// as a partition does) and resumed.
//
// Tests skip (GTEST_SKIP) with Available()'s message where nats-server is
// not installed; CI installs it (tools/dev/install_deps.sh).
#ifndef COLLECTIONS_TESTS_TESTING_NATS_CLUSTER_H_
#define COLLECTIONS_TESTS_TESTING_NATS_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace collections::testing {

class NatsCluster {
 public:
  // A secured cluster (deploy/CLUSTER.md, "Trust model"): clients must
  // speak TLS (the servers present `cert_file`, issued for 127.0.0.1 by the
  // CA the clients trust) and authenticate as one of `users` (nkey public
  // keys) of the account `account`, with JetStream. They may publish on
  // `subjects` and use the JetStream API of the stream `stream` and of the
  // key store's bucket `key_bucket` only (no other stream, no deleting or
  // purging either). Anyone else is refused.
  struct Security {
    std::string cert_file, key_file;
    std::string account = "COLLECTIONS";
    std::vector<std::string> users;
    std::string stream = "COLLECTIONS";
    std::string subjects = "events.>";
    std::string key_bucket = "COLLECTIONS_KEYS";  // the key store's bucket
  };

  // OK when nats-server can be run; else why not (for GTEST_SKIP).
  static absl::Status Available();

  // Starts `servers` servers under `dir` and waits until each accepts
  // connections. A server that cannot start (its port taken by another
  // process meanwhile) makes it start the cluster again on other ports, a
  // few times. UNAVAILABLE when one does not start in time.
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(
      const std::string& dir, int servers = 3,
      const Security* security = nullptr);
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;
  ~NatsCluster();  // kills every server

  // nats://127.0.0.1:<port> of each server (tls:// when secured).
  std::vector<std::string> Urls() const;

  void Kill(int server);             // SIGKILL, and reap
  absl::Status Restart(int server);  // start a killed server again
  void Pause(int server);            // SIGSTOP
  void Resume(int server);           // SIGCONT

 private:
  struct Server {
    std::string config;
    int client_port = 0;
    pid_t pid = -1;
  };
  NatsCluster() = default;
  static absl::StatusOr<std::unique_ptr<NatsCluster>> StartOnce(
      const std::string& dir, int servers, const Security* security);
  absl::Status Launch(Server& server);

  std::vector<Server> servers_;
  bool tls_ = false;
};

// Calls `open` (a connect to a cluster that may still be electing its
// leaders, which refuses until it has) every 200 ms until it succeeds or
// `timeout` passes; returns its last result.
template <typename Open>
auto UntilClusterReady(Open open, absl::Duration timeout = absl::Seconds(30))
    -> decltype(open()) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    auto result = open();
    if (result.ok() || absl::Now() > deadline) return result;
    absl::SleepFor(absl::Milliseconds(200));
  }
}

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_NATS_CLUSTER_H_
