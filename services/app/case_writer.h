// CaseWriter: the one path by which a decision becomes appended events.
// Every writer in services/ goes through it: the case commands
// (case_commands.h), the due-time processor, the agency handoff (placement,
// return-file import) and erasure. No other file in services/ calls an
// EventLog append method.
//
// A write on one case runs this sequence:
//   1. order     it waits for the earlier writes on the same case
//                (case_lanes.h), so commands never race each other for a
//                version;
//   2. retry?    when the request's first event id ("<request_id>/0") is in
//                the case's stream already, the request ran before: it is
//                answered with that first run's result (a contact refused
//                then is refused again) and nothing is appended;
//   3. load      the case's folded state (case_reader.h);
//   4. expect    a version the caller pinned must be the case's (ABORTED
//                naming the actual version otherwise);
//   5. decide    the write's decision function, on that state (pure rules
//                of services/domain);
//   6. envelope  each event gets its id ("<request_id>/<n>" unless the
//                decision names one), business time, actor, correlation and
//                causation ids, schema version and the overrides used;
//   7. seal      personal values are sealed with the debtor's key
//                (services/security/personal_data_vault.h);
//   8. append    with the state's version as the expected version, so
//                nothing decided on a stale state is written; the state
//                folded through the appended events goes to the reader's
//                cache once acknowledged (the next command on the case reads
//                back nothing this one wrote);
//   9. ABORTED   the case moved between 3 and 8 (another writer): when the
//                caller pinned no version, back to 3 on the fresh state, up
//                to kMaxAttempts times; otherwise ABORTED is the answer.
//
// Results: Written, or the decision's error (INVALID_ARGUMENT,
// FAILED_PRECONDITION "<RULE>: <reason>", NOT_FOUND, ALREADY_EXISTS), NOT_FOUND
// for an unknown case, ALREADY_EXISTS when a case to open exists, ABORTED,
// or the log's UNAVAILABLE / DATA_LOSS. A decision that appends evidence and
// refuses (Draft::refusal) is answered with that refusal once the evidence
// is durable.
//
// Thread safety: all methods may be called concurrently. The log, reader
// and vault must outlive the writer; the destructor waits until every write
// started has been answered.
#ifndef COLLECTIONS_SERVICES_APP_CASE_WRITER_H_
#define COLLECTIONS_SERVICES_APP_CASE_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/events.pb.h"
#include "services/app/case_lanes.h"
#include "services/app/case_reader.h"
#include "services/domain/case_decisions.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"

namespace collections::app {

// Whose act a write records and which request it answers.
struct Envelope {
  // The caller's request id: the events' ids are "<request_id>/<n>" and a
  // retry of it is recognised (step 2). Empty when every event carries its
  // own id (due events), which turns step 2 off.
  std::string request_id;
  absl::Time occurred_at;  // business time of every event, unless it says
  collections::v1::Actor actor;
  std::string correlation_id;
  std::string causation_id;
  std::string traceparent;  // every event's; "" when the call brought none
};

// Records the trace of the call being handled on this thread
// (observability::CurrentTrace), when its caller sent one: the events'
// traceparent, and their correlation id when the command states none.
void AttachCurrentTrace(Envelope& envelope);

// One event a decision asks for.
struct DraftEvent {
  collections::v1::EventPayload payload;
  std::string event_id;                   // empty: "<request_id>/<n>"
  std::optional<absl::Time> occurred_at;  // unset: the envelope's
};

// What a decision asks the writer to append.
struct Draft {
  std::vector<DraftEvent> events;  // empty: nothing to append
  std::vector<collections::v1::RuleOverride> overrides;  // on every event
  absl::Status refusal;  // set: append `events` as evidence, then refuse
};

// A domain decision as a draft: each payload in order, with the envelope's
// ids and time.
Draft DraftOf(domain::Decision decision);

// A decision on one case's current state; may run more than once (once per
// attempt), each time on a fresher state.
using DecideOnCase =
    absl::AnyInvocable<absl::StatusOr<Draft>(const domain::CaseState&)>;

struct CaseWrite {
  std::string case_id;
  Envelope envelope;
  // The write opens the case: it must not exist yet (ALREADY_EXISTS if it
  // does); the decision gets an empty state.
  bool opens_case = false;
  // Pinned by the caller: the case must be at exactly this version, and an
  // ABORTED append is answered, never retried.
  std::optional<uint64_t> expected_version;
  DecideOnCase decide;
};

struct Written {
  uint64_t case_version = 0;     // the stream's version after the write
  uint64_t last_position = 0;    // global position of its last event
  uint32_t events = 0;           // events appended by this call
  bool already_applied = false;  // a retry: the first run's result
};

class CaseWriter {
 public:
  // Decide-and-append attempts when the case moves concurrently.
  static constexpr int kMaxAttempts = 5;
  // The most events one write may append.
  static constexpr int kMaxEvents = 1000;

  // `vault` (optional) seals personal data; without one events are stored
  // as decided.
  CaseWriter(storage::EventLog* log, CaseReader* reader,
             security::PersonalDataVault* vault);
  ~CaseWriter();
  CaseWriter(const CaseWriter&) = delete;
  CaseWriter& operator=(const CaseWriter&) = delete;

  // Writes one decision on one case. `done` receives the result exactly
  // once: on the calling thread when it is known at once (a refusal, a
  // recognised retry), otherwise on the event log's thread once the events
  // are durable and visible to readers (or failed). `done` must be quick.
  using Done = absl::AnyInvocable<void(absl::StatusOr<Written>) &&>;
  void Write(CaseWrite write, Done done);

  // The same, waiting for the result (tools, the due-time processor).
  absl::StatusOr<Written> WriteAndWait(CaseWrite write);

  // Writes on several cases as one: every case's events land, in one
  // transaction, or none do (an agency's return file). Each decision runs
  // on its case's state; a case whose request ran already (step 2) is left
  // out and reported already_applied. When any case moved meanwhile, every
  // decision is made again on fresh states (step 9; no version may be
  // pinned). An error of any decision fails the whole write, naming nothing
  // more than the decision's own message. Results in the order of `writes`.
  absl::StatusOr<std::vector<Written>> WriteTogether(
      std::vector<CaseWrite> writes);

  // Appends `events` to the debtor's own stream (domain::DebtorStreamId),
  // which no decision folds: the erasure records (requested, deferred, key
  // destroyed). Not sealed: they carry no personal values, and a destroyed
  // key must not be made again. A retry with the same event ids appends
  // nothing and returns the first result.
  absl::StatusOr<Written> WriteToDebtor(const std::string& debtor_id,
                                        const Envelope& envelope,
                                        std::vector<DraftEvent> events);

  // The same on an agency's stream ("agency-<agency id>"): its registered
  // keys (AgencyKeyRegistered). Not sealed: nothing in it is personal.
  absl::StatusOr<Written> WriteToAgency(const std::string& agency_id,
                                        const Envelope& envelope,
                                        std::vector<DraftEvent> events);

  // The debtor commands' path (debtor_commands.h): steps 2-9 above on the
  // debtor's stream — a retry answered with its first result, the profile
  // loaded (CaseReader::LoadDebtor), a pinned version checked (ABORTED),
  // `decide` run on it, the events enveloped, sealed with the debtor's key
  // and appended at the profile's version, decided again when the stream
  // moved (unless pinned). Waits for the outcome; Written.case_version is
  // the debtor stream's version.
  using DecideOnDebtor = absl::AnyInvocable<absl::StatusOr<Draft>(
      const collections::v1::DebtorProfile&)>;
  absl::StatusOr<Written> WriteOnDebtor(
      const std::string& debtor_id, const Envelope& envelope,
      std::optional<uint64_t> expected_version, DecideOnDebtor decide);

 private:
  // WriteToDebtor and WriteToAgency: `events` enveloped and appended to
  // `stream_id` as they are, at any version.
  absl::StatusOr<Written> AppendUnsealed(const std::string& stream_id,
                                         const Envelope& envelope,
                                         std::vector<DraftEvent> events);

  struct Operation;  // one Write in progress
  void Attempt(std::shared_ptr<Operation> op);

  // Steps 5 and 6 for one case: the enveloped events of `draft`.
  static std::vector<collections::v1::Event> EnvelopeEvents(
      const Envelope& envelope, Draft& draft);
  // Step 7: seals `events` as they will be stored after `state`.
  absl::Status Seal(const CaseWrite& write, const domain::CaseState& state,
                    std::vector<collections::v1::Event>& events);
  // Step 8, beside the append: `state` folded through the sealed `events`
  // as the log will store them (each at its stream version; the global
  // position is filled in once acknowledged), for the reader's cache.
  // `events` are left as they were.
  static std::shared_ptr<domain::CaseState> FoldAhead(
      domain::CaseState state, std::vector<collections::v1::Event>& events);

  storage::EventLog* const log_;
  CaseReader* const reader_;
  security::PersonalDataVault* const vault_;
  CaseLanes lanes_;  // last: destroyed (and drained) first
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_WRITER_H_
