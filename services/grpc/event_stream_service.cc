#include "services/grpc/event_stream_service.h"

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/grpc/caller.h"
#include "services/grpc/status_conversion.h"

namespace collections::grpc_api {

grpc::Status EventStreamService::ReadStream(
    grpc::ServerContext* context,
    const collections::v1::ReadStreamRequest* request,
    collections::v1::ReadStreamResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.EventStream/ReadStream", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  auto result = feed_->ReadStream(*request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status EventStreamService::ReadLog(
    grpc::ServerContext* context,
    const collections::v1::ReadLogRequest* request,
    collections::v1::ReadLogResponse* response) {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.EventStream/ReadLog", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  auto result = feed_->ReadLog(*request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status EventStreamService::Subscribe(
    grpc::ServerContext* context,
    const collections::v1::SubscribeRequest* request,
    grpc::ServerWriter<collections::v1::SubscribeResponse>* writer) {
  absl::StatusOr<collections::v1::Actor> actor =
      guard_->Admit(*context, "collections.v1.EventStream/Subscribe", request);
  if (!actor.ok()) return ToGrpcStatus(actor.status());
  {
    absl::MutexLock lock(&mu_);
    int& open = open_[actor->id()];
    if (open >= max_subscriptions_per_caller_) {
      return ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
          "caller ", actor->id(), " has ", open,
          " subscriptions open, the most one caller may hold; close one "
          "(or resume it from its last position) first")));
    }
    ++open;
  }
  const std::string caller = actor->id();
  auto release = absl::MakeCleanup([this, &caller] {
    absl::MutexLock lock(&mu_);
    if (--open_[caller] == 0) open_.erase(caller);
  });
  absl::StatusOr<app::EventFeed::Cursor> cursor = feed_->Subscribe(*request);
  if (!cursor.ok()) return ToGrpcStatus(cursor.status());
  while (!context->IsCancelled() && !ending_) {
    auto next = feed_->Next(*cursor, absl::Now() + heartbeat_);
    if (!next.ok()) return ToGrpcStatus(next.status());
    if (!next->has_value()) continue;
    if (!writer->Write(**next)) break;  // the client went away
  }
  return grpc::Status::OK;
}

}  // namespace collections::grpc_api
