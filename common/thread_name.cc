#include "common/thread_name.h"

#include <pthread.h>

#include <string>

namespace collections {

void NameThisThread(absl::string_view name) {
  constexpr size_t kMaxNameBytes = 15;  // Linux's TASK_COMM_LEN - 1
  const std::string cut(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace collections
