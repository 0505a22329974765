// Folding the money events into the invoice ledger (invoice_ledger.h) of a
// CaseState: called by Evolve for every event, after the case-level
// buckets were updated, so `owed` stays exactly what it was before the
// ledger and the ledger splits it per invoice (owed == Σ invoices' owed +
// unattributed).
//
// Events from before the ledger state only the case's buckets. They are
// read by the migration rule of docs/domain.md "Replaying old logs": payments,
// reversals and write-offs split per bucket over the invoices oldest due
// date first; interest and costs split over the invoices in proportion to
// their principal owed; what no invoice owes stays unattributed.
//
// Pure; mutates the state it is given.
#ifndef COLLECTIONS_SERVICES_DOMAIN_LEDGER_FOLD_H_
#define COLLECTIONS_SERVICES_DOMAIN_LEDGER_FOLD_H_

#include "absl/time/civil_time.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_state.h"

namespace collections::domain {

// Applies `payload` (an event of the case on business day `day`) to the
// ledger of `state`. Events without money or deadlines are ignored.
void FoldLedger(CaseState& state, const collections::v1::EventPayload& payload,
                absl::CivilDay day);

// The invoice splits a payment (or its reversal) stated, or for an event
// from before the ledger the split the migration rule gives.
std::vector<InvoiceSplit> SplitsOf(
    const CaseState& state,
    const google::protobuf::RepeatedPtrField<
        collections::v1::InvoiceAllocation>& stated,
    const Buckets& case_allocation);

}  // namespace collections::domain

#endif  // COLLECTIONS_SERVICES_DOMAIN_LEDGER_FOLD_H_
