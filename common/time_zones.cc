#include "common/time_zones.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace collections {
namespace {

bool HasZoneShape(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      absl::StrContains(name, ".."))
    return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '/' || c == '_' ||
                    c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// The names tzdata.zi defines: "Z <zone> …" and "L <target> <link>" lines.
// Empty when the file cannot be read.
const absl::flat_hash_set<std::string>& ListedNames() {
  static const auto* const names = [] {
    auto* set = new absl::flat_hash_set<std::string>;
    const char* dir = std::getenv("TZDIR");
    const std::string path =
        std::string(dir != nullptr && *dir != '\0' ? dir
                                                   : "/usr/share/zoneinfo") +
        "/tzdata.zi";
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      std::vector<absl::string_view> words =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (words.size() >= 2 && words[0] == "Z") set->emplace(words[1]);
      if (words.size() >= 3 && words[0] == "L") set->emplace(words[2]);
    }
    if (!set->empty()) set->emplace("UTC");  // absl knows it built in
    return set;
  }();
  return *names;
}

}  // namespace

bool IsKnownTimeZoneName(absl::string_view name) {
  if (!HasZoneShape(name)) return false;
  const auto& listed = ListedNames();
  if (!listed.empty()) return listed.contains(name);
  absl::TimeZone zone;
  return absl::LoadTimeZone(std::string(name), &zone);
}

bool LoadKnownTimeZone(absl::string_view name, absl::TimeZone* zone) {
  return IsKnownTimeZoneName(name) &&
         absl::LoadTimeZone(std::string(name), zone);
}

}  // namespace collections
