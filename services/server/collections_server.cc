#include "services/server/collections_server.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "services/app/demo_portfolio.h"
#include "services/grpc/request_threads.h"
#include "services/projections/actor_index_projection.h"
#include "services/projections/case_standing_projection.h"
#include "services/projections/recent_events.h"
#include "services/projections/timeline_projection.h"
#include "services/server/server_gauges.h"
#include "storage/cluster_event_log.h"
#include "storage/jetstream_key_store.h"

namespace collections::server {
namespace {

// Newest events the projection runners share in memory (~1 KB each): more
// than a runner applies per commit (ProjectionRunner::Options
// events_per_commit), so one that is a commit behind the others still
// finds its events there.
constexpr size_t kRecentEventsKept = 8192;

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the ", what, " ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether `address` (a gRPC listen address) is reachable from this machine
// only: 127.0.0.0/8, [::1], localhost, or a Unix socket.
bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:") ||
      absl::StartsWith(address, "unix-abstract:"))
    return true;
  const size_t colon = address.rfind(':');
  const absl::string_view host =
      colon == absl::string_view::npos ? address : address.substr(0, colon);
  return host == "localhost" || host == "[::1]" ||
         absl::StartsWith(host, "127.");
}

// Plaintext callers name themselves: only callers on this machine may, and
// never under an identities file (identities would be claimed, not proven).
absl::Status CheckPlaintextScope(const ServerOptions& options) {
  if (!options.insecure_plaintext) return absl::OkStatus();
  if (!IsLoopbackAddress(options.listen_address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--insecure_plaintext serves only on loopback (127.0.0.1, [::1], "
        "localhost) or a Unix socket, not on ",
        options.listen_address, ": configure TLS to serve elsewhere"));
  }
  if (!options.identities_file.empty()) {
    return absl::InvalidArgumentError(
        "--insecure_plaintext cannot be combined with --identities_file: "
        "plaintext callers are not authenticated, so identities would be "
        "claimed, not proven; configure TLS");
  }
  return absl::OkStatus();
}

// TLS (mutual when a client CA is configured), or plaintext when asked for
// explicitly; nothing configured is refused rather than served open.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerOptions& options) {
  const TlsOptions& tls = options.tls;
  if (tls.cert_file.empty() && tls.key_file.empty()) {
    if (!options.insecure_plaintext) {
      return absl::FailedPreconditionError(
          "no TLS configured: give --tls_cert_file and --tls_key_file (and "
          "--tls_client_ca_file for mutual TLS), or --insecure_plaintext for "
          "local development");
    }

    options.json_log->Warning(
        "serving PLAINTEXT without authentication (--insecure_plaintext): "
        "callers name themselves; for local development only");
    return grpc::InsecureServerCredentials();
  }
  if (options.insecure_plaintext) {
    return absl::InvalidArgumentError(
        "--insecure_plaintext and TLS files are both set: choose one");
  }
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls_cert_file and --tls_key_file");
  }
  // Read once here for a clear error at start; from then on gRPC's file
  // watcher re-reads them every reload_interval, so a renewed certificate,
  // key or client CA is served without a restart.
  COLLECTIONS_RETURN_IF_ERROR(
      ReadPem(tls.cert_file, "TLS certificate").status());
  COLLECTIONS_RETURN_IF_ERROR(ReadPem(tls.key_file, "TLS key").status());
  const int refresh_seconds = static_cast<int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(tls.reload_interval)));
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (!tls.client_ca_file.empty()) {
    COLLECTIONS_RETURN_IF_ERROR(
        ReadPem(tls.client_ca_file, "client CA").status());
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            tls.key_file, tls.cert_file, tls.client_ca_file, refresh_seconds);
  } else {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            tls.key_file, tls.cert_file, refresh_seconds);
  }
  grpc::experimental::TlsServerCredentialsOptions tls_options(provider);
  tls_options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file.empty()) {
    tls_options.watch_root_certs();
    tls_options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls_options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  if (!tls.crl_dir.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(tls.crl_dir, error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--tls_crl_dir ", tls.crl_dir, " is not a directory"));
    }
    tls_options.set_crl_directory(tls.crl_dir);
  }
  return grpc::experimental::TlsServerCredentials(tls_options);
}

// The NATS connection carries the log: off loopback it must be TLS and
// authenticated (deploy/CLUSTER.md, "Trust model"), as gRPC is.
absl::Status CheckNatsSecurity(const storage::JetStreamOptions& nats) {
  bool all_loopback = true;
  for (const std::string& url : nats.servers) {
    const size_t scheme = url.find("://");
    std::string host = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
    if (const size_t at = host.rfind('@'); at != std::string::npos)
      host = host.substr(at + 1);
    host = host.substr(0, host.rfind(':'));
    if (host != "127.0.0.1" && host != "localhost" && host != "[::1]")
      all_loopback = false;
  }
  if (all_loopback) return absl::OkStatus();
  if (nats.tls_ca_file.empty() || nats.nkey_seed_file.empty()) {
    return absl::InvalidArgumentError(
        "cluster mode off loopback needs --cluster_nats_ca_file and "
        "--cluster_nats_nkey_seed_file: the NATS connection carries the log "
        "and must be TLS and authenticated (deploy/CLUSTER.md)");
  }
  return absl::OkStatus();
}

}  // namespace

CollectionsServer::CollectionsServer(const ServerOptions& options)
    : options_(options) {}

absl::StatusOr<std::unique_ptr<CollectionsServer>> CollectionsServer::Start(
    const ServerOptions& options) {
  // A plaintext configuration that must not serve is refused before the
  // data directory is touched.
  COLLECTIONS_RETURN_IF_ERROR(CheckPlaintextScope(options));
  std::unique_ptr<CollectionsServer> server(new CollectionsServer(options));
  server->metrics_ = std::make_unique<observability::ServerMetrics>();
  storage::EventLogOptions log_options = options.log;
  log_options.observer = server->metrics_.get();
  // Cluster mode's NATS connection settings, for the log and the keys.
  std::optional<storage::JetStreamOptions> cluster_jetstream;
  if (options.cluster_servers.empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->log_,
        storage::OpenRocksDbEventLog(log_options, options.data_dir));
  } else {
    if (options.cluster_publish_timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "--cluster_publish_timeout_ms must be positive");
    }
    storage::ClusterLogOptions cluster;
    cluster.jetstream.servers = options.cluster_servers;
    cluster.jetstream.stream = options.cluster_stream;
    // Subjects named after the stream, so several logs (a demo beside
    // production, say) can share one NATS cluster without overlapping.
    cluster.jetstream.subject_prefix =
        absl::StrCat(options.cluster_stream, ".");
    cluster.jetstream.replicas = options.cluster_replicas;
    cluster.jetstream.publish_timeout = options.cluster_publish_timeout;
    cluster.jetstream.tls_ca_file = options.cluster_nats_ca_file;
    cluster.jetstream.tls_cert_file = options.cluster_nats_cert_file;
    cluster.jetstream.tls_key_file = options.cluster_nats_key_file;
    cluster.jetstream.nkey_seed_file = options.cluster_nats_nkey_seed_file;
    COLLECTIONS_RETURN_IF_ERROR(CheckNatsSecurity(cluster.jetstream));
    if (options.cluster_node_id.empty() ||
        options.cluster_node_key_file.empty() ||
        options.cluster_node_keys_file.empty()) {
      return absl::InvalidArgumentError(
          "cluster mode needs --cluster_node_id, --cluster_node_key_file and "
          "--cluster_node_keys_file: every message on the log is signed by "
          "its node (deploy/CLUSTER.md)");
    }
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->node_keys_,
        audit::ClusterNodeKeys::Load(options.cluster_node_id,
                                     options.cluster_node_key_file,
                                     options.cluster_node_keys_file));
    cluster.auth = server->node_keys_.get();
    observability::ServerMetrics* metrics = server->metrics_.get();
    observability::JsonLog* json_log = options.json_log;
    cluster.on_rejected = [metrics, json_log](uint64_t sequence,
                                              const absl::Status& why) {
      metrics->ClusterMessageRejected();
      json_log->Warning("cluster message not applied",
                        {{"sequence", sequence}, {"reason", why.message()}});
    };
    options.json_log->Info("cluster node key",
                           {{"line", audit::ClusterNodeKeys::KeyLine(
                                         options.cluster_node_id,
                                         server->node_keys_->public_key())}});
    cluster_jetstream = cluster.jetstream;
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->log_,
        storage::OpenClusterEventLog(cluster, log_options, options.data_dir));
    options.json_log->Info(
        "cluster mode",
        {{"stream", options.cluster_stream},
         {"servers", absl::StrJoin(options.cluster_servers, ",")},
         {"applied_position", server->log_->HeadPosition()}});
  }
  storage::EventLog* log = server->log_.get();
  storage::LogTree* tree = server->log_.get();
  storage::LogAdministration* administration = server->log_.get();
  COLLECTIONS_ASSIGN_OR_RETURN(
      server->projection_store_,
      storage::OpenRocksDbProjectionStore(
          storage::ProjectionStoreOptions{.write_faults =
                                              options.log.write_faults},
          absl::StrCat(options.data_dir, "/projections")));
  // The runners following the log share what they read of it: the log
  // feeds it every event it makes durable, decoded (the events the appends
  // carried: nothing is read back), and what it was not fed is read and
  // decoded once for all three. Shutdown closes the log (which stops its
  // feed) before recent_events_ goes.
  server->recent_events_ =
      std::make_unique<projections::RecentEvents>(log, kRecentEventsKept);
  log->FeedCommittedEvents(server->recent_events_.get());
  projections::ProjectionRunner::Options runner_options;
  runner_options.recent = server->recent_events_.get();
  server->standing_ = std::make_unique<projections::ManagedProjection>(
      log, server->projection_store_.get(),
      [] { return std::make_unique<projections::CaseStandingProjection>(); },
      options.clock, runner_options);
  server->timeline_ = std::make_unique<projections::ManagedProjection>(
      log, server->projection_store_.get(),
      [] { return std::make_unique<projections::TimelineProjection>(); },
      options.clock, runner_options);
  server->actors_ = std::make_unique<projections::ManagedProjection>(
      log, server->projection_store_.get(),
      [] { return std::make_unique<projections::ActorIndexProjection>(); },
      options.clock, runner_options);
  // Personal data: the debtors' data keys live in a store of their own,
  // wrapped by the master key.
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::string master_key,
      security::LoadMasterKey(options.master_key_file, options.data_dir));
  if (cluster_jetstream.has_value()) {
    // Cluster mode: one key store for the cluster, a JetStream bucket, so
    // every node reveals the same personal data and an erasure on any node
    // holds on all (deploy/CLUSTER.md, "Trust model").
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->keys_nats_, storage::JetStreamLog::Connect(*cluster_jetstream));
    storage::JetStreamKeyStoreOptions bucket;
    bucket.bucket = absl::StrCat(options.cluster_stream, "_KEYS");
    bucket.replicas = options.cluster_replicas;
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->key_store_,
        storage::OpenJetStreamKeyStore(server->keys_nats_.get(), bucket));
  } else {
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->key_store_,
        storage::OpenRocksDbKeyStore(
            options.keys_dir.empty() ? absl::StrCat(options.data_dir, "/keys")
                                     : options.keys_dir));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      server->erasure_ledger_,
      security::ErasureLedger::Open(
          security::LedgerPathFor(options.erasure_ledger_file,
                                  options.master_key_file, options.data_dir)));
  server->vault_ = std::make_unique<security::PersonalDataVault>(
      server->key_store_.get(), std::move(master_key),
      server->erasure_ledger_.get());
  server->cases_ = std::make_unique<app::CaseReader>(log);
  server->writer_ = std::make_unique<app::CaseWriter>(log, server->cases_.get(),
                                                      server->vault_.get());
  server->commands_ =
      std::make_unique<app::CaseCommands>(server->writer_.get());
  server->debtor_commands_ =
      std::make_unique<app::DebtorCommands>(server->writer_.get());
  server->due_time_ = std::make_unique<app::DueTimeProcessor>(
      server->commands_.get(), log, server->projection_store_.get(),
      server->standing_.get(), options.clock);
  server->queries_ = std::make_unique<app::CaseQueryHandler>(
      log, server->projection_store_.get(), server->standing_.get(),
      server->timeline_.get(), options.clock, server->vault_.get());
  server->feed_ = std::make_unique<app::EventFeed>(log, server->vault_.get());
  server->erasure_ = std::make_unique<app::Erasure>(
      log, server->writer_.get(), server->vault_.get(),
      server->projection_store_.get(), server->standing_.get());
  // Before anything can read personal data: a restored backup must not
  // bring an erased debtor back (issue 25).
  COLLECTIONS_ASSIGN_OR_RETURN(
      const int destroyed_again,
      server->erasure_->ReapplyLedger(options.clock->Now()));
  if (destroyed_again > 0) {
    options.json_log->Warning(
        "erased debtors' keys were back (a restored backup?): destroyed "
        "again from the erasure ledger",
        {{"keys_destroyed_again", destroyed_again},
         {"ledger", server->erasure_ledger_->path()}});
  }
  server->due_time_->AlsoOnEachRun(
      [erasure = server->erasure_.get()](absl::Time as_of) {
        return erasure->DestroyDue(as_of).status();
      });
  const bool default_key = options.signing_key_file.empty();
  COLLECTIONS_ASSIGN_OR_RETURN(
      audit::SigningKey key,
      audit::SigningKey::LoadOrCreate(
          default_key ? absl::StrCat(options.data_dir, "/audit_signing_key.pem")
                      : options.signing_key_file,
          /*create_if_missing=*/default_key));
  server->signer_ = std::make_unique<audit::TreeHeadSigner>(
      log, tree, std::move(key), options.clock);
  server->audit_ = std::make_unique<app::AuditQueries>(
      log, tree, server->signer_.get(), server->projection_store_.get(),
      server->standing_.get(), server->actors_.get(), options.clock);
  server->backup_ = std::make_unique<app::Backup>(
      administration, server->key_store_.get(), server->signer_.get());
  server->handoff_ = std::make_unique<app::AgencyHandoff>(
      log, tree, server->cases_.get(), server->commands_.get(),
      server->writer_.get(), server->signer_.get(), server->vault_.get());
  server->access_ = std::make_unique<app::AgencyAccess>(server->cases_.get());
  security::GatekeeperOptions gate;
  gate.plaintext_development = options.insecure_plaintext;
  if (!options.identities_file.empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        gate.identities, security::Identities::Load(options.identities_file));
    gate.identities_file = options.identities_file;
  }
  if (!options.tls.agency_ca_file.empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        gate.agency_ca_pem, ReadPem(options.tls.agency_ca_file, "agency CA"));
  }
  gate.rate_limit_per_second = options.rate_limit_per_second;
  gate.rate_limit_burst = options.rate_limit_burst;
  gate.clock = options.clock;
  server->gatekeeper_ = std::make_unique<security::Gatekeeper>(std::move(gate));
  server->guard_ = std::make_unique<grpc_api::Guard>(server->gatekeeper_.get(),
                                                     server->access_.get());
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ServerCredentials> credentials,
      ServerCredentialsFor(options));

  if (options.seed_demo && log->HeadPosition() == 0) {
    app::DemoPortfolioOptions demo;
    demo.debtors = options.demo_debtors;
    demo.now = options.clock->Now();
    demo.handoff = server->handoff_.get();
    COLLECTIONS_ASSIGN_OR_RETURN(
        app::DemoPortfolioStats stats,
        app::SeedDemoPortfolio(*server->commands_, *server->cases_, demo));
    (void)stats;
  }
  COLLECTIONS_RETURN_IF_ERROR(server->standing_->Start());
  COLLECTIONS_RETURN_IF_ERROR(server->timeline_->Start());
  COLLECTIONS_RETURN_IF_ERROR(server->actors_->Start());
  if (options.due_events_interval > absl::ZeroDuration()) {
    server->due_time_->Start(options.due_events_interval);
  }

  server->commands_service_ = std::make_unique<grpc_api::CaseCommandsService>(
      server->commands_.get(), server->due_time_.get(), server->handoff_.get(),
      server->guard_.get());
  server->queries_service_ = std::make_unique<grpc_api::CaseQueriesService>(
      server->queries_.get(), server->guard_.get());
  server->debtor_service_ = std::make_unique<grpc_api::DebtorCommandsService>(
      server->debtor_commands_.get(), server->queries_.get(),
      server->guard_.get());
  server->stream_service_ = std::make_unique<grpc_api::EventStreamService>(
      server->feed_.get(), server->guard_.get());
  server->operations_ = std::make_unique<app::ProjectionOperations>(
      std::map<std::string, projections::ManagedProjection*>{
          {projections::CaseStandingProjection::kName, server->standing_.get()},
          {projections::TimelineProjection::kName, server->timeline_.get()},
          {projections::ActorIndexProjection::kName, server->actors_.get()}});
  server->operations_service_ = std::make_unique<grpc_api::OperationsService>(
      server->operations_.get(), server->erasure_.get(), server->backup_.get(),
      options.clock, server->guard_.get());
  server->audit_service_ = std::make_unique<grpc_api::AuditService>(
      server->audit_.get(), server->guard_.get(), options.max_message_bytes);
  server->agency_service_ = std::make_unique<grpc_api::AgencyService>(
      server->handoff_.get(), server->guard_.get(), options.max_message_bytes,
      options.clock);

  AddServerGauges(
      GaugedParts{.log = log,
                  .log_administration = administration,
                  .projection_store = server->projection_store_.get(),
                  .projections = server->operations_.get(),
                  .feed = server->feed_.get(),
                  .signer = server->signer_.get(),
                  .clock = options.clock},
      server->metrics_.get());
  if (!options.metrics_listen_address.empty()) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        server->metrics_endpoint_,
        observability::MetricsEndpoint::Start(options.metrics_listen_address,
                                              server->metrics_.get()));
  }

  grpc::EnableDefaultHealthCheckService(true);
  if (!options.health_listen_address.empty()) {
    // Built before the reflection plugin is registered, so this port
    // carries the health service alone; NOT_SERVING until the main port is.
    grpc::ServerBuilder health_builder;
    // A port in use is an error, not shared (gRPC's default SO_REUSEPORT
    // would let two servers answer one probe port).
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_builder.AddListeningPort(options.health_listen_address,
                                    grpc::InsecureServerCredentials(),
                                    &server->health_port_);
    server->health_server_ = health_builder.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.health_listen_address,
                       " for health checks (address in use or not valid)"));
    }
    server->health_server_->GetHealthCheckService()->SetServingStatus(false);
  }
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  grpc_api::SetRequestThreadNice(options.request_thread_nice);
  grpc::ResourceQuota quota("collectionsd");
  quota.Resize(static_cast<size_t>(options.grpc_memory_bytes));
  if (options.grpc_max_threads > 0)
    quota.SetMaxThreads(options.grpc_max_threads);
  builder.SetResourceQuota(quota);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(grpc_api::NewRpcObserverFactory(
      grpc_api::RpcObserverOptions{.metrics = server->metrics_.get(),
                                   .log = options.json_log,
                                   .policy = options.rpc_log,
                                   .slow_call = options.slow_call}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(server->commands_service_.get());
  builder.RegisterService(server->queries_service_.get());
  builder.RegisterService(server->debtor_service_.get());
  builder.RegisterService(server->stream_service_.get());
  builder.RegisterService(server->operations_service_.get());
  builder.RegisterService(server->audit_service_.get());
  builder.RegisterService(server->agency_service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use or not valid)"));
  }
  server->SetServing("", true);
  // Queries answer only while every projection runs (the health thread
  // below turns this off and on); named so a probe can ask for it.
  server->SetServing("collections.v1.CaseQueries", true);
  CollectionsServer* self = server.get();
  server->health_thread_ = std::thread([self] {
    bool healthy = true;
    while (!self->stopping_.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      const absl::Status health = self->operations_->Health();
      if (health.ok() == healthy) continue;
      healthy = health.ok();
      self->SetServing("collections.v1.CaseQueries", healthy);
      if (healthy) {
        self->options_.json_log->Info("projections running again");
      } else {
        self->options_.json_log->Error(
            "a projection stopped; queries NOT_SERVING",
            {{"status", health.ToString()}});
      }
    }
  });
  if (options.tree_head_interval > absl::ZeroDuration()) {
    server->signing_thread_ = std::thread([self] {
      do {
        absl::StatusOr<collections::v1::SignedTreeHead> head =
            self->signer_->SignLatest();
        if (!head.ok()) {
          self->options_.json_log->Error(
              "signing the tree head failed",
              {{"status", head.status().ToString()}});
        }
      } while (!self->stopping_.WaitForNotificationWithTimeout(
          self->options_.tree_head_interval));
    });
  }
  return server;
}

void CollectionsServer::SetServing(const std::string& service, bool serving) {
  for (grpc::Server* port : {server_.get(), health_server_.get()}) {
    if (port == nullptr) continue;
    if (service.empty()) {
      port->GetHealthCheckService()->SetServingStatus(serving);
    } else {
      port->GetHealthCheckService()->SetServingStatus(service, serving);
    }
  }
}

CollectionsServer::~CollectionsServer() { Shutdown(); }

void CollectionsServer::Shutdown() {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  if (health_thread_.joinable()) health_thread_.join();
  if (signing_thread_.joinable()) signing_thread_.join();
  // The gauges read the parts below: stop them before anything closes.
  if (metrics_ != nullptr) metrics_->ClearScrapeSources();
  metrics_endpoint_.reset();
  if (server_ != nullptr) {
    SetServing("", false);
    stream_service_->EndSubscriptions();
    server_->Shutdown(
        absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
    server_->Wait();
  }
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
  if (due_time_ != nullptr) due_time_->Stop();
  if (standing_ != nullptr) standing_->Stop();
  if (timeline_ != nullptr) timeline_->Stop();
  if (actors_ != nullptr) actors_->Stop();
  commands_.reset();
  debtor_commands_.reset();
  writer_.reset();  // answers any write still being retried
  standing_.reset();
  timeline_.reset();
  actors_.reset();
  projection_store_.reset();
  log_.reset();  // closes RocksDB: flushes and syncs
}

void CollectionsServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace collections::server
