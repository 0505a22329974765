// Money as people read it: "EUR 1265.28", "JPY 1500", "KWD 12.345" — the
// amount in the currency's ISO 4217 minor units, printed with as many
// decimals as that currency has (ISO 4217 list one, the "minor unit"
// column: 2 for most; 0 for JPY, KRW, ISK…; 3 for BHD, IQD, JOD, KWD, LYD,
// OMR, TND; 4 for CLF, UYW). Money is stored and computed in integer minor
// units everywhere; this is only how it is shown.
//
// Thread safety: pure functions.
#ifndef COLLECTIONS_COMMON_MONEY_FORMAT_H_
#define COLLECTIONS_COMMON_MONEY_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace collections {

// The number of decimals of `currency` (an ISO 4217 alphabetic code): the
// minor unit of ISO 4217 list one; 2 for a code the list gives 2 or that
// is not on it (the common case, and the safe reading of an unknown code
// is to show its minor units as they came, see FormatMoney).
int MinorUnitDigits(absl::string_view currency);

// "<currency> <amount>" with the decimals of MinorUnitDigits: -350 EUR →
// "EUR -3.50", 1500 JPY → "JPY 1500", 12345 KWD → "KWD 12.345". Exact for
// every int64 (no floating point).
std::string FormatMoney(int64_t amount_minor, absl::string_view currency);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_MONEY_FORMAT_H_
