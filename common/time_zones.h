// Time-zone names from callers, checked before they reach the zone loader.
// absl::LoadTimeZone takes a name as a path under the zoneinfo directory
// and keeps every zone it loaded for the life of the process, so an
// unchecked name could read outside that directory ("../../etc/passwd") or
// grow the cache without bound. A name is accepted only when the tz
// database's own list names it (tzdata.zi: its zones and links).
//
// Thread safety: safe to call concurrently (the list is read once).
#ifndef COLLECTIONS_COMMON_TIME_ZONES_H_
#define COLLECTIONS_COMMON_TIME_ZONES_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace collections {

// Whether `name` is a zone or link of the tz database ("Europe/Amsterdam",
// "UTC"). Where the list cannot be read ($TZDIR or /usr/share/zoneinfo,
// tzdata.zi), a name of the database's shape (letters, digits, '/', '_',
// '-', '+'; no "..", no leading '/', at most 64 characters) that loads.
bool IsKnownTimeZoneName(absl::string_view name);

// Loads `name` into `zone` when IsKnownTimeZoneName; false otherwise.
bool LoadKnownTimeZone(absl::string_view name, absl::TimeZone* zone);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_TIME_ZONES_H_
