// The transport ceiling (issue 26): a server that answers the load
// generator's calls without storage, so a benchmark can say what fraction
// of the gRPC ceiling collectionsd reaches. Same gRPC build, the same
// callback API and message limits as collectionsd, the same jemalloc; each
// call's request is parsed (gRPC does that) and answered with a
// CommandResult carrying made-up positions. Nothing is validated, stored
// or synced: no real server may ever answer like this.
//
//   ceiling_server --listen=127.0.0.1:0     prints "serving on port N"
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "collections/v1/case_commands.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port (0: a free port)");
ABSL_FLAG(int, max_message_bytes, 8 << 20, "as collectionsd's flag");

namespace {

namespace v1 = ::collections::v1;

class CeilingCommands final : public v1::CaseCommands::CallbackService {
 public:
  grpc::ServerUnaryReactor* OpenCase(grpc::CallbackServerContext* context,
                                     const v1::OpenCaseRequest* request,
                                     v1::CommandResult* result) override {
    return Answer(context, 1, result);
  }
  grpc::ServerUnaryReactor* LogCalls(grpc::CallbackServerContext* context,
                                     const v1::LogCallsRequest* request,
                                     v1::CommandResult* result) override {
    return Answer(context, static_cast<uint32_t>(request->calls_size()),
                  result);
  }

 private:
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context,
                                   uint32_t events, v1::CommandResult* result) {
    const uint64_t last = position_.fetch_add(events) + events;
    result->set_last_position(last);
    result->set_case_version(last);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::atomic<uint64_t> position_{0};
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  CeilingCommands commands;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen),
                           grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.RegisterService(&commands);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    std::fprintf(stderr, "cannot listen on %s\n",
                 absl::GetFlag(FLAGS_listen).c_str());
    return 1;
  }
  std::printf("serving on port %d\n", port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
