#include "services/app/case_writer.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_details.h"
#include "common/status_macros.h"
#include "services/app/event_envelope.h"
#include "services/observability/trace_context.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

// Step 2: what an earlier run of the request recorded, when its events are
// in the stream: its result, or the refusal of the contact it suppressed.
absl::StatusOr<std::optional<absl::StatusOr<Written>>> EarlierAnswer(
    storage::EventLog& log, const std::string& stream,
    const std::string& request_id) {
  const std::string prefix = absl::StrCat(request_id, "/");
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<storage::EventLocation> first,
                               log.FindEvent(stream, absl::StrCat(prefix, 0)));
  if (!first.has_value()) return std::nullopt;
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::vector<storage::RecordedEvent> events,
      log.ReadStream(stream, first->stream_version,
                     storage::ReadDirection::kForward, CaseWriter::kMaxEvents));
  Written written;
  written.already_applied = true;
  std::optional<absl::Status> refusal;
  int n = 0;
  for (const auto& recorded : events) {
    if (recorded.event.event_id() != absl::StrCat(prefix, n)) break;
    ++n;
    written.case_version = recorded.event.stream_version();
    written.last_position = recorded.event.global_position();
    if (!refusal.has_value() &&
        recorded.event.payload().has_contact_suppressed_by_rule()) {
      refusal = domain::SuppressionRefusal(
          recorded.event.payload().contact_suppressed_by_rule());
    }
  }
  using Answer = std::optional<absl::StatusOr<Written>>;
  if (refusal.has_value()) return Answer(*refusal);
  return Answer(written);
}

absl::Status CaseMissing(const std::string& case_id) {
  absl::Status missing = absl::NotFoundError(
      absl::StrCat("case ", case_id, " does not exist; open it first"));
  SetErrorReason(missing, "CASE_NOT_FOUND");
  return missing;
}

absl::Status StaleVersion(const std::string& case_id, uint64_t actual,
                          uint64_t expected) {
  absl::Status stale = absl::AbortedError(absl::StrCat(
      "case ", case_id, " is at version ", actual, ", not the expected ",
      expected, "; reload it and decide again"));
  SetErrorReason(stale, "STALE_VERSION");
  AddErrorMetadata(stale, "actual_version", absl::StrCat(actual));
  AddErrorMetadata(stale, "expected_version", absl::StrCat(expected));
  return stale;
}

Written WrittenOf(const storage::AppendResult& appended, size_t events) {
  Written written;
  written.case_version = appended.stream_version;
  written.last_position = appended.last_position;
  written.already_applied = appended.already_appended;
  written.events = appended.already_appended ? 0 : events;
  return written;
}

}  // namespace

Draft DraftOf(domain::Decision decision) {
  Draft draft;
  draft.events.reserve(decision.events.size());
  for (v1::EventPayload& payload : decision.events) {
    draft.events.push_back(DraftEvent{std::move(payload), "", std::nullopt});
  }
  draft.overrides = std::move(decision.overrides);
  draft.refusal = std::move(decision.refusal);
  return draft;
}

struct CaseWriter::Operation {
  CaseWrite write;
  std::string stream;
  Done done;
  std::optional<CaseLanes::Finished> finished;
  int attempts = 0;

  void Answer(absl::StatusOr<Written> result) {
    std::move(done)(std::move(result));
    std::move (*finished)();
  }
};

CaseWriter::CaseWriter(storage::EventLog* log, CaseReader* reader,
                       security::PersonalDataVault* vault)
    : log_(log), reader_(reader), vault_(vault) {}

CaseWriter::~CaseWriter() = default;

void AttachCurrentTrace(Envelope& envelope) {
  const observability::TraceContext* trace = observability::CurrentTrace();
  if (trace == nullptr || !trace->continued()) return;
  envelope.traceparent = observability::TraceparentOf(*trace);
  if (envelope.correlation_id.empty())
    envelope.correlation_id = trace->trace_id;
}

std::vector<v1::Event> CaseWriter::EnvelopeEvents(const Envelope& envelope,
                                                  Draft& draft) {
  std::vector<v1::Event> events;
  events.reserve(draft.events.size());
  for (size_t i = 0; i < draft.events.size(); ++i) {
    DraftEvent& drafted = draft.events[i];
    std::string id = drafted.event_id.empty()
                         ? absl::StrCat(envelope.request_id, "/", i)
                         : std::move(drafted.event_id);
    v1::Event event = MakeEvent(
        std::move(id), drafted.occurred_at.value_or(envelope.occurred_at),
        envelope.actor, envelope.correlation_id, envelope.causation_id,
        std::move(drafted.payload));
    for (const auto& used : draft.overrides) *event.add_overrides() = used;
    if (!envelope.traceparent.empty())
      event.set_traceparent(envelope.traceparent);
    events.push_back(std::move(event));
  }
  return events;
}

absl::Status CaseWriter::Seal(const CaseWrite& write,
                              const domain::CaseState& state,
                              std::vector<v1::Event>& events) {
  if (vault_ == nullptr || events.empty()) return absl::OkStatus();
  // A case being opened names its debtor in its first event.
  const std::string& debtor_id =
      write.opens_case ? events.front().payload().case_opened().debtor_id()
                       : state.debtor_id;
  return vault_->Seal(debtor_id, domain::CaseStreamId(write.case_id),
                      state.version + 1, events);
}

std::shared_ptr<domain::CaseState> CaseWriter::FoldAhead(
    domain::CaseState state, std::vector<v1::Event>& events) {
  auto after = std::make_shared<domain::CaseState>(std::move(state));
  // Evolve reads the stream version and global position the log will
  // assign; the append must carry neither, so each is set for the fold
  // only. The position is the append's, set once it is acknowledged.
  const uint64_t version = after->version;
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].set_stream_version(version + 1 + i);
    domain::Evolve(*after, events[i]);
    events[i].clear_stream_version();
  }
  return after;
}

void CaseWriter::Write(CaseWrite write, Done done) {
  auto op = std::make_shared<Operation>();
  op->stream = domain::CaseStreamId(write.case_id);
  const std::string case_id = write.case_id;
  op->write = std::move(write);
  op->done = std::move(done);
  lanes_.Run(case_id, [this, op](CaseLanes::Finished finished) mutable {
    op->finished.emplace(std::move(finished));
    Attempt(std::move(op));
  });
}

void CaseWriter::Attempt(std::shared_ptr<Operation> op) {
  ++op->attempts;
  const CaseWrite& write = op->write;
  if (!write.envelope.request_id.empty()) {
    absl::StatusOr<std::optional<absl::StatusOr<Written>>> earlier =
        EarlierAnswer(*log_, op->stream, write.envelope.request_id);
    if (!earlier.ok()) return op->Answer(earlier.status());
    if (earlier->has_value()) return op->Answer(std::move(**earlier));
  }

  domain::CaseState state;
  if (!write.opens_case) {
    absl::StatusOr<domain::CaseState> loaded = reader_->Load(write.case_id);
    if (!loaded.ok()) return op->Answer(loaded.status());
    state = *std::move(loaded);
    if (!state.exists) return op->Answer(CaseMissing(write.case_id));
    if (write.expected_version.has_value() &&
        *write.expected_version != state.version) {
      return op->Answer(
          StaleVersion(write.case_id, state.version, *write.expected_version));
    }
  }

  absl::StatusOr<Draft> draft = op->write.decide(state);
  if (!draft.ok()) return op->Answer(draft.status());
  if (draft->events.empty()) {
    Written nothing;
    nothing.case_version = state.version;
    nothing.last_position = state.last_position;
    return op->Answer(nothing);
  }
  std::vector<v1::Event> events = EnvelopeEvents(write.envelope, *draft);
  absl::Status sealed = Seal(write, state, events);
  if (!sealed.ok()) return op->Answer(std::move(sealed));

  const storage::ExpectedVersion expected =
      write.opens_case ? storage::ExpectedVersion::NoStream()
                       : storage::ExpectedVersion::Exact(state.version);
  const size_t count = events.size();
  std::shared_ptr<domain::CaseState> after =
      FoldAhead(std::move(state), events);
  log_->AppendTakingAsync(
      op->stream, expected, std::move(events),
      [this, op, count, after = std::move(after),
       refusal = std::move(draft->refusal)](
          absl::StatusOr<storage::AppendResult> appended) mutable {
        if (appended.ok()) {
          if (!appended->already_appended) {
            after->last_position = appended->last_position;
            reader_->Remember(op->write.case_id, std::move(after));
          }
          if (!refusal.ok()) return op->Answer(std::move(refusal));
          return op->Answer(WrittenOf(*appended, count));
        }
        if (!absl::IsAborted(appended.status())) {
          return op->Answer(appended.status());
        }
        if (op->write.opens_case) {
          return op->Answer(absl::AlreadyExistsError(
              absl::StrCat("case ", op->write.case_id, " already exists")));
        }
        if (!op->write.expected_version.has_value() &&
            op->attempts < kMaxAttempts) {
          // The case moved since it was loaded: decide again on the fresh
          // state, off the log's thread.
          return lanes_.Post([this, op]() mutable { Attempt(std::move(op)); });
        }
        op->Answer(appended.status());
      });
}

absl::StatusOr<Written> CaseWriter::WriteAndWait(CaseWrite write) {
  absl::StatusOr<Written> result = absl::InternalError("not answered");
  absl::Notification answered;
  Write(std::move(write), [&](absl::StatusOr<Written> outcome) {
    result = std::move(outcome);
    answered.Notify();
  });
  answered.WaitForNotification();
  return result;
}

absl::StatusOr<std::vector<Written>> CaseWriter::WriteTogether(
    std::vector<CaseWrite> writes) {
  for (const CaseWrite& write : writes) {
    if (write.opens_case || write.expected_version.has_value()) {
      return absl::InvalidArgumentError(
          "a write together neither opens a case nor pins its version");
    }
  }
  for (int attempt = 1;; ++attempt) {
    std::vector<Written> results(writes.size());
    std::vector<storage::StreamAppend> parts;
    std::vector<size_t> part_of;  // the write each part belongs to
    for (size_t i = 0; i < writes.size(); ++i) {
      CaseWrite& write = writes[i];
      const std::string stream = domain::CaseStreamId(write.case_id);
      if (!write.envelope.request_id.empty()) {
        COLLECTIONS_ASSIGN_OR_RETURN(
            auto earlier,
            EarlierAnswer(*log_, stream, write.envelope.request_id));
        if (earlier.has_value()) {
          COLLECTIONS_ASSIGN_OR_RETURN(results[i], std::move(*earlier));
          continue;
        }
      }
      COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state,
                                   reader_->Load(write.case_id));
      if (!state.exists) return CaseMissing(write.case_id);
      COLLECTIONS_ASSIGN_OR_RETURN(Draft draft, write.decide(state));
      if (!draft.refusal.ok()) return draft.refusal;
      results[i].case_version = state.version;
      results[i].last_position = state.last_position;
      if (draft.events.empty()) continue;
      storage::StreamAppend& part = parts.emplace_back();
      part.stream_id = stream;
      part.expected = storage::ExpectedVersion::Exact(state.version);
      part.events = EnvelopeEvents(write.envelope, draft);
      COLLECTIONS_RETURN_IF_ERROR(Seal(write, state, part.events));
      part_of.push_back(i);
    }
    if (parts.empty()) return results;
    absl::StatusOr<std::vector<storage::AppendResult>> appended =
        log_->AppendTransaction(parts);
    if (appended.ok()) {
      for (size_t p = 0; p < parts.size(); ++p) {
        results[part_of[p]] = WrittenOf((*appended)[p], parts[p].events.size());
      }
      return results;
    }
    if (!absl::IsAborted(appended.status()) || attempt >= kMaxAttempts) {
      return appended.status();
    }
  }
}

absl::StatusOr<Written> CaseWriter::AppendUnsealed(
    const std::string& stream_id, const Envelope& envelope,
    std::vector<DraftEvent> events) {
  Draft draft;
  draft.events = std::move(events);
  std::vector<v1::Event> enveloped = EnvelopeEvents(envelope, draft);
  COLLECTIONS_ASSIGN_OR_RETURN(
      storage::AppendResult appended,
      log_->Append(stream_id, storage::ExpectedVersion::Any(), enveloped));
  return WrittenOf(appended, enveloped.size());
}

absl::StatusOr<Written> CaseWriter::WriteToDebtor(
    const std::string& debtor_id, const Envelope& envelope,
    std::vector<DraftEvent> events) {
  return AppendUnsealed(domain::DebtorStreamId(debtor_id), envelope,
                        std::move(events));
}

absl::StatusOr<Written> CaseWriter::WriteToAgency(
    const std::string& agency_id, const Envelope& envelope,
    std::vector<DraftEvent> events) {
  return AppendUnsealed(domain::AgencyStreamId(agency_id), envelope,
                        std::move(events));
}

absl::StatusOr<Written> CaseWriter::WriteOnDebtor(
    const std::string& debtor_id, const Envelope& envelope,
    std::optional<uint64_t> expected_version, DecideOnDebtor decide) {
  const std::string stream = domain::DebtorStreamId(debtor_id);
  for (int attempt = 1;; ++attempt) {
    if (!envelope.request_id.empty()) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          std::optional<absl::StatusOr<Written>> earlier,
          EarlierAnswer(*log_, stream, envelope.request_id));
      if (earlier.has_value()) return *std::move(earlier);
    }
    COLLECTIONS_ASSIGN_OR_RETURN(v1::DebtorProfile profile,
                                 reader_->LoadDebtor(debtor_id));
    if (expected_version.has_value() &&
        *expected_version != profile.version()) {
      absl::Status stale = absl::AbortedError(
          absl::StrCat("debtor ", debtor_id, " is at version ",
                       profile.version(), ", not the expected ",
                       *expected_version, "; reload it and decide again"));
      SetErrorReason(stale, "STALE_VERSION");
      AddErrorMetadata(stale, "debtor_id", debtor_id);
      AddErrorMetadata(stale, "actual_version",
                       absl::StrCat(profile.version()));
      AddErrorMetadata(stale, "expected_version",
                       absl::StrCat(*expected_version));
      return stale;
    }
    COLLECTIONS_ASSIGN_OR_RETURN(Draft draft, decide(profile));
    std::vector<v1::Event> events = EnvelopeEvents(envelope, draft);
    if (vault_ != nullptr && !events.empty()) {
      COLLECTIONS_RETURN_IF_ERROR(
          vault_->Seal(debtor_id, stream, profile.version() + 1, events));
    }
    absl::StatusOr<storage::AppendResult> appended = log_->Append(
        stream, storage::ExpectedVersion::Exact(profile.version()), events);
    if (appended.ok()) return WrittenOf(*appended, events.size());
    if (!absl::IsAborted(appended.status()) || expected_version.has_value() ||
        attempt >= kMaxAttempts)
      return appended.status();
  }
}

}  // namespace collections::app
