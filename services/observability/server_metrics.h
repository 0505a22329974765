// ServerMetrics: the server's Prometheus metrics, and MetricsEndpoint: the
// HTTP endpoint (GET /metrics) a Prometheus server scrapes.
//
// Three kinds of series:
//   - per RPC, recorded by the gRPC interceptor (services/grpc/
//     rpc_observer.h), with the names and labels of go-grpc-prometheus so
//     existing dashboards work: grpc_server_started_total,
//     grpc_server_handled_total{grpc_code}, grpc_server_handling_seconds;
//   - per group commit, recorded by the event log (it is the log's
//     storage::LogObserver): collections_append_group_appends,
//     collections_append_group_events, collections_wal_sync_seconds;
//   - gauges read at each scrape from scrape sources the server adds
//     (projection lag, subscriptions, RocksDB figures, signed-head age):
//     reading them when asked costs nothing between scrapes.
//
// The endpoint serves figures only (no ids, no personal data), in plain
// HTTP; bind it to an address only the monitoring network reaches.
//
// Thread safety: every method may be called from any thread.
#ifndef COLLECTIONS_SERVICES_OBSERVABILITY_SERVER_METRICS_H_
#define COLLECTIONS_SERVICES_OBSERVABILITY_SERVER_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "storage/log_observer.h"

namespace prometheus {
class Exposer;
}

namespace collections::observability {

// One series of a scraped family: its labels and value.
struct ScrapedSample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// A family read at scrape time. `counter` for a monotonic count (exposed
// as a Prometheus counter), else a gauge.
struct ScrapedFamily {
  std::string name;
  std::string help;
  bool counter = false;
  std::vector<ScrapedSample> samples;
};

// Reads some families; called on the scraping thread at every scrape, so
// it must be quick and safe to call concurrently with everything else.
using ScrapeSource = std::function<std::vector<ScrapedFamily>()>;

class ServerMetrics final : public storage::LogObserver {
 public:
  ServerMetrics();
  ~ServerMetrics() override;
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // `method` is gRPC's path, "/collections.v1.CaseQueries/GetCase".
  void RpcStarted(absl::string_view method);
  // `code` is the status code's name, "OK", "INVALID_ARGUMENT"…
  void RpcHandled(absl::string_view method, absl::string_view code,
                  absl::Duration latency);

  // storage::LogObserver.
  void OnGroupCommit(const storage::GroupCommitReport& report) override;

  // Cluster mode: a message the replica did not apply because its node
  // signature failed (collections_cluster_messages_rejected_total).
  void ClusterMessageRejected();

  // Adds families read at every scrape. Sources outlive nothing: the server
  // removes them (ClearScrapeSources) before what they read is destroyed.
  void AddScrapeSource(ScrapeSource source);
  void ClearScrapeSources();

  // Everything in Prometheus' text format, as a scrape would get it.
  std::string Render() const;

 private:
  friend class MetricsEndpoint;
  class ScrapeCollectable;

  // One method's (and one method and code's) series, found once: prometheus'
  // Family::Add builds a label map, hashes it and locks the family on every
  // call, three times per RPC. Series are never removed, so the pointers
  // stay valid as long as the registry.
  struct MethodSeries {
    prometheus::Counter* started;
    prometheus::Histogram* seconds;
  };
  MethodSeries SeriesOf(absl::string_view method) ABSL_LOCKS_EXCLUDED(mu_);
  prometheus::Counter* HandledOf(absl::string_view method,
                                 absl::string_view code)
      ABSL_LOCKS_EXCLUDED(mu_);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeCollectable> scraped_;
  prometheus::Family<prometheus::Counter>* rpc_started_;
  prometheus::Family<prometheus::Counter>* rpc_handled_;
  prometheus::Family<prometheus::Histogram>* rpc_seconds_;
  prometheus::Histogram* group_appends_;
  prometheus::Histogram* group_events_;
  prometheus::Histogram* wal_sync_seconds_;
  prometheus::Counter* groups_acknowledged_;
  prometheus::Counter* cluster_rejected_;
  prometheus::Counter* groups_failed_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, MethodSeries> series_ ABSL_GUARDED_BY(mu_);
  // Keyed by method, a NUL, and the code.
  absl::flat_hash_map<std::string, prometheus::Counter*> handled_
      ABSL_GUARDED_BY(mu_);
};

// Serves `metrics` on http://<address>/metrics until destroyed.
class MetricsEndpoint {
 public:
  // `address` is host:port; port 0 picks a free one (see port()).
  // UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address, ServerMetrics* metrics);
  ~MetricsEndpoint();

  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace collections::observability

#endif  // COLLECTIONS_SERVICES_OBSERVABILITY_SERVER_METRICS_H_
