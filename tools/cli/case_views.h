// collectionsctl's case and portfolio commands: what the CaseQueries and
// EventStream services show, as tables or (--json) JSON.
//
//   list [--debtor=d-0001] [--page_size=50]   cases, first page
//   case <case id>                            balances, installments, holds
//   standing <case id>                        what may be done now, and why not
//   timeline <debtor id>                      every act on the debtor's cases
//   tail [--after=N]                          follow the log (one JSON line per
//                                             event with --json)
//   queue [--as_of=…] [--creditor=…] [--kind=promise_check,…]
//                                             due actions, by due time
//   kpis --creditor=… [--as_of=…]             the creditor's portfolio figures
#ifndef COLLECTIONS_TOOLS_CLI_CASE_VIEWS_H_
#define COLLECTIONS_TOOLS_CLI_CASE_VIEWS_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace collections::cli {

int List(const std::shared_ptr<grpc::Channel>& channel);
int Case(const std::shared_ptr<grpc::Channel>& channel,
         const std::string& case_id);
int Standing(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& case_id);
int Timeline(const std::shared_ptr<grpc::Channel>& channel,
             const std::string& debtor_id);
int Tail(const std::shared_ptr<grpc::Channel>& channel);
int WorkQueue(const std::shared_ptr<grpc::Channel>& channel);
int Kpis(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_CASE_VIEWS_H_
