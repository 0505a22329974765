#include "services/grpc/request_threads.h"

#include <atomic>
#include <cerrno>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace collections::grpc_api {
namespace {

std::atomic<int> nice_steps{0};

}  // namespace

void SetRequestThreadNice(int steps) {
  nice_steps.store(steps < 0 ? 0 : (steps > 19 ? 19 : steps),
                   std::memory_order_relaxed);
}

void LowerRequestThreadPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  const int steps = nice_steps.load(std::memory_order_relaxed);
  if (steps == 0) return;
#if defined(__linux__)
  // On Linux a nice value belongs to the thread: PRIO_PROCESS with a thread
  // id changes that thread alone. A failure leaves the priority as it was.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) setpriority(PRIO_PROCESS, tid, current + steps);
#endif
}

}  // namespace collections::grpc_api
