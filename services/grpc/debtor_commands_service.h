// gRPC DebtorCommands (proto/collections/v1/debtor.proto): the debtor
// layer's commands, admitted like the case commands (record-acts), and
// GetDebtor (read-portfolio). Each command blocks its handler thread until
// its one event is durable (app::DebtorCommands).
//
// Thread safety: as app::DebtorCommands and CaseQueryHandler; everything
// given must outlive the service.
#ifndef COLLECTIONS_SERVICES_GRPC_DEBTOR_COMMANDS_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_DEBTOR_COMMANDS_SERVICE_H_

#include "collections/v1/debtor.grpc.pb.h"
#include "services/app/case_queries.h"
#include "services/app/debtor_commands.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class DebtorCommandsService final
    : public collections::v1::DebtorCommands::Service {
 public:
  DebtorCommandsService(app::DebtorCommands* commands,
                        app::CaseQueryHandler* queries, const Guard* guard)
      : commands_(commands), queries_(queries), guard_(guard) {}

  using Result = collections::v1::DebtorCommandResult;
  grpc::Status RegisterDebtor(
      grpc::ServerContext* context,
      const collections::v1::RegisterDebtorRequest* request,
      Result* response) override;
  grpc::Status AddContactPoint(
      grpc::ServerContext* context,
      const collections::v1::AddContactPointRequest* request,
      Result* response) override;
  grpc::Status InvalidateContactPoint(
      grpc::ServerContext* context,
      const collections::v1::InvalidateContactPointRequest* request,
      Result* response) override;
  grpc::Status RestrictCommunication(
      grpc::ServerContext* context,
      const collections::v1::RestrictCommunicationRequest* request,
      Result* response) override;
  grpc::Status LiftCommunicationRestriction(
      grpc::ServerContext* context,
      const collections::v1::LiftCommunicationRestrictionRequest* request,
      Result* response) override;
  grpc::Status NoticeRepresentation(
      grpc::ServerContext* context,
      const collections::v1::NoticeRepresentationRequest* request,
      Result* response) override;
  grpc::Status NoticeInsolvency(
      grpc::ServerContext* context,
      const collections::v1::NoticeInsolvencyRequest* request,
      Result* response) override;
  grpc::Status NoticeDeceased(
      grpc::ServerContext* context,
      const collections::v1::NoticeDeceasedRequest* request,
      Result* response) override;
  grpc::Status AssignSegment(
      grpc::ServerContext* context,
      const collections::v1::AssignSegmentRequest* request,
      Result* response) override;
  grpc::Status RecordConsent(
      grpc::ServerContext* context,
      const collections::v1::RecordConsentRequest* request,
      Result* response) override;
  grpc::Status GetDebtor(grpc::ServerContext* context,
                         const collections::v1::GetDebtorRequest* request,
                         collections::v1::DebtorProfile* response) override;

 private:
  // Admits the caller to `method`, runs `command`, answers.
  template <typename Request>
  grpc::Status Run(grpc::ServerContext& context, const char* method,
                   app::DebtorCommands::Result (app::DebtorCommands::*command)(
                       const Request&, const app::DebtorCommands::Actor&),
                   const Request& request, Result* response);

  app::DebtorCommands* const commands_;
  app::CaseQueryHandler* const queries_;
  const Guard* const guard_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_DEBTOR_COMMANDS_SERVICE_H_
