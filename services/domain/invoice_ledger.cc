#include "services/domain/invoice_ledger.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "services/domain/claim_deadlines.h"

namespace collections::domain {
namespace {

// Rounds numerator / denominator (denominator > 0) half away from zero.
int64_t RoundedQuotient(__int128 numerator, __int128 denominator) {
  if (numerator >= 0)
    return static_cast<int64_t>((numerator + denominator / 2) / denominator);
  return -static_cast<int64_t>((-numerator + denominator / 2) / denominator);
}

// Whether paying the invoice stops something from running (interest or
// costs owed on it): the more onerous debt under art. 6:43 lid 2 BW.
bool Onerous(const InvoiceState& invoice) {
  return invoice.owed.interest > 0 || invoice.owed.costs > 0 ||
         invoice.interest_until.has_value();
}

}  // namespace

std::vector<size_t> OrderForPayment(const std::vector<InvoiceState>& invoices,
                                    const std::string& designated,
                                    absl::CivilDay day) {
  std::vector<size_t> order(invoices.size());
  std::iota(order.begin(), order.end(), 0);
  auto rank = [&](size_t i) {
    const InvoiceState& invoice = invoices[i];
    const bool named = !designated.empty() && invoice.number() == designated;
    const bool due = invoice.due < day;
    return std::make_tuple(!named, !due, !Onerous(invoice), invoice.due,
                           invoice.number());
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rank(a) < rank(b); });
  return order;
}

PaymentSplit AllocatePayment(const std::vector<InvoiceState>& invoices,
                             const Buckets& unattributed, int64_t amount,
                             const std::string& designated, absl::CivilDay day,
                             const AllocationOrder& order) {
  PaymentSplit split;
  int64_t left = std::max<int64_t>(amount, 0);
  for (size_t i : OrderForPayment(invoices, designated, day)) {
    if (left <= 0) break;
    const InvoiceState& invoice = invoices[i];
    if (invoice.owed.total() <= 0) continue;
    const AllocationResult result = Allocate(left, invoice.owed, order);
    if (result.allocated.total() <= 0) continue;
    split.invoices.push_back({invoice.number(), result.allocated});
    split.total += result.allocated;
    left = result.overpaid;
  }
  if (left > 0 && unattributed.total() > 0) {
    const AllocationResult result = Allocate(left, unattributed, order);
    if (result.allocated.total() > 0) {
      split.invoices.push_back({"", result.allocated});
      split.total += result.allocated;
      left = result.overpaid;
    }
  }
  split.overpaid = left;
  return split;
}

std::vector<InvoiceSplit> SplitOldestFirst(
    const std::vector<InvoiceState>& invoices, Bucket bucket, int64_t amount) {
  std::vector<InvoiceSplit> splits;
  if (amount == 0) return splits;
  std::vector<size_t> order(invoices.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return invoices[a].due < invoices[b].due;
  });
  int64_t left = amount;
  for (size_t i : order) {
    if (left <= 0) break;
    const int64_t take =
        std::min(left, std::max<int64_t>(invoices[i].owed.at(bucket), 0));
    if (take <= 0) continue;
    InvoiceSplit split{invoices[i].number(), {}};
    split.allocated.at(bucket) = take;
    splits.push_back(split);
    left -= take;
  }
  if (left != 0) {  // more than the invoices owe there, or a negative amount
    InvoiceSplit rest{"", {}};
    rest.allocated.at(bucket) = left;
    splits.push_back(rest);
  }
  return splits;
}

std::vector<int64_t> SplitByWeight(int64_t amount,
                                   const std::vector<int64_t>& weights) {
  std::vector<int64_t> parts(weights.size(), 0);
  if (weights.empty()) return parts;
  __int128 total = 0;
  for (int64_t w : weights) total += std::max<int64_t>(w, 0);
  if (total == 0) {
    parts[0] = amount;
    return parts;
  }
  int64_t given = 0;
  std::vector<std::pair<__int128, size_t>> remainders;
  for (size_t i = 0; i < weights.size(); ++i) {
    const __int128 exact =
        static_cast<__int128>(amount) * std::max<int64_t>(weights[i], 0);
    parts[i] = static_cast<int64_t>(exact / total);
    given += parts[i];
    remainders.push_back({exact % total, i});
  }
  std::stable_sort(
      remainders.begin(), remainders.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  const int64_t step = amount >= 0 ? 1 : -1;
  for (size_t k = 0; given != amount && k < remainders.size(); ++k) {
    parts[remainders[k].second] += step;
    given += step;
  }
  return parts;
}

int64_t PrincipalOn(const InvoiceState& invoice, absl::CivilDay day) {
  int64_t principal = invoice.gross_minor();
  for (const PrincipalChange& change : invoice.changes) {
    if (change.day <= day) principal += change.principal_delta;
  }
  return principal;
}

void RecomputeLimitation(InvoiceState& invoice) {
  absl::CivilDay deadline =
      LimitationDeadline(invoice.due, invoice.limitation_years);
  for (const Interruption& interruption : invoice.interruptions) {
    const absl::CivilDay after =
        interruption.deadline.has_value()
            ? *interruption.deadline
            : LimitationDeadline(interruption.on, invoice.limitation_years);
    deadline = std::max(deadline, after);
  }
  invoice.limitation_deadline = deadline;
}

bool TimeBarredOn(const InvoiceState& invoice, absl::CivilDay day) {
  return IsTimeBarred(invoice.limitation_deadline, day);
}

int64_t VatShareOfAmount(const InvoiceState& invoice, int64_t principal_minor) {
  const int64_t gross = invoice.gross_minor();
  if (gross <= 0 || principal_minor <= 0) return 0;
  return RoundedQuotient(static_cast<__int128>(principal_minor) *
                             invoice.line.vat().amount_minor(),
                         gross);
}

int64_t VatShareOf(const InvoiceState& invoice) {
  return VatShareOfAmount(
      invoice, invoice.owed.principal + invoice.written_off_principal_minor);
}

collections::v1::InvoiceAllocation ToInvoiceAllocation(
    const InvoiceSplit& split, const std::string& currency) {
  collections::v1::InvoiceAllocation allocation;
  allocation.set_invoice_number(split.invoice_number);
  *allocation.mutable_allocation() = ToAllocation(split.allocated, currency);
  return allocation;
}

InvoiceSplit FromInvoiceAllocation(
    const collections::v1::InvoiceAllocation& allocation) {
  return {allocation.invoice_number(), FromAllocation(allocation.allocation())};
}

}  // namespace collections::domain
