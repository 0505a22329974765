// DebtorCommands: the use cases behind the DebtorCommands service of
// proto/collections/v1/debtor.proto — register a debtor, add and invalidate
// contact points, restrict and lift communication per channel, notice a
// representation, an insolvency or a death, assign a treatment segment,
// record a consent. Each checks the request's context, lets the domain
// decide on the debtor's profile (domain/debtor_profile.h) and appends the
// event to the debtor's stream through CaseWriter::WriteOnDebtor (sealed
// with the debtor's key). Every case of the debtor is judged with the new
// profile from then on (CaseReader::Load) and shows it in its standing (the
// case standing projection folds debtor streams too).
//
// Idempotency: the event of a request has id "<request_id>/0"; a retry is
// answered with the first result (already_applied).
//
// Errors (absl::Status): INVALID_ARGUMENT naming the field; ALREADY_EXISTS
// (a second registration, a used contact point id); NOT_FOUND (an unknown
// contact point); FAILED_PRECONDITION "<RULE>: <reason>"; ABORTED for a
// stale expected_version; the log's UNAVAILABLE / DATA_LOSS.
//
// Thread safety: safe to call concurrently; the writer must outlive this.
// Each call blocks until its event is durable (or refused).
#ifndef COLLECTIONS_SERVICES_APP_DEBTOR_COMMANDS_H_
#define COLLECTIONS_SERVICES_APP_DEBTOR_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "collections/v1/debtor.pb.h"
#include "services/app/case_writer.h"

namespace collections::app {

class DebtorCommands {
 public:
  explicit DebtorCommands(CaseWriter* writer) : writer_(writer) {}
  DebtorCommands(const DebtorCommands&) = delete;
  DebtorCommands& operator=(const DebtorCommands&) = delete;

  using Result = absl::StatusOr<collections::v1::DebtorCommandResult>;
  using Actor = collections::v1::Actor;

  Result RegisterDebtor(const collections::v1::RegisterDebtorRequest& request,
                        const Actor& actor);
  Result AddContactPoint(const collections::v1::AddContactPointRequest& request,
                         const Actor& actor);
  Result InvalidateContactPoint(
      const collections::v1::InvalidateContactPointRequest& request,
      const Actor& actor);
  Result RestrictCommunication(
      const collections::v1::RestrictCommunicationRequest& request,
      const Actor& actor);
  Result LiftCommunicationRestriction(
      const collections::v1::LiftCommunicationRestrictionRequest& request,
      const Actor& actor);
  Result NoticeRepresentation(
      const collections::v1::NoticeRepresentationRequest& request,
      const Actor& actor);
  Result NoticeInsolvency(
      const collections::v1::NoticeInsolvencyRequest& request,
      const Actor& actor);
  Result NoticeDeceased(const collections::v1::NoticeDeceasedRequest& request,
                        const Actor& actor);
  Result AssignSegment(const collections::v1::AssignSegmentRequest& request,
                       const Actor& actor);
  Result RecordConsent(const collections::v1::RecordConsentRequest& request,
                       const Actor& actor);

 private:
  // Decides `requested` on the debtor's profile and appends it.
  Result Write(const std::string& debtor_id,
               const collections::v1::CommandContext& context,
               const Actor& actor, collections::v1::EventPayload requested);

  CaseWriter* const writer_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_DEBTOR_COMMANDS_H_
