// The server's scrape-time gauges (services/observability/server_metrics.h):
// what collectionsd reports of its parts at every Prometheus scrape.
//
//   collections_log_head_position
//   collections_projection_lag_events{projection}   events not yet applied
//   collections_projection_lag_seconds{projection}  age of the oldest one
//   collections_projection_stopped{projection}      1: stopped on an event
//   collections_projection_rebuild_percent{projection}  (while rebuilding)
//   collections_subscriptions_active
//   collections_subscription_lag_events{stat="max"|"sum"}
//   collections_rocksdb_*{db="event_log"|"projections"}: pending compaction
//     bytes, memtable bytes, live SST bytes, running compactions and
//     flushes, write stopped, delayed write rate, write stalls (counter)
//   collections_signed_tree_head_age_seconds
//   collections_signed_tree_head_size
//   collections_unsigned_events                     head minus signed size
#ifndef COLLECTIONS_SERVICES_SERVER_SERVER_GAUGES_H_
#define COLLECTIONS_SERVICES_SERVER_SERVER_GAUGES_H_

#include "common/clock.h"
#include "services/app/event_feed.h"
#include "services/app/projection_operations.h"
#include "services/audit/signed_tree_head.h"
#include "services/observability/server_metrics.h"
#include "storage/event_log.h"
#include "storage/log_administration.h"
#include "storage/projection_store.h"

namespace collections::server {

// What the gauges read. All must outlive the sources, until
// ServerMetrics::ClearScrapeSources.
struct GaugedParts {
  storage::EventLog* log = nullptr;
  storage::LogAdministration* log_administration = nullptr;  // `log`'s
  storage::ProjectionStore* projection_store = nullptr;
  const app::ProjectionOperations* projections = nullptr;
  const app::EventFeed* feed = nullptr;
  audit::TreeHeadSigner* signer = nullptr;
  const Clock* clock = Clock::Real();
};

void AddServerGauges(const GaugedParts& parts,
                     observability::ServerMetrics* metrics);

}  // namespace collections::server

#endif  // COLLECTIONS_SERVICES_SERVER_SERVER_GAUGES_H_
