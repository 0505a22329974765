// The debtor layer's pure rules: folding a debtor stream into its profile
// (collections.v1.DebtorProfile), deciding the debtor commands against it,
// and what the profile binds on every case of the debtor — the holds a
// cease, a representation, an insolvency or a death place, the channels a
// restriction closes, and a consent to more calls.
//
// A profile holds no personal values: contact points keep their id, kind
// and source (the value stays sealed in the log), a representation its kind.
//
// Pure: no I/O, no clock. Thread safe.
#ifndef COLLECTIONS_SERVICES_DOMAIN_DEBTOR_PROFILE_H_
#define COLLECTIONS_SERVICES_DOMAIN_DEBTOR_PROFILE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collections/v1/debtor.pb.h"
#include "collections/v1/events.pb.h"

namespace collections::domain {

// Restriction scopes: "all" ceases communication; the others close one
// channel ("workplace": no contact at the place of work, Reg F 1006.6(b)(3)).
inline constexpr absl::string_view kRestrictionScopes[] = {
    "all", "phone", "email", "text", "portal", "postal", "workplace"};
inline constexpr absl::string_view kScopeAll = "all";

// Treatment segments (domain.md §3, the three debtor types).
inline constexpr absl::string_view kSegments[] = {"can_pay_wont", "wants_cant",
                                                  "neither"};

// Folds one event of the debtor's stream into `profile` (version and the
// facts in force). Events of other types are counted and ignored.
void FoldDebtor(collections::v1::DebtorProfile& profile,
                const collections::v1::Event& event);

// Decides one debtor command: the payload to append, or
//   INVALID_ARGUMENT    a missing or malformed field (named)
//   ALREADY_EXISTS      a second registration; a contact point id in use
//   NOT_FOUND           an unknown contact point
//   FAILED_PRECONDITION "DEBTOR_RESTRICTION_STATE: …" lifting a scope not in
//                       force; "DEBTOR_FACT_UNCHANGED: …" a fact already so
// `requested` carries exactly one debtor event (DebtorRegistered …
// ContactConsentRecorded); `debtor_id` is the stream's.
absl::StatusOr<collections::v1::EventPayload> DecideDebtorCommand(
    const collections::v1::DebtorProfile& profile, const std::string& debtor_id,
    const collections::v1::EventPayload& requested);

// The debtor-wide fact that places `hold` on every case of the debtor
// (CEASE_COMMUNICATION: a restriction of scope "all"; LAWYER_REPRESENTED;
// INSOLVENCY; DECEASED), or nullptr when the profile places none.
const collections::v1::DebtorFact* DebtorHoldFact(
    const collections::v1::DebtorProfile& profile,
    collections::v1::CaseHold hold);

// The restriction closing `channel` ("phone", "email", "text", "portal",
// "postal"), or nullptr. Scope "all" is a hold (DebtorHoldFact), not a
// channel restriction.
const collections::v1::DebtorFact* ChannelRestriction(
    const collections::v1::DebtorProfile& profile, absl::string_view channel);

// Whether a consent recorded on the debtor covers a call at `at`.
bool DebtorConsentCovers(const collections::v1::DebtorProfile& profile,
                         absl::Time at);

// "debtor event <id> (<what>)": how a case names the debtor fact binding it.
std::string DescribeDebtorFact(const collections::v1::DebtorFact& fact,
                               absl::string_view what);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_DEBTOR_PROFILE_H_
