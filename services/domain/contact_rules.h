// Contact compliance: may a call about one debt to one person be placed at
// a given instant? Pure: the history and the instant come in, a decision
// comes out; the caller records a refusal as ContactSuppressedByRule.
//
// The rules (Regulation F, 12 CFR 1006, as domain.md §3 states them; other
// packs set their own limits or none):
//   - local time window: no call before 08:00 or from 21:00 on, at the
//     person's local time (1006.6(b)(1));
//   - call frequency: at most 7 calls placed within 7 consecutive days
//     (1006.14(b)(2)(i)): a call counts when placed, answered or not;
//     calls placed with prior consent and calls that never connected to the
//     number (busy, not in service, network failure) are not counted;
//   - after a telephone conversation, no call within 7 consecutive days, the
//     day of the conversation being the first (1006.14(b)(2)(ii)); an inbound
//     call that connected counts as a conversation.
// Days are calendar days in the zone given for the attempt (the person's
// zone now), so a history logged under another zone is counted in it.
//
// A refusal names the rule and says when the next attempt is allowed (the
// earliest instant at which this rule and the time window would both allow
// it, given the same history).
#ifndef COLLECTIONS_SERVICES_DOMAIN_CONTACT_RULES_H_
#define COLLECTIONS_SERVICES_DOMAIN_CONTACT_RULES_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace collections::domain {

// One earlier call about the same debt with the same person.
struct PastCall {
  absl::Time at;
  bool inbound = false;
  bool connected = false;     // the call reached the number
  bool conversation = false;  // the person was spoken to
  bool with_consent = false;  // placed with the person's prior consent
};

// A rule pack's limits; a zero disables the limit.
struct ContactLimits {
  int window_start_hour = 0;  // first allowed local hour (inclusive)
  int window_end_hour = 24;   // first refused local hour
  int max_calls_per_window_days = 0;
  int frequency_window_days = 0;
  int quiet_days_after_conversation = 0;
};

// Regulation F's limits.
inline constexpr ContactLimits kRegulationFLimits{8, 21, 7, 7, 7};

struct ContactDecision {
  bool allowed = true;
  std::string rule;    // e.g. "REG_F_1006_14_B2_I" when refused
  std::string reason;  // a sentence a collector can act on
  absl::Time next_allowed = absl::InfinitePast();  // when refused
};

// `consented`: the person's prior consent (at most 7 days old) lifts the
// frequency limits for this call; the local time window still applies.
ContactDecision CheckCallAttempt(absl::Time at, absl::TimeZone zone,
                                 const std::vector<PastCall>& history,
                                 const ContactLimits& limits,
                                 bool consented = false);

// The local time window alone (1006.6(b)(1)): for every channel (e-mail,
// text, portal messages as much as calls).
ContactDecision CheckContactWindow(absl::Time at, absl::TimeZone zone,
                                   const ContactLimits& limits);

// The window in each of `zones` (the person's candidate zones where the
// collector's information conflicts, 1006.6(b)(1)): refused when any zone
// is outside it; next_allowed is the first instant inside all of them
// (InfinitePast when they share no hour within two days).
ContactDecision CheckContactWindowInEvery(
    absl::Time at, const std::vector<absl::TimeZone>& zones,
    const ContactLimits& limits);

// How long a consumer's consent to more calls lasts (1006.14(b)(3)(i)).
inline constexpr absl::Duration kConsentLasts = absl::Hours(24 * 7);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CONTACT_RULES_H_
