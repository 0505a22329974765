// gRPC CaseQueries: request → CaseQueryHandler → response. A query waits for
// its min_position at most until the call deadline, and never more than
// kMaxWait.
//
// GetDebtorTimeline answers with bytes the handler assembled from
// pre-serialized entries: the method is served through gRPC's streamed-unary
// handler (the one WithStreamedUnaryMethod_ uses) with a ByteBuffer response,
// so no response message is built or serialized per call. On the wire and to
// clients it is the ordinary unary method.
//
// Thread safety: as the handler, which must outlive the service.
#ifndef COLLECTIONS_SERVICES_GRPC_CASE_QUERIES_SERVICE_H_
#define COLLECTIONS_SERVICES_GRPC_CASE_QUERIES_SERVICE_H_

#include "collections/v1/case_queries.grpc.pb.h"
#include "services/app/case_queries.h"
#include "services/grpc/caller.h"

namespace collections::grpc_api {

class CaseQueriesService final : public collections::v1::CaseQueries::Service {
 public:
  // Agencies may read only the cases placed with them (GetCase,
  // GetCaseStanding). Both must outlive the service.
  CaseQueriesService(app::CaseQueryHandler* handler, const Guard* guard);

  grpc::Status GetCase(grpc::ServerContext* context,
                       const collections::v1::GetCaseRequest* request,
                       collections::v1::GetCaseResponse* response) override;
  grpc::Status GetCaseStanding(
      grpc::ServerContext* context,
      const collections::v1::GetCaseStandingRequest* request,
      collections::v1::CaseStanding* response) override;
  grpc::Status GetWorkQueue(
      grpc::ServerContext* context,
      const collections::v1::GetWorkQueueRequest* request,
      collections::v1::GetWorkQueueResponse* response) override;
  grpc::Status GetPortfolioKpis(
      grpc::ServerContext* context,
      const collections::v1::GetPortfolioKpisRequest* request,
      collections::v1::PortfolioKpis* response) override;
  grpc::Status GetDebtor(grpc::ServerContext* context,
                         const collections::v1::GetDebtorRequest* request,
                         collections::v1::DebtorProfile* response) override;
  grpc::Status ListCases(grpc::ServerContext* context,
                         const collections::v1::ListCasesRequest* request,
                         collections::v1::ListCasesResponse* response) override;

 private:
  using TimelineStreamer =
      grpc::ServerUnaryStreamer<collections::v1::GetDebtorTimelineRequest,
                                grpc::ByteBuffer>;
  grpc::Status GetEncodedDebtorTimeline(grpc::ServerContext* context,
                                        TimelineStreamer* streamer);

  template <typename Request>
  absl::Status AdmitToCase(grpc::ServerContext& context, const char* method,
                           const Request& request) const;

  app::CaseQueryHandler* const handler_;
  const Guard* const guard_;
};

}  // namespace collections::grpc_api

#endif  // COLLECTIONS_SERVICES_GRPC_CASE_QUERIES_SERVICE_H_
