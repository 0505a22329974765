// The invoice ledger's invariants as checks that name what broke: shared by
// the ledger property test (ledger_properties_test.cc, GoogleTest) and the
// domain command-sequence fuzz target (tests/fuzz/fuzz_case_commands.cc,
// which aborts on a violation). Header-only, pure: no gtest, no clock.
//
//   LedgerViolation(state, events)  (= BalanceViolation, the first three,
//     then ReplayViolation, the last) "" when, for the folded `state` of the
//     case whose log is `events`:
//       - the balance is the sum of the invoices' plus what is owed on no
//         invoice, bucket by bucket, and no bucket anywhere is negative;
//       - art. 29 Wet OB: no invoice's relieved VAT exceeds its VAT;
//       - replaying `events` from the start, and a snapshot round trip,
//         give `state` (byte for byte, as snapshots);
//     else one sentence saying which and by how much.
//   PaymentViolation(decision)  "" when every PaymentReceived in the
//     decision adds up (art. 6:43/6:44 BW: its allocations plus what it
//     overpaid equal the payment; the per-invoice parts no more than the
//     whole), else which payment did not.
#ifndef COLLECTIONS_TESTS_SERVICES_DOMAIN_LEDGER_INVARIANTS_H_
#define COLLECTIONS_TESTS_SERVICES_DOMAIN_LEDGER_INVARIANTS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collections/v1/events.pb.h"
#include "services/domain/case_decisions.h"
#include "services/domain/case_snapshot.h"
#include "services/domain/case_state.h"

namespace collections::domain::fixtures {

inline constexpr Bucket kAllBuckets[] = {Bucket::kPrincipal, Bucket::kInterest,
                                         Bucket::kCosts, Bucket::kFees};

inline int64_t AllocationSum(const collections::v1::Allocation& a) {
  return a.principal().amount_minor() + a.interest().amount_minor() +
         a.costs().amount_minor() + a.fees().amount_minor();
}

inline std::string SnapshotBytes(const CaseState& state) {
  std::string bytes;
  ToSnapshot(state).SerializeToString(&bytes);
  return bytes;
}

// The balance invariants alone (cheap: no replay).
inline std::string BalanceViolation(const CaseState& s) {
  Buckets sum = s.unattributed;
  for (const InvoiceState& invoice : s.invoices) {
    sum += invoice.owed;
    for (Bucket b : kAllBuckets) {
      if (invoice.owed.at(b) < 0) {
        return absl::StrCat("invoice ", invoice.number(), " owes ",
                            invoice.owed.at(b), " in bucket ",
                            static_cast<int>(b));
      }
    }
    // Art. 29 Wet OB: relief is a share of the invoice's own VAT.
    if (invoice.vat_relief_minor > invoice.line.vat().amount_minor()) {
      return absl::StrCat("invoice ", invoice.number(), " relieved ",
                          invoice.vat_relief_minor, " of VAT ",
                          invoice.line.vat().amount_minor());
    }
  }
  if (!(sum == s.owed)) {
    return absl::StrCat("balance ", s.owed.total(),
                        " but invoices + unattributed ", sum.total());
  }
  for (Bucket b : kAllBuckets) {
    if (s.owed.at(b) < 0 || s.unattributed.at(b) < 0) {
      return absl::StrCat("case bucket ", static_cast<int>(b),
                          " negative: ", s.owed.at(b), " owed, ",
                          s.unattributed.at(b), " unattributed");
    }
  }
  return "";
}

// The replay invariants alone: the log and a snapshot fold to `s`.
inline std::string ReplayViolation(
    const CaseState& s, const std::vector<collections::v1::Event>& events) {
  CaseState replayed;
  for (const collections::v1::Event& event : events) Evolve(replayed, event);
  const std::string folded = SnapshotBytes(s);
  if (SnapshotBytes(replayed) != folded) {
    return "replaying the log gives another state than the incremental fold";
  }
  if (SnapshotBytes(FromSnapshot(ToSnapshot(s))) != folded) {
    return "a snapshot round trip changes the state";
  }
  return "";
}

inline std::string LedgerViolation(
    const CaseState& s, const std::vector<collections::v1::Event>& events) {
  std::string broken = BalanceViolation(s);
  return broken.empty() ? ReplayViolation(s, events) : broken;
}

inline std::string PaymentViolation(const Decision& decision) {
  for (const collections::v1::EventPayload& payload : decision.events) {
    if (!payload.has_payment_received()) continue;
    const collections::v1::PaymentReceived& p = payload.payment_received();
    int64_t per_invoice = 0;
    for (const auto& part : p.invoice_allocations())
      per_invoice += AllocationSum(part.allocation());
    const int64_t whole = AllocationSum(p.allocation());
    if (whole + p.overpaid().amount_minor() != p.amount().amount_minor()) {
      return absl::StrCat("payment ", p.payment_id(), " of ",
                          p.amount().amount_minor(), " allocated ", whole,
                          " + overpaid ", p.overpaid().amount_minor());
    }
    if (per_invoice > whole) {
      return absl::StrCat("payment ", p.payment_id(), " allocated ",
                          per_invoice, " to invoices of ", whole);
    }
  }
  return "";
}

}  // namespace collections::domain::fixtures

#endif  // COLLECTIONS_TESTS_SERVICES_DOMAIN_LEDGER_INVARIANTS_H_
