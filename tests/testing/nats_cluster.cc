#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace collections::testing {
namespace {

constexpr char kServerBinary[] = "nats-server";

// How often Start tries a fresh set of ports when a server cannot start.
constexpr int kStartAttempts = 3;

// `count` distinct free loopback ports: all bound at once, then released.
// Another process may still take one before a server binds it; Start then
// tries again with others.
std::vector<int> FreePorts(int count) {
  std::vector<int> fds, ports;
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    fds.push_back(fd);
    ports.push_back(ntohs(address.sin_port));
  }
  for (const int fd : fds) close(fd);
  return ports;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

std::string FindServer() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/bin"}) {
    const std::string path = absl::StrCat(dir, "/", kServerBinary);
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace

absl::Status NatsCluster::Available() {
  if (FindServer().empty()) {
    return absl::UnavailableError(
        "nats-server is not installed (apt-get install nats-server; "
        "tools/dev/install_deps.sh does)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(
    const std::string& dir, int servers, const Security* security) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> cluster;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    // A fresh directory per attempt: no store of a failed start is reused.
    cluster =
        StartOnce(attempt == 0 ? dir : absl::StrCat(dir, "/attempt-", attempt),
                  servers, security);
    if (cluster.ok()) break;
  }
  return cluster;
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::StartOnce(
    const std::string& dir, int servers, const Security* security) {
  // On failure the cluster's destructor kills the servers already started.
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->tls_ = security != nullptr;
  std::string secured;
  if (security != nullptr) {
    std::vector<std::string> users;
    for (const std::string& user : security->users) {
      std::vector<std::string> allow = {
          security->subjects, absl::StrCat("$KV.", security->key_bucket, ".>"),
          "$JS.API.INFO", "$JS.FC.>", "_INBOX.>"};
      for (const std::string& st :
           {security->stream, absl::StrCat("KV_", security->key_bucket)}) {
        for (const char* api :
             {"STREAM.INFO.", "STREAM.CREATE.", "STREAM.MSG.GET."})
          allow.push_back(absl::StrCat("$JS.API.", api, st));
        allow.push_back(absl::StrCat("$JS.API.DIRECT.GET.", st, ".>"));
        allow.push_back(absl::StrCat("$JS.API.CONSUMER.*.", st));
        allow.push_back(absl::StrCat("$JS.API.CONSUMER.*.", st, ".>"));
        allow.push_back(absl::StrCat("$JS.ACK.", st, ".>"));
      }
      users.push_back(absl::StrCat("      { nkey: ", user, ", permissions: {\n",
                                   "          publish: { allow: [\"",
                                   absl::StrJoin(allow, "\", \""), "\"] }\n",
                                   "          subscribe: [\"_INBOX.>\"] } }"));
    }
    secured = absl::StrCat("tls {\n  cert_file: \"", security->cert_file,
                           "\"\n  key_file: \"", security->key_file, "\"\n}\n",
                           "accounts {\n  ", security->account,
                           ": {\n    jetstream: enabled\n    users: [\n",
                           absl::StrJoin(users, ",\n"), "\n    ]\n  }\n}\n");
  }
  const std::vector<int> ports = FreePorts(2 * servers);
  std::vector<int> route_ports(ports.begin() + servers, ports.end());
  for (int i = 0; i < servers; ++i) {
    cluster->servers_.push_back(Server{});
    cluster->servers_.back().client_port = ports[i];
  }
  for (int i = 0; i < servers; ++i) {
    std::vector<std::string> routes;
    for (int j = 0; j < servers; ++j) {
      if (j != i)
        routes.push_back(
            absl::StrCat("nats-route://127.0.0.1:", route_ports[j]));
    }
    const std::string store = absl::StrCat(dir, "/n", i);
    std::filesystem::create_directories(store);
    Server& server = cluster->servers_[i];
    server.config = absl::StrCat(dir, "/n", i, ".conf");
    std::ofstream(server.config) << absl::StrCat(
        "server_name: n", i, "\n", "listen: 127.0.0.1:", server.client_port,
        "\n", "jetstream { store_dir: \"", store, "\" }\n",
        "cluster {\n  name: collections-test\n  listen: 127.0.0.1:",
        route_ports[i], "\n  routes: [", absl::StrJoin(routes, ", "), "]\n}\n",
        secured);
    absl::Status launched = cluster->Launch(server);
    if (!launched.ok()) return launched;
  }
  return cluster;
}

absl::Status NatsCluster::Launch(Server& server) {
  const std::string binary = FindServer();
  const std::string log = server.config + ".log";
  const pid_t pid = fork();
  if (pid == 0) {
    // The child dies with the test, even one that crashes before its
    // destructors run: no server outlives it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The child: its output to a log next to its config.
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execl(binary.c_str(), binary.c_str(), "-c", server.config.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  server.pid = pid;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!Accepts(server.client_port)) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {  // a port taken, say
      server.pid = -1;
      return absl::UnavailableError(
          absl::StrCat("nats-server exited as it started on port ",
                       server.client_port, " (see ", log, ")"));
    }
    if (absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat("nats-server did not start on port ", server.client_port,
                       " (see ", log, ")"));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < static_cast<int>(servers_.size()); ++i) Kill(i);
}

std::vector<std::string> NatsCluster::Urls() const {
  std::vector<std::string> urls;
  for (const Server& server : servers_)
    urls.push_back(absl::StrCat(tls_ ? "tls" : "nats",
                                "://127.0.0.1:", server.client_port));
  return urls;
}

void NatsCluster::Kill(int server) {
  Server& s = servers_[server];
  if (s.pid <= 0) return;
  kill(s.pid, SIGCONT);  // a paused server must be able to die
  kill(s.pid, SIGKILL);
  waitpid(s.pid, nullptr, 0);
  s.pid = -1;
}

absl::Status NatsCluster::Restart(int server) {
  return Launch(servers_[server]);
}

void NatsCluster::Pause(int server) {
  const pid_t pid = servers_[server].pid;
  kill(pid, SIGSTOP);
  // kill() only queues the signal: a server still running for a moment
  // could answer one more request. Wait until the kernel reports it
  // stopped ("T" in /proc/<pid>/stat).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (absl::Now() < deadline) {
    std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
    std::string line;
    std::getline(stat, line);
    const size_t state = line.rfind(')');
    if (state != std::string::npos && state + 2 < line.size() &&
        line[state + 2] == 'T') {
      return;
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
}

void NatsCluster::Resume(int server) { kill(servers_[server].pid, SIGCONT); }

}  // namespace collections::testing
