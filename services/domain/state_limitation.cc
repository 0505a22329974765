#include "services/domain/state_limitation.h"

#include <map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_details.h"
#include "services/domain/effective_dated.h"

namespace collections::domain {
namespace {

using Rows = std::vector<Dated<StateLimitation>>;

// Written contracts and consumer credit, as collectors apply them to card
// and open-account debt. From 2000-01-01 unless a row says otherwise.
const std::map<std::string, Rows, std::less<>>& Table() {
  static const auto* const table = [] {
    const absl::CivilDay since(2000, 1, 1);
    auto* t = new std::map<std::string, Rows, std::less<>>;
    auto row = [&](const char* state, int years, const char* source) {
      (*t)[state].push_back({since, {years, source}});
    };
    row("AZ", 6, "Ariz. Rev. Stat. § 12-548(A)");
    row("CA", 4, "Cal. Code Civ. Proc. § 337(a)");
    row("CO", 6, "Colo. Rev. Stat. § 13-80-103.5(1)(a)");
    row("FL", 5, "Fla. Stat. § 95.11(2)(b)");
    row("GA", 6, "O.C.G.A. § 9-3-24");
    row("IL", 10, "735 ILCS 5/13-206");
    row("MA", 6, "Mass. Gen. Laws ch. 260, § 2");
    row("MI", 6, "Mich. Comp. Laws § 600.5807(9)");
    row("NC", 3, "N.C. Gen. Stat. § 1-52(1)");
    row("NJ", 6, "N.J. Stat. § 2A:14-1");
    row("NY", 6, "N.Y. C.P.L.R. § 213(2)");
    // Consumer Credit Fairness Act: 3 years for consumer credit from
    // 7 Apr 2022.
    (*t)["NY"].push_back(
        {absl::CivilDay(2022, 4, 7), {3, "N.Y. C.P.L.R. § 214-i"}});
    row("OH", 8, "Ohio Rev. Code § 2305.06 (before S.B. 13)");
    // S.B. 13: written contracts 6 years from 16 Jun 2021.
    (*t)["OH"].push_back(
        {absl::CivilDay(2021, 6, 16), {6, "Ohio Rev. Code § 2305.06"}});
    row("PA", 4, "42 Pa. C.S. § 5525(a)(8)");
    row("TX", 4, "Tex. Civ. Prac. & Rem. Code § 16.004(a)(3)");
    row("WA", 6, "Rev. Code Wash. § 4.16.040(1)");
    return t;
  }();
  return *table;
}

}  // namespace

bool IsUsStateJurisdiction(absl::string_view jurisdiction) {
  return absl::StartsWith(jurisdiction, "US-") && jurisdiction.size() > 3;
}

absl::StatusOr<StateLimitation> StateLimitationOn(
    absl::string_view jurisdiction, absl::CivilDay day) {
  const absl::string_view state =
      IsUsStateJurisdiction(jurisdiction) ? jurisdiction.substr(3) : "";
  auto rows = Table().find(state);
  if (rows == Table().end()) {
    std::vector<std::string> known;
    for (const auto& [code, unused] : Table()) known.push_back("US-" + code);
    return RuleRefusedError(
        kStateLimitationTable,
        absl::StrCat("no limitation period is on file for \"", jurisdiction,
                     "\"; known: ", absl::StrJoin(known, ", ")));
  }
  if (day > kStateLimitationKnownUntil) {
    return RuleRefusedError(
        kStateLimitationTable,
        absl::StrCat("the table is known until ",
                     absl::FormatCivilTime(kStateLimitationKnownUntil),
                     ", not ", absl::FormatCivilTime(day),
                     "; update it before acting on ", jurisdiction, " debts"));
  }
  const StateLimitation* found = InForceOn(rows->second, day);
  if (found == nullptr) {
    return RuleRefusedError(
        kStateLimitationTable,
        absl::StrCat("the table starts after ", absl::FormatCivilTime(day)));
  }
  return *found;
}

}  // namespace collections::domain
