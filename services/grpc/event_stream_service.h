// gRPC EventStream: stream and log reads, and Subscribe as a server stream.
// A subscription writes one message at a time (a blocking Write waits for
// HTTP/2 flow control), so a slow consumer holds back only its own stream
// and the server never buffers more than one message for it. While nothing
// is committed it wakes every `heartbeat` to notice cancellation and
// shutdown. A caller (actor id) holds at most `max_subscriptions_per_caller`
// open subscriptions at once; one more is RESOURCE_EXHAUSTED, so one client
// cannot tie up the server's threads.
//
// Thread safety: as the feed, which must outlive the service.
#ifndef COLLECTIONS_SERVICES_GRPC_EVENT_STREAM_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_EVENT_STREAM_SERVICE_H_

#include <atomic>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collections/v1/event_stream.grpc.pb.h"
#include "services/app/event_feed.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class EventStreamService final : public collections::v1::EventStream::Service {
 public:
  // Closed to agencies. Both must outlive the service.
  static constexpr int kDefaultMaxSubscriptionsPerCaller = 8;
  EventStreamService(
      app::EventFeed* feed, const Guard* guard,
      int max_subscriptions_per_caller = kDefaultMaxSubscriptionsPerCaller)
      : feed_(feed),
        guard_(guard),
        max_subscriptions_per_caller_(max_subscriptions_per_caller) {}

  grpc::Status ReadStream(
      grpc::ServerContext* context,
      const collections::v1::ReadStreamRequest* request,
      collections::v1::ReadStreamResponse* response) override;
  grpc::Status ReadLog(grpc::ServerContext* context,
                       const collections::v1::ReadLogRequest* request,
                       collections::v1::ReadLogResponse* response) override;
  grpc::Status Subscribe(
      grpc::ServerContext* context,
      const collections::v1::SubscribeRequest* request,
      grpc::ServerWriter<collections::v1::SubscribeResponse>* writer) override;

  // Ends every subscription (OK status, resumable) within one heartbeat: the
  // server calls this before its graceful shutdown so open streams do not
  // hold it up.
  void EndSubscriptions() { ending_ = true; }

 private:
  app::EventFeed* const feed_;
  const Guard* const guard_;
  std::atomic<bool> ending_{false};
  const absl::Duration heartbeat_ = absl::Milliseconds(200);
  const int max_subscriptions_per_caller_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> open_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_EVENT_STREAM_SERVICE_H_
