// Small helpers for absl::Status plumbing. Debian's Abseil (20220623) ships no
// RETURN_IF_ERROR / ASSIGN_OR_RETURN, so the project defines its own. They are
// the lowest-layer utilities and may be used by every module.
#ifndef COLLECTIONS_COMMON_STATUS_MACROS_H_
#define COLLECTIONS_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define COLLECTIONS_RETURN_IF_ERROR(expr)                      \
  do {                                                         \
    ::absl::Status collections_status_ = (expr);               \
    if (!collections_status_.ok()) return collections_status_; \
  } while (0)

#define COLLECTIONS_STATUS_CONCAT_INNER_(a, b) a##b
#define COLLECTIONS_STATUS_CONCAT_(a, b) COLLECTIONS_STATUS_CONCAT_INNER_(a, b)

// `COLLECTIONS_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());`
// Assigns the value to `lhs`, or returns the error status.
#define COLLECTIONS_ASSIGN_OR_RETURN(lhs, expr) \
  COLLECTIONS_ASSIGN_OR_RETURN_IMPL_(           \
      COLLECTIONS_STATUS_CONCAT_(collections_statusor_, __LINE__), lhs, expr)

#define COLLECTIONS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                       \
  if (!statusor.ok()) return std::move(statusor).status();      \
  lhs = std::move(statusor).value()

#endif  // COLLECTIONS_COMMON_STATUS_MACROS_H_
