// Request threads run below the server's own (request_threads.h): the
// first call on a thread lowers that thread alone by the configured steps,
// later calls change nothing, and 0 leaves threads alone.
#include "services/grpc/request_threads.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "gtest/gtest.h"

namespace collections::grpc_api {
namespace {

int ThreadNice() {
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

struct Observed {
  int before = 0;
  int after_first = 0;
  int after_second = 0;
};

// Runs on a fresh thread: each thread is lowered once, the first time.
Observed LowerOnAFreshThread() {
  Observed observed;
  std::thread thread([&] {
    observed.before = ThreadNice();
    LowerRequestThreadPriority();
    observed.after_first = ThreadNice();
    LowerRequestThreadPriority();
    observed.after_second = ThreadNice();
  });
  thread.join();
  return observed;
}

TEST(RequestThreadsTest, AThreadIsLoweredOnceByTheConfiguredSteps) {
  const int own_before = ThreadNice();
  SetRequestThreadNice(3);
  const Observed observed = LowerOnAFreshThread();
  // (The kernel stops at 19, should the tests themselves run niced.)
  EXPECT_EQ(observed.after_first, std::min(observed.before + 3, 19));
  EXPECT_EQ(observed.after_second, observed.after_first);
  EXPECT_EQ(ThreadNice(), own_before);  // only that thread changed
}

TEST(RequestThreadsTest, ZeroStepsLeaveThreadsAlone) {
  SetRequestThreadNice(0);
  const Observed observed = LowerOnAFreshThread();
  EXPECT_EQ(observed.after_first, observed.before);
}

TEST(RequestThreadsTest, StepsAreClampedToTheNiceRange) {
  SetRequestThreadNice(-4);  // raising would need privilege: read as 0
  Observed observed = LowerOnAFreshThread();
  EXPECT_EQ(observed.after_first, observed.before);
  SetRequestThreadNice(50);
  observed = LowerOnAFreshThread();
  EXPECT_EQ(observed.after_first, 19);  // the kernel's lowest priority
  SetRequestThreadNice(0);
}

}  // namespace
}  // namespace collections::grpc_api
