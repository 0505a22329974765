// US state statutes of limitations for consumer debt on a contract: the
// period after which a debt is time-barred, so a collector may neither sue
// nor threaten to sue on it (Reg F 12 CFR 1006.26(b)): final notices and
// legal steps are refused (TIME_BARRED). One effective-dated table per
// state, each row with its source; the table is known until kKnownUntil and
// refuses beyond it, as it refuses a state it does not list.
//
// Cases name the state in their jurisdiction as "US-<postal code>"
// ("US-NY"); a case of jurisdiction "US" alone is judged by its rule pack's
// period (docs/domain.md "Contact rules": name the state).
//
// Pure; thread safe (the table is immutable).
#ifndef COLLECTIONS_SERVICES_DOMAIN_STATE_LIMITATION_H_
#define COLLECTIONS_SERVICES_DOMAIN_STATE_LIMITATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace collections::domain {

// The table's name in refusals.
inline constexpr char kStateLimitationTable[] = "US_STATE_LIMITATION_TABLE";
// The last day the table is known to be right (reviewed 2026-12).
inline constexpr absl::CivilDay kStateLimitationKnownUntil{2027, 6, 30};

struct StateLimitation {
  int years = 0;
  std::string source;  // the statute, e.g. "N.Y. C.P.L.R. § 214-i"
};

// Whether `jurisdiction` names a US state ("US-" and a code).
bool IsUsStateJurisdiction(absl::string_view jurisdiction);

// The period in force on `day` in the state of `jurisdiction` ("US-NY").
// FAILED_PRECONDITION "US_STATE_LIMITATION_TABLE: …" for a state the table
// does not list or a day after kStateLimitationKnownUntil.
absl::StatusOr<StateLimitation> StateLimitationOn(
    absl::string_view jurisdiction, absl::CivilDay day);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_STATE_LIMITATION_H_
