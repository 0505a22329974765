#include "services/server/server_gauges.h"

#include <string>
#include <utility>
#include <vector>

#include "common/time_conversion.h"

namespace collections::server {
namespace {

using observability::ScrapedFamily;
using observability::ScrapedSample;

ScrapedFamily Gauge(std::string name, std::string help,
                    std::vector<ScrapedSample> samples) {
  return ScrapedFamily{std::move(name), std::move(help), /*counter=*/false,
                       std::move(samples)};
}

ScrapedSample Unlabelled(double value) { return ScrapedSample{{}, value}; }

std::vector<ScrapedFamily> ProjectionFamilies(
    const app::ProjectionOperations& projections) {
  ScrapedFamily lag = Gauge("collections_projection_lag_events",
                            "Events committed but not yet applied", {});
  ScrapedFamily age =
      Gauge("collections_projection_lag_seconds",
            "Age of the oldest event a projection has not applied", {});
  ScrapedFamily stopped = Gauge(
      "collections_projection_stopped",
      "1 while the projection has stopped on an event it cannot apply", {});
  ScrapedFamily rebuild = Gauge("collections_projection_rebuild_percent",
                                "Progress of a running rebuild", {});
  const collections::v1::ListProjectionsResponse list = projections.List();
  for (const auto& status : list.projections()) {
    const std::vector<std::pair<std::string, std::string>> labels = {
        {"projection", status.name()}};
    lag.samples.push_back(
        {labels, static_cast<double>(status.lag_positions())});
    age.samples.push_back({labels, status.lag_millis() / 1000.0});
    stopped.samples.push_back({labels, status.failed() ? 1.0 : 0.0});
    if (status.rebuild().running()) {
      rebuild.samples.push_back(
          {labels, static_cast<double>(status.rebuild().percent())});
    }
  }
  return {std::move(lag), std::move(age), std::move(stopped),
          std::move(rebuild)};
}

// The RocksDB figures of both databases, one family per figure.
std::vector<ScrapedFamily> StorageFamilies(storage::LogAdministration* log,
                                           storage::ProjectionStore* store) {
  const std::pair<const char*, storage::StorageFigures> databases[] = {
      {"event_log", log->Figures()}, {"projections", store->Figures()}};
  struct Figure {
    const char* name;
    const char* help;
    double (*read)(const storage::StorageFigures&);
  };
  static constexpr Figure kFigures[] = {
      {"collections_rocksdb_pending_compaction_bytes",
       "Estimated bytes compaction still has to rewrite",
       [](const storage::StorageFigures& f) {
         return double(f.pending_compaction_bytes);
       }},
      {"collections_rocksdb_memtable_bytes",
       "Bytes in memtables, active and immutable",
       [](const storage::StorageFigures& f) {
         return double(f.memtable_bytes);
       }},
      {"collections_rocksdb_live_sst_bytes", "Bytes in live table files",
       [](const storage::StorageFigures& f) {
         return double(f.live_sst_bytes);
       }},
      {"collections_rocksdb_block_cache_bytes",
       "Bytes held in the block cache (blocks, and with a memory budget the "
       "memtables' reservations)",
       [](const storage::StorageFigures& f) {
         return double(f.block_cache_bytes);
       }},
      {"collections_rocksdb_table_reader_bytes",
       "Bytes table readers hold outside the block cache",
       [](const storage::StorageFigures& f) {
         return double(f.table_reader_bytes);
       }},
      {"collections_rocksdb_running_compactions", "Compactions running",
       [](const storage::StorageFigures& f) {
         return double(f.running_compactions);
       }},
      {"collections_rocksdb_running_flushes", "Memtable flushes running",
       [](const storage::StorageFigures& f) {
         return double(f.running_flushes);
       }},
      {"collections_rocksdb_write_stopped",
       "1 while RocksDB stops writes (compaction or flushes behind)",
       [](const storage::StorageFigures& f) {
         return f.write_stopped ? 1.0 : 0.0;
       }},
      {"collections_rocksdb_delayed_write_rate_bytes",
       "Rate writes are slowed to, bytes/s (0: not slowed)",
       [](const storage::StorageFigures& f) {
         return double(f.delayed_write_rate);
       }},
  };
  std::vector<ScrapedFamily> families;
  for (const Figure& figure : kFigures) {
    ScrapedFamily family = Gauge(figure.name, figure.help, {});
    for (const auto& [db, figures] : databases)
      family.samples.push_back({{{"db", db}}, figure.read(figures)});
    families.push_back(std::move(family));
  }
  ScrapedFamily stalls{"collections_rocksdb_write_stalls_total",
                       "Write stalls since the database opened, by kind",
                       /*counter=*/true,
                       {}};
  for (const auto& [db, figures] : databases) {
    stalls.samples.push_back(
        {{{"db", db}, {"kind", "slowdown"}}, double(figures.write_slowdowns)});
    stalls.samples.push_back(
        {{{"db", db}, {"kind", "stop"}}, double(figures.write_stops)});
  }
  families.push_back(std::move(stalls));
  return families;
}

std::vector<ScrapedFamily> SignedHeadFamilies(audit::TreeHeadSigner* signer,
                                              uint64_t log_head,
                                              absl::Time now) {
  auto latest = signer->Latest();
  if (!latest.ok() || !latest->has_value()) return {};
  const auto& head = **latest;
  const absl::Time signed_at = ToTime(head.timestamp());
  return {
      Gauge("collections_signed_tree_head_age_seconds",
            "Time since the newest signed tree head was signed",
            {Unlabelled(absl::ToDoubleSeconds(now - signed_at))}),
      Gauge("collections_signed_tree_head_size",
            "Events covered by the newest signed tree head",
            {Unlabelled(double(head.tree_size()))}),
      Gauge("collections_unsigned_events",
            "Events committed after the newest signed tree head",
            {Unlabelled(log_head > head.tree_size()
                            ? double(log_head - head.tree_size())
                            : 0.0)}),
  };
}

}  // namespace

void AddServerGauges(const GaugedParts& parts,
                     observability::ServerMetrics* metrics) {
  metrics->AddScrapeSource([parts] {
    std::vector<ScrapedFamily> families;
    const uint64_t head = parts.log->HeadPosition();
    families.push_back(Gauge("collections_log_head_position",
                             "Global position of the last committed event",
                             {Unlabelled(double(head))}));
    for (auto& family : ProjectionFamilies(*parts.projections))
      families.push_back(std::move(family));
    const app::EventFeed::SubscriptionFigures subscriptions =
        parts.feed->Subscriptions();
    families.push_back(Gauge("collections_subscriptions_active",
                             "Live event subscriptions",
                             {Unlabelled(double(subscriptions.active))}));
    families.push_back(Gauge(
        "collections_subscription_lag_events",
        "Events committed but not yet delivered to subscribers",
        {ScrapedSample{{{"stat", "max"}}, double(subscriptions.max_lag)},
         ScrapedSample{{{"stat", "sum"}}, double(subscriptions.total_lag)}}));
    for (auto& family :
         StorageFamilies(parts.log_administration, parts.projection_store))
      families.push_back(std::move(family));
    for (auto& family :
         SignedHeadFamilies(parts.signer, head, parts.clock->Now()))
      families.push_back(std::move(family));
    return families;
  });
}

}  // namespace collections::server
