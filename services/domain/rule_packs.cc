#include "services/domain/rule_packs.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "services/domain/effective_dated.h"

namespace collections::domain {
namespace {

using PackVersions = std::vector<Dated<RulePack>>;

// Where the law leaves the choice to the creditor, the paths are policy:
// docs/domain.md "Treatment by debtor type".
std::vector<TreatmentPath> Standard() {
  return {
      {"", "ladder", TreatmentKind::kLadder, false},
      {"can_pay_wont", "fast-escalation", TreatmentKind::kFastEscalation,
       false},
      {"wants_cant", "plan-and-hardship", TreatmentKind::kPlanAndHardship,
       true},
      {"neither", "stop-and-write-off", TreatmentKind::kStopAndWriteOff, false},
  };
}

RulePack Dutch(const std::string& id, absl::CivilDay from) {
  RulePack pack;
  pack.id = id;
  pack.version = absl::StrCat(id, "@", absl::FormatCivilTime(from));
  pack.default_time_zone = "Europe/Amsterdam";
  pack.letter_receipt = kDutchPostReceipt;
  pack.vat_relief = true;
  pack.overridable_rules = {rules::kActivePromise, rules::kLadderOrder,
                            rules::kPromiseOpen, rules::kVatReliefNotDue,
                            rules::kHardshipHold};
  pack.treatment_paths = Standard();
  return pack;
}

RulePack DutchConsumer(absl::CivilDay from, uint32_t plan_misses_allowed,
                       int repeat_claims_lookback_months = 0) {
  RulePack pack = Dutch("nl-consumer", from);
  pack.debtor_kind = collections::v1::DEBTOR_KIND_CONSUMER;
  pack.fourteen_day_letter = true;
  pack.costs = CostsRule::kDutchConsumerScale;
  pack.interest = collections::v1::INTEREST_KIND_NL_CONSUMER;
  pack.consumer_purchase_limitation_years = 2;  // art. 7:28 BW
  pack.plan_misses_allowed = plan_misses_allowed;
  pack.agency_registration_required = from >= absl::CivilDay(2024, 4, 1);
  pack.repeat_claims_lookback_months = repeat_claims_lookback_months;
  return pack;
}

RulePack DutchBusiness(absl::CivilDay from) {
  RulePack pack = Dutch("nl-business", from);
  pack.debtor_kind = collections::v1::DEBTOR_KIND_BUSINESS;
  pack.costs = CostsRule::kDutchBusinessScale;
  pack.interest = collections::v1::INTEREST_KIND_NL_COMMERCIAL;
  pack.plan_misses_allowed = 2;
  return pack;
}

RulePack RegulationF(absl::CivilDay from) {
  RulePack pack;
  pack.id = "us-regf";
  pack.version = absl::StrCat("us-regf@", absl::FormatCivilTime(from));
  pack.default_time_zone = "America/New_York";
  pack.debtor_kind = collections::v1::DEBTOR_KIND_CONSUMER;
  pack.contact_limits = kRegulationFLimits;
  pack.letter_receipt = kRegulationFReceipt;
  pack.validation_notice = true;
  pack.written_dispute_needs_verification = true;
  pack.letters_interrupt_limitation = false;
  pack.limitation_by_us_state = true;  // 12 CFR 1006.26(b)
  // The frequency presumption is rebuttable: it may be overridden with a
  // reason. The 08:00-21:00 window may not (domain.md §3: a consumer's
  // consent to more calls does not open these hours).
  pack.overridable_rules = {"REG_F_1006_14_B2_I",  "REG_F_1006_14_B2_II",
                            rules::kActivePromise, rules::kLadderOrder,
                            rules::kPromiseOpen,   rules::kHardshipHold};
  pack.treatment_paths = Standard();
  return pack;
}

RulePack NoStatutoryRules(absl::CivilDay from) {
  RulePack pack;
  pack.id = "none";
  pack.version = absl::StrCat("none@", absl::FormatCivilTime(from));
  pack.default_time_zone = "UTC";
  pack.debtor_kind = collections::v1::DEBTOR_KIND_UNSPECIFIED;
  pack.overridable_rules = {rules::kActivePromise, rules::kLadderOrder,
                            rules::kPromiseOpen, rules::kHardshipHold};
  pack.treatment_paths = Standard();
  return pack;
}

const std::map<std::string, PackVersions, std::less<>>& Packs() {
  static const auto* packs = [] {
    auto* map = new std::map<std::string, PackVersions, std::less<>>;
    const absl::CivilDay bik(2012, 7, 1);  // the BIK scale in force
    const absl::CivilDay wki(2024, 4, 1);  // agency registration (Wki)
    // A missed installment is acted on at once (domain.md §1.7).
    // Repeated claims: a 6-month look-back from 1 Oct 2024 (configurable).
    const absl::CivilDay repeat(2024, 10, 1);
    (*map)["nl-consumer"] = {{bik, DutchConsumer(bik, 1)},
                             {wki, DutchConsumer(wki, 1)},
                             {repeat, DutchConsumer(repeat, 1, 6)}};
    (*map)["nl-business"] = {{bik, DutchBusiness(bik)}};
    const absl::CivilDay reg_f(2021, 11, 30);  // Regulation F effective
    (*map)["us-regf"] = {{reg_f, RegulationF(reg_f)}};
    const absl::CivilDay epoch(1970, 1, 1);
    (*map)["none"] = {{epoch, NoStatutoryRules(epoch)}};
    return map;
  }();
  return *packs;
}

}  // namespace

const TreatmentPath& RulePack::TreatmentFor(absl::string_view segment) const {
  static const TreatmentPath* const kLadder =
      new TreatmentPath{"", "ladder", TreatmentKind::kLadder, false};
  const TreatmentPath* fallback = kLadder;
  for (const TreatmentPath& path : treatment_paths) {
    if (path.segment == segment) return path;
    if (path.segment.empty()) fallback = &path;
  }
  return *fallback;
}

const RulePack* FindRulePack(absl::string_view id, absl::CivilDay day) {
  auto it = Packs().find(id);
  if (it == Packs().end()) return nullptr;
  return InForceOn(it->second, day);
}

std::vector<std::string> RulePackIds() {
  std::vector<std::string> ids;
  for (const auto& [id, versions] : Packs()) ids.push_back(id);
  return ids;
}

}  // namespace collections::domain
