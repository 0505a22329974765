// The scheduling priority of the threads gRPC runs calls on. They take new
// work in (decode, admit, decide, queue the append); the log's committer
// and the projection runners, the server's own threads, finish
// work already taken. When the two cores are busy, the kernel shares them
// out by priority: request threads a few steps below let the runners keep
// the read models current instead of falling behind a flood of new writes.
//
// Measured (loadgen, 64 callers, 100 events per write, 8 s, two alternating
// runs each, 2026-12-07): the projections' lag p99 during the load 79 and
// 145 ms at the same priority; 57 and 70 ms with request threads 5 steps
// lower, for ~4% fewer events/s (82.9k/86.6k against 78.3k/81.9k); 10
// steps lower: 41 and 54 ms, ~8% fewer. One event per write: lag 35–40 ms
// either way, ~3% fewer events/s.
//
// Linux only (setpriority on a thread id); elsewhere nothing changes.
// Lowering a thread's own priority needs no privilege.
#ifndef COLLECTIONS_SERVICES_GRPC_REQUEST_THREADS_H_
#define COLLECTIONS_SERVICES_GRPC_REQUEST_THREADS_H_

namespace collections::grpc_api {

// How many nice steps request threads run below the server's own threads:
// 0..19, 0 leaves them alone. Set once before serving; read by every call.
void SetRequestThreadNice(int steps);

// Lowers the calling thread's priority by the configured steps the first
// time a thread calls it; later calls on the same thread cost a
// thread-local read. Called as each call begins (rpc_observer.cc).
// Thread-safe.
void LowerRequestThreadPriority();

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_REQUEST_THREADS_H_
