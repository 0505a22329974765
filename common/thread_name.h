// Names the calling thread, so `top -H`, perf and /proc/<pid>/task/*/comm
// tell the server's threads apart (the log's committer, each
// projection's runner) instead of showing every one as "collectionsd".
//
// Linux keeps 15 bytes of a name: longer names are cut there. Best effort:
// a name that cannot be set is ignored. Thread-safe; affects only the
// calling thread.
#ifndef COLLECTIONS_COMMON_THREAD_NAME_H_
#define COLLECTIONS_COMMON_THREAD_NAME_H_

#include "absl/strings/string_view.h"

namespace collections {

void NameThisThread(absl::string_view name);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_THREAD_NAME_H_
