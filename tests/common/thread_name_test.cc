// NameThisThread: the name shows in /proc as top -H and perf read it, cut
// to Linux's 15 bytes, and names only the calling thread.
#include "common/thread_name.h"

#include <pthread.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace collections {
namespace {

std::string NameOf(pthread_t thread) {
  char name[16] = {};
  if (pthread_getname_np(thread, name, sizeof(name)) != 0) return "?";
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadOnlyAndCutsAtFifteenBytes) {
  const std::string before = NameOf(pthread_self());
  std::string named, cut;
  std::thread([&] {
    NameThisThread("log-committer");
    named = NameOf(pthread_self());
    NameThisThread("p:debtor_timeline@2");
    cut = NameOf(pthread_self());
  }).join();
  EXPECT_EQ(named, "log-committer");
  EXPECT_EQ(cut, "p:debtor_timeli");
  EXPECT_EQ(NameOf(pthread_self()), before);
}

}  // namespace
}  // namespace collections
