#include "services/grpc/rpc_observer.h"

#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "collections/v1/agency.pb.h"
#include "collections/v1/audit.pb.h"
#include "collections/v1/case_commands.pb.h"
#include "collections/v1/case_queries.pb.h"
#include "collections/v1/event_stream.pb.h"
#include "collections/v1/operations.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "services/grpc/request_threads.h"
#include "services/grpc/status_conversion.h"
#include "services/observability/trace_context.h"

namespace collections::grpc_api {
namespace {

using grpc::experimental::InterceptionHookPoints;

// A request id for a call that brought none: random, 16 hex digits.
std::string NewRequestId() {
  thread_local absl::BitGen bits;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bits));
}

template <typename Map>
std::string Find(const Map& metadata, absl::string_view key) {
  for (const auto& [name, value] : metadata) {
    if (absl::string_view(name.data(), name.size()) == key)
      return std::string(value.data(), value.size());
  }
  return "";
}

// The ErrorInfo reason a status about to be sent carries ("" when none).
std::string ReasonIn(const grpc::Status& status) {
  std::optional<google::rpc::Status> rich = RichStatusIn(status);
  if (!rich.has_value()) return "";
  for (const google::protobuf::Any& any : rich->details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

class RpcObserver final : public grpc::experimental::Interceptor {
 public:
  RpcObserver(const RpcObserverOptions& options,
              grpc::experimental::ServerRpcInfo* info)
      : options_(options),
        info_(info),
        method_(MethodLabel(info->method())),
        server_stream_(
            info->type() ==
                grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING ||
            info->type() ==
                grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING),
        start_(absl::Now()) {
    if (options_.metrics != nullptr) options_.metrics->RpcStarted(method_);
  }

  // A call the client cancelled, or whose deadline passed, ends without a
  // status being sent: it still counts as handled, as CANCELLED.
  ~RpcObserver() override {
    if (!finished_ && options_.metrics != nullptr) {
      options_.metrics->RpcHandled(method_, "CANCELLED", absl::Now() - start_);
    }
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods);
    }
    methods->Proceed();
  }

 private:
  void Finish(grpc::experimental::InterceptorBatchMethods* methods) {
    finished_ = true;
    grpc::Status status = methods->GetSendStatus();
    if (!status.ok()) {
      // Every refusal leaves with its google.rpc details, whoever made it.
      status = CompleteErrorDetails(status, info_->method());
      methods->ModifySendStatus(status);
    }
    const absl::Duration elapsed = absl::Now() - start_;
    const std::string code = StatusCodeName(status.error_code());
    if (options_.metrics != nullptr)
      options_.metrics->RpcHandled(method_, code, elapsed);
    if (options_.log == nullptr ||
        !ShouldLogRpc(options_, status.ok(), elapsed, server_stream_)) {
      return;
    }
    auto* trailers = methods->GetSendTrailingMetadata();
    const auto& client = info_->server_context()->client_metadata();
    std::string request_id = Find(*trailers, "x-request-id");
    std::string correlation_id = Find(*trailers, "x-correlation-id");
    if (request_id.empty()) request_id = Find(client, "x-request-id");
    if (correlation_id.empty())
      correlation_id = Find(client, "x-correlation-id");
    if (request_id.empty()) {
      request_id = NewRequestId();
      trailers->emplace("x-request-id", request_id);
    }
    if (correlation_id.empty()) correlation_id = request_id;
    // The call's span, as the guard started it (the traceresponse trailer);
    // a call that never reached the guard starts one here.
    std::string trace_id, span_id;
    std::optional<observability::Traceparent> span =
        observability::ParseTraceparent(Find(*trailers, "traceresponse"));
    if (span.has_value()) {
      trace_id = std::move(span->trace_id);
      span_id = std::move(span->parent_id);
    } else {
      observability::TraceContext started = observability::StartSpan(
          Find(client, "traceparent"), Find(client, "tracestate"));
      trailers->emplace("traceresponse", observability::TraceparentOf(started));
      trace_id = std::move(started.trace_id);
      span_id = std::move(started.span_id);
    }
    absl::string_view method = absl::StripPrefix(method_, "/");
    const double ms = absl::ToDoubleMilliseconds(elapsed);
    if (status.ok()) {
      options_.log->Info("rpc", {{"method", method},
                                 {"code", code},
                                 {"ms", ms},
                                 {"request_id", request_id},
                                 {"correlation_id", correlation_id},
                                 {"trace_id", trace_id},
                                 {"span_id", span_id}});
    } else {
      options_.log->Write(IsServerFault(status.error_code())
                              ? observability::LogLevel::kError
                              : observability::LogLevel::kWarning,
                          "rpc",
                          {{"method", method},
                           {"code", code},
                           {"reason", ReasonIn(status)},
                           {"ms", ms},
                           {"request_id", request_id},
                           {"correlation_id", correlation_id},
                           {"trace_id", trace_id},
                           {"span_id", span_id},
                           {"error", status.error_message()}});
    }
  }

  // Codes that say the server, not the caller, has a problem.
  static bool IsServerFault(grpc::StatusCode code) {
    return code == grpc::StatusCode::INTERNAL ||
           code == grpc::StatusCode::DATA_LOSS ||
           code == grpc::StatusCode::UNAVAILABLE ||
           code == grpc::StatusCode::UNKNOWN;
  }

  const RpcObserverOptions& options_;
  grpc::experimental::ServerRpcInfo* const info_;
  const absl::string_view method_;
  const bool server_stream_;
  const absl::Time start_;
  bool finished_ = false;
};

class RpcObserverFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcObserverFactory(const RpcObserverOptions& options)
      : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // Every call passes here first, on the thread gRPC handles it on.
    LowerRequestThreadPriority();
    return new RpcObserver(options_, info);
  }

 private:
  const RpcObserverOptions options_;
};

}  // namespace

// A made-up path is "unknown", so a caller cannot grow the series without
// bound.
absl::string_view MethodLabel(absl::string_view method) {
  // Every method of our services, as gRPC paths, from their descriptors (a
  // message of each file pins the file's descriptor into the binary).
  static const auto* const kKnown = [] {
    auto* known = new absl::flat_hash_set<std::string>();
    for (const google::protobuf::FileDescriptor* file :
         {collections::v1::OpenCaseRequest::descriptor()->file(),
          collections::v1::GetCaseRequest::descriptor()->file(),
          collections::v1::ReadLogRequest::descriptor()->file(),
          collections::v1::ListProjectionsRequest::descriptor()->file(),
          collections::v1::GetSignedTreeHeadRequest::descriptor()->file(),
          collections::v1::GetPlacementPackageRequest::descriptor()->file()}) {
      for (int s = 0; s < file->service_count(); ++s) {
        const google::protobuf::ServiceDescriptor* service = file->service(s);
        for (int m = 0; m < service->method_count(); ++m) {
          known->insert(absl::StrCat("/", service->full_name(), "/",
                                     service->method(m)->name()));
        }
      }
    }
    return known;
  }();
  if (kKnown->contains(method) ||
      absl::StartsWith(method, "/grpc.health.v1.Health/") ||
      absl::StartsWith(method, "/grpc.reflection.")) {
    return method;
  }
  return "/unknown/unknown";
}

bool ShouldLogRpc(const RpcObserverOptions& options, bool ok,
                  absl::Duration elapsed, bool server_stream) {
  switch (options.policy) {
    case RpcLogPolicy::kNone:
      return false;
    case RpcLogPolicy::kAll:
      return true;
    case RpcLogPolicy::kFailures:
      return !ok || (!server_stream && elapsed > options.slow_call);
  }
  return true;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcObserverFactory(const RpcObserverOptions& options) {
  return std::make_unique<RpcObserverFactory>(options);
}

}  // namespace collections::grpc_api
