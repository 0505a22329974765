#include "services/app/debtor_commands.h"

#include <utility>

#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/domain/command_checks.h"
#include "services/domain/debtor_profile.h"

namespace collections::app {

namespace v1 = ::collections::v1;

DebtorCommands::Result DebtorCommands::Write(const std::string& debtor_id,
                                             const v1::CommandContext& context,
                                             const Actor& actor,
                                             v1::EventPayload requested) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckCommandContext(context));
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("debtor_id", debtor_id));
  Envelope envelope;
  envelope.request_id = context.request_id();
  envelope.occurred_at = ToTime(context.occurred_at());
  envelope.actor = actor;
  envelope.correlation_id = context.correlation_id();
  envelope.causation_id = context.causation_id();
  AttachCurrentTrace(envelope);
  std::optional<uint64_t> expected;
  if (context.has_expected_version()) expected = context.expected_version();
  COLLECTIONS_ASSIGN_OR_RETURN(
      Written written,
      writer_->WriteOnDebtor(
          debtor_id, envelope, expected,
          [&](const v1::DebtorProfile& profile) -> absl::StatusOr<Draft> {
            COLLECTIONS_ASSIGN_OR_RETURN(
                v1::EventPayload decided,
                domain::DecideDebtorCommand(profile, debtor_id, requested));
            Draft draft;
            draft.events.push_back(
                DraftEvent{std::move(decided), "", std::nullopt});
            return draft;
          }));
  v1::DebtorCommandResult result;
  result.set_debtor_id(debtor_id);
  result.set_debtor_version(written.case_version);
  result.set_last_position(written.last_position);
  result.set_already_applied(written.already_applied);
  return result;
}

DebtorCommands::Result DebtorCommands::RegisterDebtor(
    const v1::RegisterDebtorRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_debtor_registered() = request.debtor();
  return Write(request.debtor().debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::AddContactPoint(
    const v1::AddContactPointRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_contact_point_added() = request.contact_point();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::InvalidateContactPoint(
    const v1::InvalidateContactPointRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_contact_point_invalidated() = request.invalidation();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::RestrictCommunication(
    const v1::RestrictCommunicationRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_communication_restricted() = request.restriction();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::LiftCommunicationRestriction(
    const v1::LiftCommunicationRestrictionRequest& request,
    const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_communication_restriction_lifted() = request.lift();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::NoticeRepresentation(
    const v1::NoticeRepresentationRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_representation_noticed() = request.representation();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::NoticeInsolvency(
    const v1::NoticeInsolvencyRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_insolvency_noticed() = request.insolvency();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::NoticeDeceased(
    const v1::NoticeDeceasedRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_deceased_noticed() = request.deceased();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::AssignSegment(
    const v1::AssignSegmentRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_segment_assigned() = request.segment();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

DebtorCommands::Result DebtorCommands::RecordConsent(
    const v1::RecordConsentRequest& request, const Actor& actor) {
  v1::EventPayload payload;
  *payload.mutable_contact_consent_recorded() = request.consent();
  return Write(request.debtor_id(), request.context(), actor,
               std::move(payload));
}

}  // namespace collections::app
