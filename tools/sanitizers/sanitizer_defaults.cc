// Default options and suppressions the sanitizer runtimes read at start-up,
// linked into every executable of a sanitized build (COLLECTIONS_SANITIZE),
// so a test binary, the server and the tools behave the same whether ctest,
// a shell test or a person starts them, with no environment to remember.
// An environment variable (ASAN_OPTIONS, …) still overrides these.
//
// The leak suppressions cover memory the libraries we link but do not build
// (Debian's gRPC, protobuf, Abseil and RocksDB) keep for the whole process:
// singletons, descriptor pools and thread-local caches released at exit, or
// never. None names our own code: a leak of ours fails the run.

extern "C" {

#if defined(__SANITIZE_ADDRESS__)
const char* __asan_default_options() {
  return "detect_stack_use_after_return=1:strict_init_order=1:"
         "check_initialization_order=1:detect_leaks=1";
}

const char* __lsan_default_suppressions() {
  return "leak:libgrpc\n"
         "leak:libgpr\n"
         "leak:libcares\n"
         "leak:libprotobuf\n"
         "leak:libabsl\n"
         "leak:librocksdb\n"
         "leak:libcrypto\n"
         "leak:libssl\n"
         "leak:libnats\n"
         "leak:libprometheus\n"
         "leak:libcivetweb\n";
}

// UBSan: any report fails the run, with the stack that caused it.
const char* __ubsan_default_options() {
  return "print_stacktrace=1:halt_on_error=1";
}
#endif

#if defined(__SANITIZE_THREAD__)
// Libraries we did not build are not instrumented: TSan sees their memory
// accesses only through the interceptors (memcpy and the like), and not
// their atomics, so a race it reports with one of them on the stack is not
// one it can judge. RocksDB is linked statically (Debian's librocksdb.a),
// so it is named by namespace, not by file.
//
// history_size=7 (the most): with less, the stack of a RocksDB write that
// long preceded the racing read is lost ("failed to restore the stack"),
// the suppression below cannot see its rocksdb:: frames, and a read of a
// memtable value RocksDB published with its own (invisible) atomics is
// reported — as EventLogStressTest's were at history_size=4.
const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1:history_size=7";
}

const char* __tsan_default_suppressions() {
  return "race:rocksdb::\n"
         "called_from_lib:libprotobuf.so\n";
}
#endif

}  // extern "C"
