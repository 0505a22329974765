// CaseState: a case folded from its events. Pure: no I/O, no clock; the same
// events always give the same state.
//
// This is the first cut of the case model (lifecycle stage, holds, money,
// counts); the domain issue adds rule packs, balance buckets and Decide.
//
// Thread safety: plain values; Evolve mutates the state it is given.
#ifndef COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_
#define COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collections/v1/events.pb.h"

namespace collections::domain {

// Lifecycle stages of domain.md §2.
enum class CaseStage {
  kOpen,  // not yet due
  kOverdue,
  kReminded,
  kDunned,
  kFinalNotice,
  kArrangement,  // a payment plan runs
  kPlaced,       // with a collection agency
  kLegal,
  kClosed,
};

struct CaseState {
  bool exists = false;  // false until CaseOpened
  std::string case_id;
  std::string debtor_id;
  std::string creditor_id;
  collections::v1::DebtorKind debtor_kind =
      collections::v1::DEBTOR_KIND_UNSPECIFIED;
  std::string currency;
  std::string rule_pack;
  std::string jurisdiction;
  CaseStage stage = CaseStage::kOpen;
  // The stage to return to when a placement is recalled.
  CaseStage stage_before_placement = CaseStage::kOpen;

  // Money, in minor units of `currency`.
  int64_t claimed_minor = 0;
  int64_t paid_minor = 0;
  int64_t written_off_minor = 0;
  int64_t outstanding_minor() const {
    return claimed_minor - paid_minor - written_off_minor;
  }

  std::vector<collections::v1::ClaimLine> claim_lines;
  uint32_t calls_logged = 0;
  uint32_t letters_issued = 0;
  collections::v1::LetterLevel last_letter =
      collections::v1::LETTER_LEVEL_UNSPECIFIED;
  std::optional<collections::v1::PromiseMade> open_promise;
  int64_t paid_since_promise_minor = 0;
  std::optional<collections::v1::PaymentPlanAgreed> plan;
  std::string agency_id;  // set while placed
  std::vector<std::string> open_dispute_ids;
  collections::v1::ClosureReason closure_reason =
      collections::v1::CLOSURE_REASON_UNSPECIFIED;

  absl::Time opened_at = absl::InfinitePast();         // business time
  absl::Time last_activity_at = absl::InfinitePast();  // business time
  uint64_t version = 0;        // stream version of the last event folded
  uint64_t last_position = 0;  // its global position
};

// Folds one event of the case's stream into `state`. Events of other types
// than the case knows are counted in version/position and otherwise ignored,
// so an older build can still fold a newer stream.
void Evolve(CaseState& state, const collections::v1::Event& event);

// Every case stream id starts with this.
inline constexpr char kCaseStreamPrefix[] = "case-";

// The stream a case's events live in: "case-<case id>".
std::string CaseStreamId(const std::string& case_id);
// The case id of a case stream id (the inverse of CaseStreamId); the stream
// id unchanged when it is not a case stream.
std::string CaseIdOfStream(const std::string& stream_id);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_
