// EventFeed: the event log as other services see it: stream reads, log reads
// and subscriptions (catch-up then live, filtered, resumable).
//
// A subscription is a cursor the transport advances with Next(): each call
// returns the next batch of matching events after the cursor, or a
// checkpoint when only filtered-out events passed, or nullopt when nothing
// was committed before the wait deadline. Positions only move forward, so a
// client that resumes after the last `position` it saw gets no gap and no
// duplicate.
//
// Errors: INVALID_ARGUMENT for bad ids, limits or positions; the log's own.
// Thread safety: safe to call concurrently; a cursor belongs to one caller.
// The log must outlive the feed.
#ifndef COLLECTIONS_SERVICES_APP_EVENT_FEED_H_
#define COLLECTIONS_SERVICES_APP_EVENT_FEED_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collections/v1/event_stream.pb.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"

namespace collections::app {

class EventFeed {
 public:
  // `vault` (optional) reveals personal data: decrypted, or "[erased]"
  // once the debtor's key is destroyed.
  explicit EventFeed(storage::EventLog* log,
                     security::PersonalDataVault* vault = nullptr)
      : log_(log), vault_(vault) {}

  absl::StatusOr<collections::v1::ReadStreamResponse> ReadStream(
      const collections::v1::ReadStreamRequest& request);
  // A page holds at most `limit` events and, past its first event, about
  // kReadLogPageBytes: next_position says where the next page starts.
  static constexpr size_t kReadLogPageBytes = 1 << 20;
  absl::StatusOr<collections::v1::ReadLogResponse> ReadLog(
      const collections::v1::ReadLogRequest& request);

  class Registration;
  struct Cursor {
    uint64_t next_position = 1;  // the first position not yet delivered
    storage::LogFilter filter;
    size_t max_batch = 100;
    // Counts the subscription in Subscriptions() while any copy lives.
    std::shared_ptr<Registration> registration;
  };
  absl::StatusOr<Cursor> Subscribe(
      const collections::v1::SubscribeRequest& request);
  // The next message for `cursor`, waiting for new commits until
  // `wait_deadline`; nullopt when nothing new was committed by then.
  absl::StatusOr<std::optional<collections::v1::SubscribeResponse>> Next(
      Cursor& cursor, absl::Time wait_deadline);

  // The live subscriptions and how far behind the log's head they are
  // (events committed but not yet delivered), for metrics.
  struct SubscriptionFigures {
    size_t active = 0;
    uint64_t max_lag = 0;
    uint64_t total_lag = 0;
  };
  SubscriptionFigures Subscriptions() const;

  static constexpr uint32_t kDefaultLimit = 100;
  static constexpr uint32_t kMaxLimit = 1000;

 private:
  // The event as readers see it: personal data revealed.
  absl::StatusOr<collections::v1::Event> Reveal(
      storage::RecordedEvent recorded);

  storage::EventLog* const log_;
  security::PersonalDataVault* const vault_;
  // Next undelivered position of each live subscription, by registration.
  mutable absl::Mutex subscriptions_mu_;
  absl::flat_hash_map<const Registration*, uint64_t> subscriptions_
      ABSL_GUARDED_BY(subscriptions_mu_);
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_EVENT_FEED_H_
