#include "common/money_format.h"

#include "absl/strings/str_cat.h"

namespace collections {
namespace {

// ISO 4217 list one (the published table, amendment 176 of 2023): the
// active codes whose minor unit is not 2. Codes with no minor unit ("N.A.":
// gold, SDR, testing codes) are shown in whole units, as the table's
// amounts of them are.
struct Exception {
  const char* code;
  int digits;
};
constexpr Exception kNotTwo[] = {
    // 0 decimals
    {"BIF", 0},
    {"CLP", 0},
    {"DJF", 0},
    {"GNF", 0},
    {"ISK", 0},
    {"JPY", 0},
    {"KMF", 0},
    {"KRW", 0},
    {"PYG", 0},
    {"RWF", 0},
    {"UGX", 0},
    {"UYI", 0},
    {"VND", 0},
    {"VUV", 0},
    {"XAF", 0},
    {"XOF", 0},
    {"XPF", 0},
    // no minor unit (N.A.)
    {"XAG", 0},
    {"XAU", 0},
    {"XBA", 0},
    {"XBB", 0},
    {"XBC", 0},
    {"XBD", 0},
    {"XDR", 0},
    {"XPD", 0},
    {"XPT", 0},
    {"XSU", 0},
    {"XTS", 0},
    {"XUA", 0},
    {"XXX", 0},
    // 3 decimals
    {"BHD", 3},
    {"IQD", 3},
    {"JOD", 3},
    {"KWD", 3},
    {"LYD", 3},
    {"OMR", 3},
    {"TND", 3},
    // 4 decimals
    {"CLF", 4},
    {"UYW", 4},
};

}  // namespace

int MinorUnitDigits(absl::string_view currency) {
  for (const Exception& exception : kNotTwo) {
    if (currency == exception.code) return exception.digits;
  }
  return 2;
}

std::string FormatMoney(int64_t amount_minor, absl::string_view currency) {
  const int digits = MinorUnitDigits(currency);
  // The magnitude as unsigned: -INT64_MIN does not fit an int64.
  const uint64_t magnitude = amount_minor < 0
                                 ? 0 - static_cast<uint64_t>(amount_minor)
                                 : static_cast<uint64_t>(amount_minor);
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string text = absl::StrCat(currency, " ", amount_minor < 0 ? "-" : "",
                                  magnitude / scale);
  if (digits > 0) {
    std::string fraction = absl::StrCat(magnitude % scale);
    absl::StrAppend(&text, ".", std::string(digits - fraction.size(), '0'),
                    fraction);
  }
  return text;
}

}  // namespace collections
