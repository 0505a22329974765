// Fixed-width lower-case hexadecimal, as printf's "%0<width>x" writes it,
// without printf: keys made once per event (the timeline's, the actor
// index's) spent most of their cost parsing the format string.
//
// AppendFixedHex(value, width, out) appends exactly `width` digits of
// `value`'s low 4 × width bits: for widths up to 16, higher bits are
// dropped, as with "%0<width>x" of the value masked to that width; wider,
// the value is padded with zeros. A width of 0 or less appends nothing.
// Pure; any thread.
#ifndef COLLECTIONS_COMMON_FIXED_HEX_H_
#define COLLECTIONS_COMMON_FIXED_HEX_H_

#include <cstdint>
#include <string>

namespace collections {

inline void AppendFixedHex(uint64_t value, int width, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (width <= 0) return;
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(width));
  for (int i = width - 1; i >= 0; --i) {
    (*out)[start + static_cast<size_t>(i)] = kDigits[value & 0xf];
    value >>= 4;
  }
}

}  // namespace collections

#endif  // COLLECTIONS_COMMON_FIXED_HEX_H_
