// Tells ThreadSanitizer what Abseil's Mutex, CondVar and Notification do
// (and how a shared absl::Status is let go),
// for a TSan build (COLLECTIONS_SANITIZE=thread) linked against Debian's
// Abseil, which is built without TSan.
//
// Why: absl::Mutex is implemented with atomics inside libabsl_synchronization,
// which TSan does not instrument, so it sees no happens-before edge between
// an Unlock and the next Lock and reports every access to guarded data as a
// race. (Abseil built with TSan annotates itself; Debian's is not.)
//
// How: this file defines the public entry points with Abseil's own
// signatures, so the dynamic linker binds our code's calls (and the
// library's calls through its PLT) here. Each forwards to the library's
// definition (dlsym RTLD_NEXT) and tells TSan that a lock acquires and an
// unlock releases the mutex's address. Waiting calls (Await, CondVar::Wait)
// release before and acquire after. Reader locks are treated as full
// acquire/release: that can hide a race between two readers, who by
// contract only read, and never invents one.
#if defined(__SANITIZE_THREAD__)

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

extern "C" {
void __tsan_acquire(void* address);
void __tsan_release(void* address);
}

namespace {

// The library's definition of `symbol` (a mangled name); aborts when the
// library does not have it (a different Abseil than this file was written
// for: better to stop than to run TSan blind).
template <typename Function>
Function Real(const char* symbol) {
  void* address = dlsym(RTLD_NEXT, symbol);
  if (address == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in Abseil\n", symbol);
    std::abort();
  }
  return reinterpret_cast<Function>(address);
}

void Acquire(const void* address) {
  __tsan_acquire(const_cast<void*>(address));
}
void Release(const void* address) {
  __tsan_release(const_cast<void*>(address));
}

// The mangled names carry Abseil's inline namespace, Debian's "debian3"
// (absl/base/options.h); the assertion stops a build against another one.
#define COLLECTIONS_STRINGIFY2(x) #x
#define COLLECTIONS_STRINGIFY(x) COLLECTIONS_STRINGIFY2(x)
static_assert(std::string_view(COLLECTIONS_STRINGIFY(
                  ABSL_OPTION_INLINE_NAMESPACE_NAME)) == "debian3",
              "update the mangled names for this Abseil");
#define COLLECTIONS_ABSL_SYMBOL(rest) "_ZN4absl7debian3" rest
#define COLLECTIONS_ABSL_CONST_SYMBOL(rest) "_ZNK4absl7debian3" rest

// A condition is evaluated inside the library, with the mutex held there but
// before the waiting call returns (and sometimes on the thread that unlocks):
// the evaluation itself must acquire, and release after, or its reads of
// guarded data look unsynchronised. Await and LockWhen pass the library this
// wrapper instead.
struct AcquiringCondition {
  const absl::Condition* condition;
  const absl::Mutex* mu;
};

bool EvalAcquiring(void* arg) {
  const auto* wrapped = static_cast<const AcquiringCondition*>(arg);
  Acquire(wrapped->mu);
  const bool holds = wrapped->condition->Eval();
  // When it does not hold the library unlocks and waits: whoever locks next
  // comes after these reads.
  Release(wrapped->mu);
  return holds;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real =
      Real<void (*)(Mutex*)>(COLLECTIONS_ABSL_SYMBOL("5Mutex4LockEv"));
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() {
  static auto real =
      Real<void (*)(Mutex*)>(COLLECTIONS_ABSL_SYMBOL("5Mutex10ReaderLockEv"));
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() {
  static auto real =
      Real<bool (*)(Mutex*)>(COLLECTIONS_ABSL_SYMBOL("5Mutex7TryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  static auto real = Real<bool (*)(Mutex*)>(
      COLLECTIONS_ABSL_SYMBOL("5Mutex13ReaderTryLockEv"));
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() {
  static auto real =
      Real<void (*)(Mutex*)>(COLLECTIONS_ABSL_SYMBOL("5Mutex6UnlockEv"));
  Release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  static auto real =
      Real<void (*)(Mutex*)>(COLLECTIONS_ABSL_SYMBOL("5Mutex12ReaderUnlockEv"));
  Release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      COLLECTIONS_ABSL_SYMBOL("5Mutex8LockWhenERKNS0_9ConditionE"));
  AcquiringCondition wrapped{&cond, this};
  const Condition acquiring(&EvalAcquiring, &wrapped);
  real(this, acquiring);
  Acquire(this);
}

void Mutex::Await(const Condition& cond) {
  static auto real = Real<void (*)(Mutex*, const Condition&)>(
      COLLECTIONS_ABSL_SYMBOL("5Mutex5AwaitERKNS0_9ConditionE"));
  AcquiringCondition wrapped{&cond, this};
  const Condition acquiring(&EvalAcquiring, &wrapped);
  Release(this);
  real(this, acquiring);
  Acquire(this);
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Time)>(
      COLLECTIONS_ABSL_SYMBOL(
          "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"));
  AcquiringCondition wrapped{&cond, this};
  const Condition acquiring(&EvalAcquiring, &wrapped);
  Release(this);
  const bool met = real(this, acquiring, deadline);
  Acquire(this);
  return met;
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Real<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      COLLECTIONS_ABSL_SYMBOL(
          "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"));
  AcquiringCondition wrapped{&cond, this};
  const Condition acquiring(&EvalAcquiring, &wrapped);
  Release(this);
  const bool met = real(this, acquiring, timeout);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  static auto real = Real<void (*)(CondVar*, Mutex*)>(
      COLLECTIONS_ABSL_SYMBOL("7CondVar4WaitEPNS0_5MutexE"));
  Release(mu);
  real(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real =
      Real<bool (*)(CondVar*, Mutex*, absl::Time)>(COLLECTIONS_ABSL_SYMBOL(
          "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE"));
  Release(mu);
  const bool timed_out = real(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto real =
      Real<bool (*)(CondVar*, Mutex*, absl::Duration)>(COLLECTIONS_ABSL_SYMBOL(
          "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE"));
  Release(mu);
  const bool timed_out = real(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}

// Notification: Notify releases, every way of seeing it notified acquires.
// HasBeenNotified() is inline (instrumented): its acquire load of the flag
// synchronises with a release on the flag's address, so Notify releases
// that address too (the flag follows the Mutex member).
void Notification::Notify() {
  static auto real = Real<void (*)(Notification*)>(
      COLLECTIONS_ABSL_SYMBOL("12Notification6NotifyEv"));
  Release(this);
  Release(reinterpret_cast<const char*>(this) + sizeof(Mutex));
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Real<void (*)(const Notification*)>(
      COLLECTIONS_ABSL_CONST_SYMBOL("12Notification19WaitForNotificationEv"));
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  static auto real = Real<bool (*)(const Notification*, absl::Duration)>(
      COLLECTIONS_ABSL_CONST_SYMBOL(
          "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE"));
  const bool notified = real(this, timeout);
  if (notified) Acquire(this);
  return notified;
}

// A non-inlined Status (an error with a message or payload) is shared by
// reference count, decremented with atomics inside libabsl_status: TSan
// sees the last owner's delete but not that every other owner was done with
// the rep first. Each owner releases the rep as it lets go, and the caller
// acquires what earlier owners released before the library may delete it.
void Status::UnrefNonInlined(uintptr_t rep) {
  static auto real = Real<void (*)(uintptr_t)>(
      COLLECTIONS_ABSL_SYMBOL("6Status15UnrefNonInlinedEm"));
  Release(reinterpret_cast<const void*>(rep));
  Acquire(reinterpret_cast<const void*>(rep));
  real(rep);
}

ABSL_NAMESPACE_END
}  // namespace absl

#endif  // __SANITIZE_THREAD__
