#include "services/grpc/rpc_observer.h"

#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "services/grpc/status_conversion.h"

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

class RpcObserver final : public grpc::experimental::Interceptor {
 public:
  RpcObserver(const RpcObserverOptions& options,
              grpc::experimental::ServerRpcInfo* info)
      : options_(options),
        info_(info),
        method_(info->method()),
        server_stream_(
            info->type() ==
                grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING ||
            info->type() ==
                grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING),
        start_(absl::Now()) {
    if (options_.metrics != nullptr) options_.metrics->RpcStarted(method_);
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
    const grpc::Status status = methods->GetSendStatus();
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
    absl::string_view method = absl::StripPrefix(method_, "/");
    const double ms = absl::ToDoubleMilliseconds(elapsed);
    if (status.ok()) {
      options_.log->Info("rpc", {{"method", method},
                                 {"code", code},
                                 {"ms", ms},
                                 {"request_id", request_id},
                                 {"correlation_id", correlation_id}});
    } else {
      options_.log->Write(IsServerFault(status.error_code())
                              ? observability::LogLevel::kError
                              : observability::LogLevel::kWarning,
                          "rpc",
                          {{"method", method},
                           {"code", code},
                           {"ms", ms},
                           {"request_id", request_id},
                           {"correlation_id", correlation_id},
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
};

class RpcObserverFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcObserverFactory(const RpcObserverOptions& options)
      : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcObserver(options_, info);
  }

 private:
  const RpcObserverOptions options_;
};

}  // namespace

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
