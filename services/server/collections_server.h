// CollectionsServer: the wiring of collectionsd. Opens the event log, builds
// the projections and use cases, and serves the gRPC services (plus
// grpc.health.v1 and server reflection) on one listening port.
//
// Shutdown is graceful: health turns NOT_SERVING, subscriptions end, the
// server stops accepting calls and lets those in flight finish (up to
// `shutdown_grace`, then cancels them), the projections stop, and the log is
// closed cleanly (memtables flushed, WAL synced).
//
// Thread safety: Shutdown and Wait may be called from any thread, once each.
#ifndef COLLECTIONS_SERVICES_SERVER_COLLECTIONS_SERVER_H_
#define COLLECTIONS_SERVICES_SERVER_COLLECTIONS_SERVER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "services/app/agency_access.h"
#include "services/app/agency_handoff.h"
#include "services/app/audit_queries.h"
#include "services/app/backup.h"
#include "services/app/case_commands.h"
#include "services/app/case_queries.h"
#include "services/app/case_reader.h"
#include "services/app/case_writer.h"
#include "services/app/due_time_processor.h"
#include "services/app/erasure.h"
#include "services/app/event_feed.h"
#include "services/app/projection_operations.h"
#include "services/audit/cluster_node_keys.h"
#include "services/audit/signed_tree_head.h"
#include "services/grpc/agency_service.h"
#include "services/grpc/audit_service.h"
#include "services/grpc/caller.h"
#include "services/grpc/case_commands_service.h"
#include "services/grpc/case_queries_service.h"
#include "services/grpc/debtor_commands_service.h"
#include "services/grpc/event_stream_service.h"
#include "services/grpc/operations_service.h"
#include "services/grpc/rpc_observer.h"
#include "services/observability/json_log.h"
#include "services/observability/server_metrics.h"
#include "services/projections/managed_projection.h"
#include "services/security/gatekeeper.h"
#include "services/security/personal_data_vault.h"
#include "storage/durable_event_log.h"
#include "storage/jetstream_log.h"
#include "storage/rocksdb_event_log.h"
#include "storage/rocksdb_key_store.h"
#include "storage/rocksdb_projection_store.h"

namespace collections::server {

// Transport security of the gRPC port.
struct TlsOptions {
  std::string cert_file;  // the server's certificate chain (PEM)
  std::string key_file;   // its private key (PEM)
  // Set: mutual TLS. Clients must present a certificate signed by this CA
  // (PEM); connections without one are refused in the handshake.
  std::string client_ca_file;
  // Set: certificate revocation lists (PEM files named by the issuer's hash,
  // "<hash>.r0", as `openssl rehash` makes them) checked in every handshake.
  std::string crl_dir;
  // Set: the CA of agencies' client certificates (PEM). Agency principals
  // must present a certificate it issued, and no one else may; include it
  // in client_ca_file too so the handshake accepts its certificates.
  std::string agency_ca_file;
  // How often the certificate, key and client CA files are re-read; a
  // changed file is served from then on without a restart. The identities
  // file is re-read (when changed) at most once a second.
  absl::Duration reload_interval = absl::Seconds(60);
};

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port (see port()).
  std::string listen_address = "127.0.0.1:50051";
  // The embedded RocksDB data directory of the event log; created when
  // missing. Projections keep their state in <data_dir>/projections.
  std::string data_dir = "data";
  // Event log settings (sync on by default: acknowledged means durable).
  storage::EventLogOptions log;
  // Largest request or response message, bytes.
  int max_message_bytes = 8 << 20;
  // gRPC's resource quota (issue 25, limits at the edge): the memory all
  // calls' buffers may take together, and the most threads gRPC may run
  // for them (0: gRPC's default). Beyond either, new work waits or is
  // refused instead of taking the process down.
  int64_t grpc_memory_bytes = int64_t{1} << 30;
  int grpc_max_threads = 0;
  // Nice steps the threads gRPC runs calls on run below the server's own
  // (services/grpc/request_threads.h says why and what it measured); 0
  // leaves them alone.
  int request_thread_nice = 5;
  // Seed the demo portfolio when the log is empty.
  bool seed_demo = false;
  int demo_debtors = 300;
  // How often the due-time processor runs; zero = never (tests drive it
  // through ProcessDueEvents).
  absl::Duration due_events_interval = absl::Minutes(1);
  // Server time: recorded_at is the log's; this clock says what "now" is
  // for the due-time processor and demo seeding.
  const Clock* clock = Clock::Real();
  // How long in-flight calls may take to finish on shutdown.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // The Ed25519 key tree heads are signed with (PEM). Empty: the data
  // directory's audit_signing_key.pem, created on the first start. A
  // configured file must exist.
  std::string signing_key_file;
  // How often the log's head is signed (when it moved); zero = only on
  // request.
  absl::Duration tree_head_interval = absl::Minutes(1);

  // TLS, required unless `insecure_plaintext` is set (local development
  // only: callers then state who they are in x-actor-id/x-actor-role
  // metadata, and a warning is printed at start).
  TlsOptions tls;
  bool insecure_plaintext = false;
  // The principals (services/security/identities.h): client certificates
  // and bearer tokens, each with an id and a role. Empty: no one but
  // plaintext development callers.
  std::string identities_file;
  // The master key wrapping the debtors' data keys (64 hex digits): the
  // environment's COLLECTIONS_MASTER_KEY, else this file, else
  // <data_dir>/master.key created on the first start (development only).
  std::string master_key_file;
  // Where the data keys are kept; empty: <data_dir>/keys.
  std::string keys_dir;
  // The erasure ledger (services/security/erasure_ledger.h); empty:
  // "<master_key_file>.erasures", else <data_dir>/master.key.erasures.
  // Never in a backup; give a restored server the same one.
  std::string erasure_ledger_file;
  // Per-caller rate limit, calls per second (≤ 0: none), and burst.
  double rate_limit_per_second = 0;
  double rate_limit_burst = 50;

  // Cluster mode (deploy/CLUSTER.md): the NATS servers of the JetStream
  // cluster holding the log (nats://host:port each). Empty: single-node
  // mode, the log in data_dir alone. In cluster mode data_dir holds this
  // node's copy of the log.
  std::vector<std::string> cluster_servers;
  std::string cluster_stream = "COLLECTIONS";
  int cluster_replicas = 3;
  // How long an append waits for a majority of the JetStream servers
  // before it is answered UNAVAILABLE (a partitioned minority).
  absl::Duration cluster_publish_timeout = absl::Seconds(5);
  // Who may write the log (storage/cluster_auth.h; required in cluster
  // mode): this node's id, its Ed25519 key (PEM; created when missing) and
  // the file of every node's public key (services/audit/cluster_node_keys.h).
  std::string cluster_node_id;
  std::string cluster_node_key_file;
  std::string cluster_node_keys_file;
  // The NATS connection (storage::JetStreamOptions): TLS with this CA (and
  // a client certificate when the servers ask), and the user's nkey seed.
  // Required unless every NATS server is on loopback.
  std::string cluster_nats_ca_file;
  std::string cluster_nats_cert_file;
  std::string cluster_nats_key_file;
  std::string cluster_nats_nkey_seed_file;

  // Prometheus metrics on http://<address>/metrics (port 0: any free port,
  // see metrics_port()); empty: no endpoint (the metrics are still kept).
  std::string metrics_listen_address;
  // A second gRPC port, plaintext, serving nothing but grpc.health.v1.Health
  // (the same statuses as the main port: "" and "collections.v1.CaseQueries"),
  // for the kubelet's native gRPC probe, which cannot present a client
  // certificate (port 0: any free port, see health_port()); empty: none.
  // It answers no data and takes no command.
  std::string health_listen_address;
  // The structured log (services/observability/json_log.h); must outlive
  // the server. Which calls get a line: every one, failures (and calls
  // slower than slow_call), or none.
  observability::JsonLog* json_log = observability::JsonLog::Stderr();
  grpc_api::RpcLogPolicy rpc_log = grpc_api::RpcLogPolicy::kFailures;
  absl::Duration slow_call = absl::Seconds(1);
};

class CollectionsServer {
 public:
  // Opens everything and starts serving. Errors: the log's open errors
  // (FAILED_PRECONDITION for a directory in use…), UNAVAILABLE when the
  // address cannot be bound, and demo seeding errors.
  static absl::StatusOr<std::unique_ptr<CollectionsServer>> Start(
      const ServerOptions& options);
  ~CollectionsServer();  // Shutdown()
  CollectionsServer(const CollectionsServer&) = delete;
  CollectionsServer& operator=(const CollectionsServer&) = delete;

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // The plaintext health port; 0 without one.
  int health_port() const { return health_port_; }
  // The metrics endpoint's port; 0 without one.
  int metrics_port() const {
    return metrics_endpoint_ == nullptr ? 0 : metrics_endpoint_->port();
  }
  const observability::ServerMetrics& metrics() const { return *metrics_; }
  // Graceful shutdown (see the file comment); idempotent.
  void Shutdown();
  // Blocks until the server has shut down.
  void Wait();

 private:
  explicit CollectionsServer(const ServerOptions& options);

  const ServerOptions options_;
  // Declared first: the log reports to it until the log is closed.
  std::unique_ptr<observability::ServerMetrics> metrics_;
  std::unique_ptr<observability::MetricsEndpoint> metrics_endpoint_;
  // The core, the tree and the administration of one log; each component
  // is given the part it uses (storage/durable_event_log.h).
  // Cluster mode: signs and checks the log's messages; outlives the log.
  std::unique_ptr<audit::ClusterNodeKeys> node_keys_;
  std::unique_ptr<storage::DurableEventLog> log_;
  std::unique_ptr<storage::ProjectionStore> projection_store_;
  // Before the projections: they read through it until they stop.
  std::unique_ptr<projections::RecentEvents> recent_events_;
  std::unique_ptr<projections::ManagedProjection> standing_;
  std::unique_ptr<projections::ManagedProjection> timeline_;
  std::unique_ptr<projections::ManagedProjection> actors_;
  // Cluster mode: the NATS connection of the cluster's key store (the
  // bucket beside the log, storage/jetstream_key_store.h); outlives it.
  std::unique_ptr<storage::JetStreamLog> keys_nats_;
  std::unique_ptr<storage::KeyStore> key_store_;
  std::unique_ptr<security::ErasureLedger> erasure_ledger_;
  std::unique_ptr<security::PersonalDataVault> vault_;
  // The write path: cases read, written (one writer) and commanded.
  std::unique_ptr<app::CaseReader> cases_;
  std::unique_ptr<app::CaseWriter> writer_;
  std::unique_ptr<app::CaseCommands> commands_;
  std::unique_ptr<app::DebtorCommands> debtor_commands_;
  std::unique_ptr<app::DueTimeProcessor> due_time_;
  std::unique_ptr<app::CaseQueryHandler> queries_;
  std::unique_ptr<app::EventFeed> feed_;
  std::unique_ptr<app::Erasure> erasure_;
  std::unique_ptr<app::Backup> backup_;
  std::unique_ptr<grpc_api::CaseCommandsService> commands_service_;
  std::unique_ptr<grpc_api::CaseQueriesService> queries_service_;
  std::unique_ptr<grpc_api::DebtorCommandsService> debtor_service_;
  std::unique_ptr<grpc_api::EventStreamService> stream_service_;
  std::unique_ptr<app::ProjectionOperations> operations_;
  std::unique_ptr<grpc_api::OperationsService> operations_service_;
  std::unique_ptr<audit::TreeHeadSigner> signer_;
  std::unique_ptr<app::AuditQueries> audit_;
  std::unique_ptr<grpc_api::AuditService> audit_service_;
  std::unique_ptr<app::AgencyHandoff> handoff_;
  std::unique_ptr<app::AgencyAccess> access_;
  std::unique_ptr<security::Gatekeeper> gatekeeper_;
  std::unique_ptr<grpc_api::Guard> guard_;
  std::unique_ptr<grpc_api::AgencyService> agency_service_;
  // Signs the log's head every tree_head_interval until shutdown.
  std::thread signing_thread_;
  // Publishes the projections' health (CaseQueries NOT_SERVING while one
  // has stopped on an event) once a second until shutdown.
  std::thread health_thread_;
  absl::Notification stopping_;
  std::unique_ptr<grpc::Server> server_;
  // Only grpc.health.v1.Health, plaintext (health_listen_address).
  std::unique_ptr<grpc::Server> health_server_;
  int health_port_ = 0;
  // Sets `service`'s status on the main port and the health port.
  void SetServing(const std::string& service, bool serving);
  int port_ = 0;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace collections::server

#endif  // COLLECTIONS_SERVICES_SERVER_COLLECTIONS_SERVER_H_
