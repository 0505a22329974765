// ArenaMessages places a call's request and response on an arena of their
// own: a request parsed there holds what was sent, copies out of it stay
// valid after the holder is released, and every holder is independent.
#include "services/grpc/arena_messages.h"

#include <string>
#include <vector>

#include "collections/v1/case_commands.pb.h"
#include "gtest/gtest.h"

namespace collections::grpc_api {
namespace {

namespace v1 = ::collections::v1;
using Messages = ArenaMessages<v1::LogCallsRequest, v1::CommandResult>;

v1::LogCallsRequest Calls(int count, size_t notes_bytes) {
  v1::LogCallsRequest request;
  request.set_case_id("c-1");
  request.mutable_context()->set_request_id("r-1");
  for (int i = 0; i < count; ++i) {
    v1::CallLogged* call = request.add_calls();
    call->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
    call->set_notes(std::string(notes_bytes, static_cast<char>('a' + i % 26)));
  }
  return request;
}

TEST(ArenaMessagesTest, RequestAndResponseLiveOnTheirOwnArena) {
  Messages allocator;
  auto* holder = allocator.AllocateMessages();
  ASSERT_NE(holder->request()->GetArena(), nullptr);
  EXPECT_EQ(holder->request()->GetArena(), holder->response()->GetArena());
  auto* other = allocator.AllocateMessages();
  EXPECT_NE(other->request()->GetArena(), holder->request()->GetArena());
  other->Release();
  holder->Release();
}

// A one-call request fits the holder's inline block; a 100-call one with
// long notes grows the arena in blocks. Both parse whole, and a heap copy
// taken from each outlives the holder.
TEST(ArenaMessagesTest, SmallAndLargeRequestsParseAndCopiesOutliveTheCall) {
  Messages allocator;
  std::vector<v1::LogCallsRequest> copies;
  for (const auto& [count, notes] :
       {std::pair{1, size_t{20}}, std::pair{100, size_t{3000}}}) {
    const v1::LogCallsRequest sent = Calls(count, notes);
    auto* holder = allocator.AllocateMessages();
    ASSERT_TRUE(holder->request()->ParseFromString(sent.SerializeAsString()));
    EXPECT_EQ(holder->request()->SerializeAsString(), sent.SerializeAsString());
    holder->response()->set_case_version(7);
    v1::LogCallsRequest copy = *holder->request();  // the heap copy
    EXPECT_EQ(copy.GetArena(), nullptr);
    holder->Release();
    EXPECT_EQ(copy.calls_size(), count);
    EXPECT_EQ(copy.calls(count - 1).notes(),
              std::string(notes, static_cast<char>('a' + (count - 1) % 26)));
    copies.push_back(std::move(copy));
  }
  EXPECT_EQ(copies[1].calls(0).notes().size(), 3000u);
}

}  // namespace
}  // namespace collections::grpc_api
