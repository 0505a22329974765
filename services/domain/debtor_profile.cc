#include "services/domain/debtor_profile.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/status_details.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "common/time_zones.h"
#include "services/domain/case_state.h"
#include "services/domain/command_checks.h"
#include "services/domain/contact_rules.h"
#include "services/domain/decider.h"

namespace collections::domain {
namespace {

namespace v1 = collections::v1;

constexpr char kRestrictionState[] = "DEBTOR_RESTRICTION_STATE";
constexpr char kFactUnchanged[] = "DEBTOR_FACT_UNCHANGED";

v1::DebtorFact FactOf(const v1::Event& event) {
  v1::DebtorFact fact;
  fact.set_event_id(event.event_id());
  *fact.mutable_recorded_at() = event.occurred_at();
  return fact;
}

absl::Status Missing(absl::string_view field) {
  return InvalidFieldError(field, absl::StrCat(field, " is required"));
}

template <size_t N>
absl::Status OneOf(absl::string_view field, absl::string_view value,
                   const absl::string_view (&allowed)[N]) {
  if (std::find(std::begin(allowed), std::end(allowed), value) !=
      std::end(allowed))
    return absl::OkStatus();
  return InvalidFieldError(
      field, absl::StrCat(
                 field, " \"", value, "\" is not one of: ",
                 absl::StrJoin(std::begin(allowed), std::end(allowed), ", ")));
}

constexpr absl::string_view kContactKinds[] = {"phone", "email", "postal",
                                               "text"};

v1::DebtorContactPoint* FindContactPoint(v1::DebtorProfile& profile,
                                         absl::string_view id) {
  for (auto& point : *profile.mutable_contact_points())
    if (point.contact_point_id() == id) return &point;
  return nullptr;
}

const v1::DebtorFact* FindRestriction(const v1::DebtorProfile& profile,
                                      absl::string_view scope) {
  for (const auto& restriction : profile.restrictions())
    if (restriction.kind() == scope) return &restriction;
  return nullptr;
}

}  // namespace

void FoldDebtor(v1::DebtorProfile& profile, const v1::Event& event) {
  profile.set_version(profile.version() + 1);
  const v1::EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kDebtorRegistered: {
      const auto& r = p.debtor_registered();
      profile.set_debtor_id(r.debtor_id());
      profile.set_registered(true);
      profile.set_kind(r.kind());
      profile.set_jurisdiction(r.jurisdiction());
      profile.set_time_zone(r.time_zone());
      profile.set_language(r.language());
      break;
    }
    case v1::EventPayload::kContactPointAdded: {
      const auto& added = p.contact_point_added();
      v1::DebtorContactPoint* point = profile.add_contact_points();
      point->set_contact_point_id(added.contact_point_id());
      point->set_kind(added.kind());
      point->set_source(added.source());
      *point->mutable_valid_from() = added.valid_from();
      break;
    }
    case v1::EventPayload::kContactPointInvalidated: {
      const auto& invalid = p.contact_point_invalidated();
      if (auto* point = FindContactPoint(profile, invalid.contact_point_id())) {
        point->set_invalidated(true);  // the reason stays sealed
      }
      break;
    }
    case v1::EventPayload::kCommunicationRestricted: {
      const auto& r = p.communication_restricted();
      v1::DebtorFact fact = FactOf(event);
      fact.set_kind(r.scope());  // the reason (free text) stays sealed
      fact.set_in_writing(r.in_writing());
      auto* restrictions = profile.mutable_restrictions();
      for (auto& existing : *restrictions) {
        if (existing.kind() == r.scope()) {
          existing = fact;
          return;
        }
      }
      *restrictions->Add() = fact;
      break;
    }
    case v1::EventPayload::kCommunicationRestrictionLifted: {
      auto* restrictions = profile.mutable_restrictions();
      const std::string& scope = p.communication_restriction_lifted().scope();
      for (int i = 0; i < restrictions->size(); ++i) {
        if (restrictions->Get(i).kind() == scope) {
          restrictions->DeleteSubrange(i, 1);
          break;
        }
      }
      break;
    }
    case v1::EventPayload::kRepresentationNoticed: {
      v1::DebtorFact fact = FactOf(event);
      fact.set_kind(p.representation_noticed().kind());
      *profile.mutable_representation() = fact;
      break;
    }
    case v1::EventPayload::kInsolvencyNoticed: {
      const auto& insolvency = p.insolvency_noticed();
      v1::DebtorFact fact = FactOf(event);
      // The court reference names the person: it stays sealed in the event.
      fact.set_kind(insolvency.kind());
      *fact.mutable_since() = insolvency.since();
      *profile.mutable_insolvency() = fact;
      break;
    }
    case v1::EventPayload::kDeceasedNoticed: {
      v1::DebtorFact fact = FactOf(event);
      // The date of death stays in the event only (personal data).
      fact.set_kind("deceased");
      *profile.mutable_deceased() = fact;
      break;
    }
    case v1::EventPayload::kSegmentAssigned: {
      v1::DebtorFact fact = FactOf(event);
      fact.set_kind(p.segment_assigned().segment());
      fact.set_detail(p.segment_assigned().model_version());
      *profile.mutable_segment() = fact;
      break;
    }
    case v1::EventPayload::kContactConsentRecorded: {
      const auto& consent = p.contact_consent_recorded();
      *profile.mutable_consent_given_at() = consent.given_at();
      *profile.mutable_consent_until() = consent.until();
      profile.set_consent_event_id(event.event_id());
      break;
    }
    default:
      break;
  }
}

absl::StatusOr<v1::EventPayload> DecideDebtorCommand(
    const v1::DebtorProfile& profile, const std::string& debtor_id,
    const v1::EventPayload& requested) {
  COLLECTIONS_RETURN_IF_ERROR(CheckId("debtor_id", debtor_id));
  v1::EventPayload decided = requested;
  switch (requested.kind_case()) {
    case v1::EventPayload::kDebtorRegistered: {
      v1::DebtorRegistered* r = decided.mutable_debtor_registered();
      if (r->debtor_id().empty()) r->set_debtor_id(debtor_id);
      COLLECTIONS_RETURN_IF_ERROR(CheckId("debtor.debtor_id", r->debtor_id()));
      if (profile.registered()) {
        return absl::AlreadyExistsError(absl::StrCat(
            "debtor ", debtor_id, " is registered already (debtor event ",
            profile.version(), " of its stream is the latest)"));
      }
      if (r->kind() == v1::DEBTOR_KIND_UNSPECIFIED)
        return Missing("debtor.kind");
      if (!r->time_zone().empty()) {
        absl::TimeZone zone;
        if (!LoadKnownTimeZone(r->time_zone(), &zone)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "debtor.time_zone \"", r->time_zone(),
              "\" is not an IANA time zone such as \"Europe/Amsterdam\""));
        }
      }
      return decided;
    }
    case v1::EventPayload::kContactPointAdded: {
      const auto& added = requested.contact_point_added();
      COLLECTIONS_RETURN_IF_ERROR(
          CheckId("contact_point.contact_point_id", added.contact_point_id()));
      COLLECTIONS_RETURN_IF_ERROR(
          OneOf("contact_point.kind", added.kind(), kContactKinds));
      if (added.value().empty()) return Missing("contact_point.value");
      if (added.has_valid_from()) {
        COLLECTIONS_RETURN_IF_ERROR(
            CheckDate("contact_point.valid_from", true, added.valid_from()));
      }
      for (const auto& point : profile.contact_points()) {
        if (point.contact_point_id() == added.contact_point_id()) {
          return absl::AlreadyExistsError(
              absl::StrCat("contact point ", added.contact_point_id(),
                           " exists; invalidate it and add a new id"));
        }
      }
      return decided;
    }
    case v1::EventPayload::kContactPointInvalidated: {
      const auto& invalid = requested.contact_point_invalidated();
      COLLECTIONS_RETURN_IF_ERROR(
          CheckId("invalidation.contact_point_id", invalid.contact_point_id()));
      for (const auto& point : profile.contact_points()) {
        if (point.contact_point_id() != invalid.contact_point_id()) continue;
        if (point.invalidated()) {
          return RuleRefusal(
              kFactUnchanged,
              absl::StrCat("contact point ", invalid.contact_point_id(),
                           " is invalidated already"));
        }
        return decided;
      }
      return absl::NotFoundError(absl::StrCat("debtor ", debtor_id,
                                              " has no contact point ",
                                              invalid.contact_point_id()));
    }
    case v1::EventPayload::kCommunicationRestricted: {
      const auto& r = requested.communication_restricted();
      COLLECTIONS_RETURN_IF_ERROR(
          OneOf("restriction.scope", r.scope(), kRestrictionScopes));
      const v1::DebtorFact* existing = FindRestriction(profile, r.scope());
      if (existing != nullptr && (existing->in_writing() || !r.in_writing())) {
        return RuleRefusal(kFactUnchanged,
                           absl::StrCat("communication by ", r.scope(),
                                        " is restricted already (debtor event ",
                                        existing->event_id(), ")"));
      }
      return decided;
    }
    case v1::EventPayload::kCommunicationRestrictionLifted: {
      const std::string& scope =
          requested.communication_restriction_lifted().scope();
      COLLECTIONS_RETURN_IF_ERROR(
          OneOf("lift.scope", scope, kRestrictionScopes));
      if (FindRestriction(profile, scope) == nullptr) {
        return RuleRefusal(
            kRestrictionState,
            absl::StrCat("no restriction of scope \"", scope,
                         "\" is in force on debtor ", debtor_id));
      }
      return decided;
    }
    case v1::EventPayload::kRepresentationNoticed: {
      const auto& r = requested.representation_noticed();
      if (r.kind().empty()) return Missing("representation.kind");
      if (r.representative().empty())
        return Missing("representation.representative");
      return decided;
    }
    case v1::EventPayload::kInsolvencyNoticed: {
      const auto& insolvency = requested.insolvency_noticed();
      if (insolvency.kind().empty()) return Missing("insolvency.kind");
      if (insolvency.reference().empty())
        return Missing("insolvency.reference");
      COLLECTIONS_RETURN_IF_ERROR(CheckDate(
          "insolvency.since", insolvency.has_since(), insolvency.since()));
      return decided;
    }
    case v1::EventPayload::kDeceasedNoticed: {
      const auto& deceased = requested.deceased_noticed();
      COLLECTIONS_RETURN_IF_ERROR(CheckDate("deceased.date_of_death",
                                            deceased.has_date_of_death(),
                                            deceased.date_of_death()));
      if (!profile.deceased().event_id().empty()) {
        return RuleRefusal(kFactUnchanged,
                           absl::StrCat("debtor ", debtor_id,
                                        " is recorded deceased already"));
      }
      // Stored only as sealed text: a date of death is personal (GDPR
      // art. 4(1); issue 25), and the typed date could not be sealed.
      v1::DeceasedNoticed* stored = decided.mutable_deceased_noticed();
      stored->set_date_of_death_iso(
          absl::FormatCivilTime(ToCivilDay(deceased.date_of_death())));
      stored->clear_date_of_death();
      return decided;
    }
    case v1::EventPayload::kSegmentAssigned: {
      const auto& segment = requested.segment_assigned();
      COLLECTIONS_RETURN_IF_ERROR(
          OneOf("segment.segment", segment.segment(), kSegments));
      if (segment.model_version().empty())
        return Missing("segment.model_version");
      return decided;
    }
    case v1::EventPayload::kContactConsentRecorded: {
      const auto& consent = requested.contact_consent_recorded();
      if (!consent.has_given_at()) return Missing("consent.given_at");
      if (!consent.has_until()) return Missing("consent.until");
      const absl::Time given = ToTime(consent.given_at());
      const absl::Time until = ToTime(consent.until());
      if (until <= given) {
        return absl::InvalidArgumentError(
            "consent.until must be after consent.given_at");
      }
      if (until > given + kConsentLasts) {
        return absl::InvalidArgumentError(
            "consent.until is more than 7 days after consent.given_at: "
            "consent to more calls lasts at most 7 days (12 CFR "
            "1006.14(b)(3)(i))");
      }
      if (consent.channel().empty())
        decided.mutable_contact_consent_recorded()->set_channel("phone");
      return decided;
    }
    default:
      return absl::InvalidArgumentError("the request carries no debtor event");
  }
}

const v1::DebtorFact* DebtorHoldFact(const v1::DebtorProfile& profile,
                                     v1::CaseHold hold) {
  switch (hold) {
    case v1::CASE_HOLD_CEASE_COMMUNICATION:
      return FindRestriction(profile, kScopeAll);
    case v1::CASE_HOLD_LAWYER_REPRESENTED:
      return profile.representation().event_id().empty()
                 ? nullptr
                 : &profile.representation();
    case v1::CASE_HOLD_INSOLVENCY:
      return profile.insolvency().event_id().empty() ? nullptr
                                                     : &profile.insolvency();
    case v1::CASE_HOLD_DECEASED:
      return profile.deceased().event_id().empty() ? nullptr
                                                   : &profile.deceased();
    default:
      return nullptr;
  }
}

const v1::DebtorFact* ChannelRestriction(const v1::DebtorProfile& profile,
                                         absl::string_view channel) {
  if (channel.empty() || channel == kScopeAll) return nullptr;
  return FindRestriction(profile, channel);
}

bool DebtorConsentCovers(const v1::DebtorProfile& profile, absl::Time at) {
  if (!profile.has_consent_given_at() || !profile.has_consent_until())
    return false;
  return ToTime(profile.consent_given_at()) <= at &&
         at <= ToTime(profile.consent_until());
}

std::string DescribeDebtorFact(const v1::DebtorFact& fact,
                               absl::string_view what) {
  return absl::StrCat("debtor event ", fact.event_id(), " (", what, ")");
}

}  // namespace collections::domain
