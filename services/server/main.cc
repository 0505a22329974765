// collectionsd: the collections case-management server.
//
//   collectionsd --listen=127.0.0.1:50051 --data_dir=data --seed_demo
//
// Every flag can also come from a file: --flagfile=deploy/collectionsd.flags
// (one --flag=value per line). SIGTERM or SIGINT shuts down gracefully.
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/server/collections_server.h"

// jemalloc's settings for the server (read by jemalloc before main; the
// sanitized builds, which do not link jemalloc, ignore it). Freed pages go
// back to the kernel within a second, by jemalloc's own background threads
// rather than on the threads that free. Measured 2026-12-07, 10M events
// filled by loadgen: with jemalloc's default (pages kept ten seconds,
// purged inline) the fill ended at 581 MiB resident, peaking at 751 MiB;
// with these, 290 MiB, peaking at 603 MiB (tools/bench/peer_bench.sh, the
// same build otherwise).
// Cost: ~2% fewer events/s in loadgen's 8 s runs (two alternating runs
// per shape: 13.4k/12.9k against 13.0k/12.8k single events/s), within
// run-to-run noise. MALLOC_CONF in the environment still overrides it.
extern "C" {
// NOLINTNEXTLINE: the name jemalloc looks up.
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve gRPC on (port 0 = any free port), or "
          "unix:/path for a Unix domain socket (then the port logged is 1)");
ABSL_FLAG(std::string, data_dir, "data",
          "RocksDB data directory (created when missing)");
ABSL_FLAG(bool, sync, true,
          "sync the WAL before acknowledging an append. Off risks losing the "
          "last acknowledged appends on a power failure or OS crash (not on a "
          "process crash)");
ABSL_FLAG(bool, seed_demo, false,
          "seed a demo portfolio when the data directory is empty");
ABSL_FLAG(int, demo_debtors, 300, "debtors in the demo portfolio");
ABSL_FLAG(int, max_message_bytes, 8 << 20,
          "largest gRPC request or response, bytes");
ABSL_FLAG(int64_t, grpc_memory_mb, 1024,
          "gRPC resource quota: the memory all calls' buffers may take "
          "together, MiB");
ABSL_FLAG(int, grpc_max_threads, 0,
          "gRPC resource quota: the most threads gRPC may run (0: its "
          "default)");
ABSL_FLAG(int, request_thread_nice, 5,
          "nice steps gRPC's request threads run below the server's own "
          "(commit, sync, projections), 0..19; 0 leaves them alone");
ABSL_FLAG(int, min_free_disk_mb, 256,
          "appends answer UNAVAILABLE while the data directory's disk has "
          "less than this many MiB free (0: no reserve)");
ABSL_FLAG(int, max_event_bytes, 256 << 10, "largest single event, bytes");
ABSL_FLAG(int, due_events_interval_seconds, 60,
          "how often to append events whose time has come (promises broken, "
          "installments missed, letter terms lapsed…); 0 = never");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "how long in-flight calls may run on shutdown");

ABSL_FLAG(std::string, signing_key_file, "",
          "Ed25519 private key (PEM) that signs tree heads; empty = "
          "<data_dir>/audit_signing_key.pem, created on the first start");
ABSL_FLAG(int, tree_head_interval_seconds, 60,
          "how often to sign the log's head when it moved; 0 = on request "
          "only");

ABSL_FLAG(std::string, tls_cert_file, "",
          "the server's TLS certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "the server's TLS private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "CA (PEM) client certificates must chain to: mutual TLS");
ABSL_FLAG(std::string, tls_crl_dir, "",
          "mutual TLS: a directory of certificate revocation lists (PEM, "
          "named <issuer hash>.r0 as `openssl rehash` names them)");
ABSL_FLAG(std::string, tls_agency_ca_file, "",
          "mutual TLS: the CA of agencies' client certificates; agency "
          "principals must present one it issued and no one else may (list "
          "it in --tls_client_ca_file too)");
ABSL_FLAG(int32_t, tls_reload_seconds, 60,
          "how often the TLS certificate, key and client CA files are "
          "re-read (a renewed certificate is served without a restart)");
ABSL_FLAG(bool, insecure_plaintext, false,
          "serve without TLS, callers naming themselves in x-actor-id/"
          "x-actor-role metadata: local development only");
ABSL_FLAG(std::string, identities_file, "",
          "principals: client certificate names and bearer-token hashes, each "
          "with an id and a role (see services/security/identities.h)");
ABSL_FLAG(std::string, master_key_file, "",
          "the master key (64 hex digits) wrapping the debtors' data keys; "
          "else COLLECTIONS_MASTER_KEY, else <data_dir>/master.key (created; "
          "development only)");
ABSL_FLAG(std::string, keys_dir, "",
          "where the debtors' data keys are kept; empty = <data_dir>/keys");
ABSL_FLAG(std::string, erasure_ledger_file, "",
          "the ids of every destroyed data key, kept outside backups and "
          "applied on every start (a restored backup cannot bring an erased "
          "debtor back); empty = <master_key_file>.erasures, else "
          "<data_dir>/master.key.erasures");
// On by default: one caller (or one unauthenticated host) cannot take the
// whole server. Load generators and benchmarks pass 0.
ABSL_FLAG(double, rate_limit_per_second, 500,
          "calls per second per caller (and per unauthenticated host); 0 = "
          "no limit");
ABSL_FLAG(double, rate_limit_burst, 1000, "calls a caller may burst");

ABSL_FLAG(std::vector<std::string>, cluster_servers, {},
          "cluster mode: the NATS JetStream servers holding the log, "
          "comma-separated (nats://host:4222,…); empty = single node");
ABSL_FLAG(std::string, cluster_stream, "COLLECTIONS",
          "cluster mode: the JetStream stream's name; its subjects are "
          "<name>.<event stream id>");
ABSL_FLAG(int, cluster_publish_timeout_ms, 5000,
          "cluster mode: how long an append waits for a majority of the "
          "JetStream servers before it is answered UNAVAILABLE");
ABSL_FLAG(std::string, cluster_node_id, "",
          "cluster mode: this node's id, named and signed in every message "
          "it publishes (a pod or host name)");
ABSL_FLAG(std::string, cluster_node_key_file, "",
          "cluster mode: this node's Ed25519 private key (PEM), created "
          "when missing");
ABSL_FLAG(std::string, cluster_node_keys_file, "",
          "cluster mode: every node's public key, lines \"<node id> <64 hex "
          "digits>\"; messages signed by no node listed are not applied");
ABSL_FLAG(std::string, cluster_nats_ca_file, "",
          "cluster mode: the CA of the NATS servers' certificates (TLS; "
          "required unless every NATS server is on loopback)");
ABSL_FLAG(std::string, cluster_nats_cert_file, "",
          "cluster mode: a client certificate for NATS, when it asks");
ABSL_FLAG(std::string, cluster_nats_key_file, "",
          "cluster mode: the client certificate's key");
ABSL_FLAG(std::string, cluster_nats_nkey_seed_file, "",
          "cluster mode: this node's NATS user nkey seed (SU…; required "
          "unless every NATS server is on loopback)");
ABSL_FLAG(int, cluster_replicas, 3,
          "cluster mode: the stream's replicas, when this node creates it");
ABSL_FLAG(std::string, health_listen, "",
          "host:port of a plaintext port serving only grpc.health.v1.Health "
          "(the kubelet's native gRPC probe cannot present a client "
          "certificate); empty: none");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port serving Prometheus metrics at /metrics (plain HTTP, "
          "figures only); empty = no endpoint");
ABSL_FLAG(std::string, rpc_log, "failures",
          "which calls get a JSON log line on stderr: all, failures (and "
          "calls slower than --slow_call_ms), or none");
ABSL_FLAG(int, slow_call_ms, 1000,
          "calls slower than this are logged under --rpc_log=failures");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "collectionsd: the collections case-management server");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built with Mutex deadlock detection on; its cycle
  // bookkeeping costs every lock on the append path. Tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Signals are taken by sigwait below, not by whichever thread they hit:
  // block them before any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  collections::server::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.log.sync = absl::GetFlag(FLAGS_sync);
  options.log.min_free_disk_bytes =
      static_cast<uint64_t>(std::max(0, absl::GetFlag(FLAGS_min_free_disk_mb)))
      << 20;
  options.log.max_event_bytes = absl::GetFlag(FLAGS_max_event_bytes);
  options.seed_demo = absl::GetFlag(FLAGS_seed_demo);
  options.demo_debtors = absl::GetFlag(FLAGS_demo_debtors);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.grpc_memory_bytes = absl::GetFlag(FLAGS_grpc_memory_mb) << 20;
  options.grpc_max_threads = absl::GetFlag(FLAGS_grpc_max_threads);
  options.request_thread_nice = absl::GetFlag(FLAGS_request_thread_nice);
  options.due_events_interval =
      absl::Seconds(absl::GetFlag(FLAGS_due_events_interval_seconds));
  options.shutdown_grace =
      absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));
  options.signing_key_file = absl::GetFlag(FLAGS_signing_key_file);
  options.tree_head_interval =
      absl::Seconds(absl::GetFlag(FLAGS_tree_head_interval_seconds));
  options.tls.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls.key_file = absl::GetFlag(FLAGS_tls_key_file);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  options.tls.crl_dir = absl::GetFlag(FLAGS_tls_crl_dir);
  options.tls.agency_ca_file = absl::GetFlag(FLAGS_tls_agency_ca_file);
  options.tls.reload_interval =
      absl::Seconds(absl::GetFlag(FLAGS_tls_reload_seconds));
  options.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  options.identities_file = absl::GetFlag(FLAGS_identities_file);
  options.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  options.keys_dir = absl::GetFlag(FLAGS_keys_dir);
  options.erasure_ledger_file = absl::GetFlag(FLAGS_erasure_ledger_file);
  options.rate_limit_per_second = absl::GetFlag(FLAGS_rate_limit_per_second);
  options.rate_limit_burst = absl::GetFlag(FLAGS_rate_limit_burst);

  options.cluster_servers = absl::GetFlag(FLAGS_cluster_servers);
  options.cluster_stream = absl::GetFlag(FLAGS_cluster_stream);
  options.cluster_replicas = absl::GetFlag(FLAGS_cluster_replicas);
  options.cluster_node_id = absl::GetFlag(FLAGS_cluster_node_id);
  options.cluster_node_key_file = absl::GetFlag(FLAGS_cluster_node_key_file);
  options.cluster_node_keys_file = absl::GetFlag(FLAGS_cluster_node_keys_file);
  options.cluster_nats_ca_file = absl::GetFlag(FLAGS_cluster_nats_ca_file);
  options.cluster_nats_cert_file = absl::GetFlag(FLAGS_cluster_nats_cert_file);
  options.cluster_nats_key_file = absl::GetFlag(FLAGS_cluster_nats_key_file);
  options.cluster_nats_nkey_seed_file =
      absl::GetFlag(FLAGS_cluster_nats_nkey_seed_file);
  options.cluster_publish_timeout =
      absl::Milliseconds(absl::GetFlag(FLAGS_cluster_publish_timeout_ms));
  options.metrics_listen_address = absl::GetFlag(FLAGS_metrics_listen);
  options.health_listen_address = absl::GetFlag(FLAGS_health_listen);
  options.slow_call = absl::Milliseconds(absl::GetFlag(FLAGS_slow_call_ms));
  const std::string rpc_log = absl::GetFlag(FLAGS_rpc_log);
  if (rpc_log == "all") {
    options.rpc_log = collections::grpc_api::RpcLogPolicy::kAll;
  } else if (rpc_log == "none") {
    options.rpc_log = collections::grpc_api::RpcLogPolicy::kNone;
  } else if (rpc_log != "failures") {
    std::fprintf(stderr, "collectionsd: --rpc_log is all, failures or none\n");
    return 2;
  }
  collections::observability::JsonLog* log = options.json_log;

  auto server = collections::server::CollectionsServer::Start(options);
  if (!server.ok()) {
    log->Error("cannot start", {{"status", server.status().ToString()}});
    return 1;
  }
  // Scripts wait for "serving on port N" (tests/tools/server_lib.sh).
  log->Info(absl::StrCat("serving on port ", (*server)->port()),
            {{"port", (*server)->port()},
             {"listen", options.listen_address},
             {"metrics_port", (*server)->metrics_port()},
             {"data_dir", options.data_dir},
             {"sync", options.log.sync}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log->Info("shutting down", {{"signal", signal_number}});
  (*server)->Shutdown();
  log->Info("stopped cleanly");
  return 0;
}
