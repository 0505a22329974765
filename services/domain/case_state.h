// CaseState: a case folded from its events. Pure: no I/O, no clock; the same
// events always give the same state (Decide and the due-time processor
// judge commands against it; GetCase shows it).
//
// The stage changes only by CaseStageChanged events (each transition is
// recorded); holds, balances, promises, plans, letters and deadlines follow
// the act events. Calendar dates are days in the case's zone (`zone`).
//
// Thread safety: plain values; Evolve mutates the state it is given.
#ifndef COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_
#define COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "collections/v1/debtor.pb.h"
#include "collections/v1/events.pb.h"
#include "common/time_conversion.h"
#include "services/domain/balances.h"
#include "services/domain/contact_rules.h"
#include "services/domain/invoice_ledger.h"

namespace collections::domain {

// Lifecycle stages of domain.md §2, in ladder order.
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
collections::v1::CaseStage ToProtoStage(CaseStage stage);
CaseStage FromProtoStage(collections::v1::CaseStage stage);

struct LetterState {
  std::string letter_id;
  collections::v1::LetterLevel level =
      collections::v1::LETTER_LEVEL_UNSPECIFIED;
  absl::CivilDay sent;
  std::optional<absl::CivilDay> term_last_day;
  int64_t costs_stated_minor = 0;
  bool lapsed = false;
  bool undeliverable = false;
  std::vector<std::string> invoice_numbers;  // the claims it states
};

struct PromiseState {
  collections::v1::PromiseMade made;
  int64_t paid_minor = 0;  // paid since the promise
};

struct PlanState {
  collections::v1::PaymentPlanAgreed agreed;
  int64_t paid_minor = 0;    // paid since the plan was agreed
  std::vector<bool> paid;    // per installment
  std::vector<bool> missed;  // per installment
  uint32_t misses = 0;
  bool defaulted = false;
  bool completed = false;
  bool active() const { return !defaulted && !completed; }
};

struct PaymentState {
  std::string payment_id;
  int64_t amount_minor = 0;
  Buckets allocation;
  std::vector<InvoiceSplit> invoices;  // the same per invoice
  bool reversed = false;
};

// VAT relief a receipt reversed, so reversing the receipt restores it.
struct VatReversal {
  std::string payment_id;
  std::string invoice_number;
  int64_t vat_minor = 0;
};

struct DisputeState {
  std::string dispute_id;
  int64_t amount_minor = 0;
  bool in_writing = false;
  bool verification_sent = false;
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
  std::string time_zone;  // IANA name
  absl::TimeZone zone;    // loaded from time_zone (UTC if unknown)

  CaseStage stage = CaseStage::kOpen;
  // The stage to return to when a placement ends.
  CaseStage stage_before_placement = CaseStage::kOpen;

  // Money, in minor units of `currency`.
  Buckets owed;                   // the balance now, by bucket
  int64_t claimed_minor = 0;      // gross of all claim lines
  int64_t paid_minor = 0;         // payments less reversals
  int64_t written_off_minor = 0;  // write-offs, credit notes, upheld disputes
  int64_t costs_assessed_minor = 0;
  int64_t interest_accrued_minor = 0;
  std::optional<absl::CivilDay> interest_accrued_until;  // exclusive
  int64_t outstanding_minor() const { return owed.total(); }

  // The invoice ledger: owed == Σ invoices' owed + unattributed.
  std::vector<InvoiceState> invoices;
  Buckets unattributed;  // owed on no invoice (fees, adjustments)
  std::vector<VatReversal> vat_reversals;
  collections::v1::CreditorTerms creditor_terms;
  collections::v1::ContractTerms contract_terms;
  std::vector<LetterState> letters;
  // Regulation F: the initial communication (the first letter, or the first
  // call that reached the person) and whether the validation notice went
  // out (1006.34(a)(1)).
  std::optional<absl::Time> first_communication_at;
  bool validation_notice_sent = false;
  uint32_t calls_logged = 0;
  uint32_t suppressed_contacts = 0;
  // Calls of the last days, for the contact rules (older ones are dropped:
  // no rule looks back further than kCallHistoryDays or kMaxRecentCalls).
  std::vector<PastCall> recent_calls;
  collections::v1::LetterLevel last_letter =
      collections::v1::LETTER_LEVEL_UNSPECIFIED;

  std::optional<PromiseState> open_promise;
  absl::flat_hash_set<std::string> promise_ids;  // every promise ever made
  std::optional<PlanState> plan;
  std::vector<PaymentState> payments;
  std::vector<DisputeState> open_disputes;
  // Holds set by HoldPlaced (cease-communication, lawyer, insolvency,
  // deceased); dispute, promise and placement holds follow their events.
  absl::flat_hash_set<int> placed_holds;
  // The debtor's profile (debtor_profile.h), folded from the debtor's own
  // stream, not from the case's: its cease, representation, insolvency and
  // death hold every case of the debtor; its channel restrictions, consent
  // and segment bind them too. Set by whoever loads the case (the case
  // reader, the case standing projection) before deciding or showing it.
  collections::v1::DebtorProfile debtor;
  std::string agency_id;    // set while placed
  uint32_t placements = 0;  // placements ever (numbers the next package)
  bool recall_requested = false;
  // The agency's last acknowledged balance differs from the case's.
  bool reconciliation_required = false;
  int64_t agency_balance_minor = 0;  // as the agency last acknowledged it
  collections::v1::ClosureReason closure_reason =
      collections::v1::CLOSURE_REASON_UNSPECIFIED;

  absl::Time opened_at = absl::InfinitePast();         // business time
  absl::Time last_activity_at = absl::InfinitePast();  // business time
  uint64_t version = 0;        // stream version of the last event folded
  uint64_t last_position = 0;  // its global position

  // Every hold in force, derived and placed, in CaseHold order.
  std::vector<collections::v1::CaseHold> Holds() const;
  bool HasHold(collections::v1::CaseHold hold) const;
  int64_t disputed_minor() const;  // capped at the balance
  // The balance less its disputed part: what collection may ask for.
  int64_t collectable_minor() const;
  const LetterState* FindLetter(const std::string& letter_id) const;
  const InvoiceState* FindInvoice(const std::string& invoice_number) const;
  InvoiceState* FindInvoice(const std::string& invoice_number);
  // Whether any invoice carries interest (interest is being claimed).
  bool claims_interest() const;
  // The calendar day of `t` in the case's zone.
  absl::CivilDay DayOf(absl::Time t) const { return absl::ToCivilDay(t, zone); }
};

// How far back call history is kept in the state, and at most how many
// calls (the newest, plus the newest conversation): Regulation F counts 7
// calls in 7 days and looks back to the last conversation.
inline constexpr int kCallHistoryDays = 10;
inline constexpr size_t kMaxRecentCalls = 32;

// A logged call as the contact rules count it: placed at `placed_at`, or
// at `logged_at` (the command's business time) when the call does not say.
PastCall PastCallOf(const collections::v1::CallLogged& call,
                    absl::Time logged_at);

// Sets what CaseOpened says of the case (ids, kind, currency, pack,
// jurisdiction, zone) and marks it existing. Used by the fold and by
// snapshot restores.
void SetIdentity(CaseState& state, const collections::v1::CaseOpened& opened);

// Folds one event of the case's stream into `state`. Events of types the
// case does not know are counted in version/position and otherwise ignored,
// so an older build can still fold a newer stream.
void Evolve(CaseState& state, const collections::v1::Event& event);

// Every case stream id starts with this.
inline constexpr char kCaseStreamPrefix[] = "case-";

// The stream a case's events live in: "case-<case id>".
std::string CaseStreamId(const std::string& case_id);
// Every debtor stream id starts with this.
inline constexpr char kDebtorStreamPrefix[] = "debtor-";
// The stream of a debtor's own records (the debtor layer, erasure):
// "debtor-<debtor id>".
std::string DebtorStreamId(const std::string& debtor_id);
// The stream of an agency's registered keys: "agency-<agency id>".
inline constexpr char kAgencyStreamPrefix[] = "agency-";
std::string AgencyStreamId(const std::string& agency_id);
// The debtor id of a debtor stream id (the inverse of DebtorStreamId); empty
// when it is not a debtor stream.
std::string DebtorIdOfStream(const std::string& stream_id);
// The case id of a case stream id (the inverse of CaseStreamId); the stream
// id unchanged when it is not a case stream.
std::string CaseIdOfStream(const std::string& stream_id);

// Conversions between the wire's dates and instants and civil days.
absl::CivilDay ToCivilDay(const collections::v1::LocalDate& date);
collections::v1::LocalDate ToLocalDate(absl::CivilDay day);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_CASE_STATE_H_
