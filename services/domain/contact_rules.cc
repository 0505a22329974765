#include "services/domain/contact_rules.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collections::domain {
namespace {

absl::CivilDay LocalDay(absl::Time t, absl::TimeZone zone) {
  return absl::ToCivilDay(t, zone);
}

bool InWindow(absl::Time t, absl::TimeZone zone, const ContactLimits& limits) {
  const int hour = absl::ToCivilHour(t, zone).hour();
  return hour >= limits.window_start_hour && hour < limits.window_end_hour;
}

// The first instant at or after `t` inside the local time window.
absl::Time NextInWindow(absl::Time t, absl::TimeZone zone,
                        const ContactLimits& limits) {
  if (InWindow(t, zone, limits)) return t;
  absl::CivilDay day = LocalDay(t, zone);
  if (absl::ToCivilHour(t, zone).hour() >= limits.window_end_hour) ++day;
  return absl::FromCivil(absl::CivilHour(day) + limits.window_start_hour, zone);
}

// The start of local day `day`, moved into the window.
absl::Time OpeningOf(absl::CivilDay day, absl::TimeZone zone,
                     const ContactLimits& limits) {
  return NextInWindow(absl::FromCivil(day, zone), zone, limits);
}

ContactDecision Refuse(std::string rule, std::string reason,
                       absl::Time next_allowed) {
  ContactDecision decision;
  decision.allowed = false;
  decision.rule = std::move(rule);
  decision.reason = std::move(reason);
  decision.next_allowed = next_allowed;
  return decision;
}

std::string Format(absl::Time t, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Z", t, zone);
}

}  // namespace

// 12 CFR 1006.6(b)(1): before 08:00 or after 21:00 local time is an
// inconvenient time for any communication.
ContactDecision CheckContactWindow(absl::Time at, absl::TimeZone zone,
                                   const ContactLimits& limits) {
  if (!InWindow(at, zone, limits)) {
    const absl::Time next = NextInWindow(at, zone, limits);
    return Refuse(
        "REG_F_1006_6_B1",
        absl::StrFormat("%s is outside %02d:00-%02d:00 at the person's local "
                        "time; next allowed %s",
                        Format(at, zone), limits.window_start_hour,
                        limits.window_end_hour, Format(next, zone)),
        next);
  }
  return ContactDecision{};
}

// 1006.6(b)(1), with conflicting information on where the person is: a
// time is convenient only if it is inside the window in every zone they
// may be in.
ContactDecision CheckContactWindowInEvery(
    absl::Time at, const std::vector<absl::TimeZone>& zones,
    const ContactLimits& limits) {
  for (const absl::TimeZone& zone : zones) {
    ContactDecision refused = CheckContactWindow(at, zone, limits);
    if (refused.allowed) continue;
    // The first instant inside every zone's window: move past each zone's
    // closed hours until none moves it (no common window within two days
    // leaves next_allowed unset).
    absl::Time next = at;
    for (int round = 0; round < 8; ++round) {
      absl::Time moved = next;
      for (const absl::TimeZone& z : zones)
        moved = std::max(moved, NextInWindow(moved, z, limits));
      if (moved == next) break;
      next = moved;
    }
    bool common = next - at < absl::Hours(48);
    for (const absl::TimeZone& z : zones)
      common = common && InWindow(next, z, limits);
    refused.reason = absl::StrCat(
        refused.reason, zones.size() > 1 ? " (one of the person's " : "",
        zones.size() > 1
            ? absl::StrCat(zones.size(), " candidate zones, ", zone.name(), ")")
            : "");
    refused.next_allowed = common ? next : absl::InfinitePast();
    return refused;
  }
  return ContactDecision{};
}

// 12 CFR 1006.14(b)(2)(i)-(ii), with the exclusions of 1006.14(b)(3).
ContactDecision CheckCallAttempt(absl::Time at, absl::TimeZone zone,
                                 const std::vector<PastCall>& history,
                                 const ContactLimits& limits, bool consented) {
  const absl::CivilDay today = LocalDay(at, zone);

  // After a conversation: days conversation_day .. conversation_day + N - 1
  // are closed.
  if (limits.quiet_days_after_conversation > 0 && !consented) {
    std::optional<absl::CivilDay> latest;
    for (const PastCall& call : history) {
      if (call.at > at) continue;
      const bool talked = call.conversation || (call.inbound && call.connected);
      if (!talked) continue;
      const absl::CivilDay day = LocalDay(call.at, zone);
      if (!latest.has_value() || day > *latest) latest = day;
    }
    if (latest.has_value() &&
        today < *latest + limits.quiet_days_after_conversation) {
      const absl::CivilDay reopens =
          *latest + limits.quiet_days_after_conversation;
      const absl::Time next = OpeningOf(reopens, zone, limits);
      return Refuse(
          "REG_F_1006_14_B2_II",
          absl::StrCat("a telephone conversation took place on ",
                       absl::FormatCivilTime(*latest), "; no call for ",
                       limits.quiet_days_after_conversation, " days, until ",
                       Format(next, zone)),
          next);
    }
  }

  // Frequency: calls counted on days today - (W - 1) .. today.
  if (limits.max_calls_per_window_days > 0 &&
      limits.frequency_window_days > 0 && !consented) {
    const absl::CivilDay first_day = today - (limits.frequency_window_days - 1);
    std::vector<absl::CivilDay> counted;
    for (const PastCall& call : history) {
      if (call.at > at || call.inbound || !call.connected || call.with_consent)
        continue;
      const absl::CivilDay day = LocalDay(call.at, zone);
      if (day >= first_day) counted.push_back(day);
    }
    const int count = static_cast<int>(counted.size());
    if (count >= limits.max_calls_per_window_days) {
      // Allowed again on the first day whose window holds fewer calls: once
      // the (count - max + 1)-th oldest counted call has left the window.
      std::sort(counted.begin(), counted.end());
      const absl::CivilDay reopens =
          counted[count - limits.max_calls_per_window_days] +
          limits.frequency_window_days;
      const absl::Time next = OpeningOf(reopens, zone, limits);
      return Refuse("REG_F_1006_14_B2_I",
                    absl::StrCat(count, " calls were placed in the ",
                                 limits.frequency_window_days,
                                 " days up to today; the limit is ",
                                 limits.max_calls_per_window_days,
                                 ". Next allowed ", Format(next, zone)),
                    next);
    }
  }

  return CheckContactWindow(at, zone, limits);
}

}  // namespace collections::domain
