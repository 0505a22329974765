#include "services/observability/server_metrics.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace collections::observability {
namespace {

// gRPC's path "/pkg.Service/Method" as go-grpc-prometheus labels it.
prometheus::Labels MethodLabels(absl::string_view method) {
  absl::string_view path = absl::StripPrefix(method, "/");
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(path, absl::MaxSplits('/', 1));
  return {{"grpc_service", std::string(parts.first)},
          {"grpc_method", std::string(parts.second)}};
}

// Latency buckets, seconds: a cached query takes tens of microseconds, a
// synced append about a millisecond, a bundle or export seconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* const kBuckets =
      new prometheus::Histogram::BucketBoundaries{
          0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
  return *kBuckets;
}

prometheus::Histogram::BucketBoundaries PowersOfTwo(int up_to) {
  prometheus::Histogram::BucketBoundaries buckets;
  for (int bound = 1; bound <= up_to; bound *= 2) buckets.push_back(bound);
  return buckets;
}

}  // namespace

// The scrape sources as one Collectable the registry's scrape also reads.
class ServerMetrics::ScrapeCollectable final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<ScrapeSource> sources;
    {
      absl::MutexLock lock(&mu_);
      sources = sources_;
    }
    std::vector<prometheus::MetricFamily> families;
    for (const ScrapeSource& source : sources) {
      for (ScrapedFamily& scraped : source()) {
        prometheus::MetricFamily family;
        family.name = std::move(scraped.name);
        family.help = std::move(scraped.help);
        family.type = scraped.counter ? prometheus::MetricType::Counter
                                      : prometheus::MetricType::Gauge;
        for (ScrapedSample& sample : scraped.samples) {
          prometheus::ClientMetric metric;
          for (auto& [name, value] : sample.labels)
            metric.label.push_back({std::move(name), std::move(value)});
          if (scraped.counter) {
            metric.counter.value = sample.value;
          } else {
            metric.gauge.value = sample.value;
          }
          family.metric.push_back(std::move(metric));
        }
        families.push_back(std::move(family));
      }
    }
    return families;
  }

  void Add(ScrapeSource source) {
    absl::MutexLock lock(&mu_);
    sources_.push_back(std::move(source));
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    sources_.clear();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ScrapeSource> sources_ ABSL_GUARDED_BY(mu_);
};

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      scraped_(std::make_shared<ScrapeCollectable>()) {
  rpc_started_ = &prometheus::BuildCounter()
                      .Name("grpc_server_started_total")
                      .Help("RPCs started on the server")
                      .Register(*registry_);
  rpc_handled_ = &prometheus::BuildCounter()
                      .Name("grpc_server_handled_total")
                      .Help("RPCs completed on the server, by status code")
                      .Register(*registry_);
  rpc_seconds_ = &prometheus::BuildHistogram()
                      .Name("grpc_server_handling_seconds")
                      .Help("Time from receiving an RPC to sending its status")
                      .Register(*registry_);
  group_appends_ =
      &prometheus::BuildHistogram()
           .Name("collections_append_group_appends")
           .Help("Append calls per group commit (one WAL write and sync)")
           .Register(*registry_)
           .Add({}, PowersOfTwo(1024));
  group_events_ = &prometheus::BuildHistogram()
                       .Name("collections_append_group_events")
                       .Help("Events per group commit")
                       .Register(*registry_)
                       .Add({}, PowersOfTwo(8192));
  wal_sync_seconds_ =
      &prometheus::BuildHistogram()
           .Name("collections_wal_sync_seconds")
           .Help("Time of the event log's WAL sync a group commit waited for")
           .Register(*registry_)
           .Add({}, LatencyBuckets());
  auto& groups = prometheus::BuildCounter()
                     .Name("collections_append_groups_total")
                     .Help("Group commits, by outcome")
                     .Register(*registry_);
  groups_acknowledged_ = &groups.Add({{"outcome", "acknowledged"}});
  cluster_rejected_ =
      &prometheus::BuildCounter()
           .Name("collections_cluster_messages_rejected_total")
           .Help("Cluster messages not applied: no valid node signature")
           .Register(*registry_)
           .Add({});
  groups_failed_ = &groups.Add({{"outcome", "failed"}});
}

ServerMetrics::~ServerMetrics() = default;

ServerMetrics::MethodSeries ServerMetrics::SeriesOf(absl::string_view method) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = series_.find(method); it != series_.end()) return it->second;
  }
  const prometheus::Labels labels = MethodLabels(method);
  MethodSeries series{&rpc_started_->Add(labels),
                      &rpc_seconds_->Add(labels, LatencyBuckets())};
  absl::MutexLock lock(&mu_);
  return series_.try_emplace(method, series).first->second;
}

prometheus::Counter* ServerMetrics::HandledOf(absl::string_view method,
                                              absl::string_view code) {
  const std::string key =
      absl::StrCat(method, absl::string_view("\0", 1), code);
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = handled_.find(key); it != handled_.end()) return it->second;
  }
  prometheus::Labels labels = MethodLabels(method);
  labels.emplace("grpc_code", std::string(code));
  prometheus::Counter* counter = &rpc_handled_->Add(labels);
  absl::MutexLock lock(&mu_);
  return handled_.try_emplace(key, counter).first->second;
}

void ServerMetrics::RpcStarted(absl::string_view method) {
  SeriesOf(method).started->Increment();
}

void ServerMetrics::RpcHandled(absl::string_view method, absl::string_view code,
                               absl::Duration latency) {
  SeriesOf(method).seconds->Observe(absl::ToDoubleSeconds(latency));
  HandledOf(method, code)->Increment();
}

void ServerMetrics::OnGroupCommit(const storage::GroupCommitReport& report) {
  (report.acknowledged ? groups_acknowledged_ : groups_failed_)->Increment();
  group_appends_->Observe(static_cast<double>(report.appends));
  group_events_->Observe(static_cast<double>(report.events));
  if (report.wal_sync > absl::ZeroDuration())
    wal_sync_seconds_->Observe(absl::ToDoubleSeconds(report.wal_sync));
}

void ServerMetrics::ClusterMessageRejected() { cluster_rejected_->Increment(); }

void ServerMetrics::AddScrapeSource(ScrapeSource source) {
  scraped_->Add(std::move(source));
}

void ServerMetrics::ClearScrapeSources() { scraped_->Clear(); }

std::string ServerMetrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& family : scraped_->Collect())
    families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& address, ServerMetrics* metrics) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  try {
    // One serving thread: a scrape every few seconds needs no more.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what(),
                     " (address in use or not valid)"));
  }
  endpoint->exposer_->RegisterCollectable(metrics->registry_);
  endpoint->exposer_->RegisterCollectable(metrics->scraped_);
  std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  endpoint->port_ = ports.empty() ? 0 : ports.front();
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace collections::observability
