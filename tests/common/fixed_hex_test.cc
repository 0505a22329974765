// AppendFixedHex writes what printf's "%0<width>x" writes for the value
// masked to the width, appended after what the string holds.
#include "common/fixed_hex.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace collections {
namespace {

std::string Printf(uint64_t value, int width) {
  const uint64_t masked =
      width >= 16 ? value : value & ((uint64_t{1} << (4 * width)) - 1);
  return absl::StrFormat("%0*x", width, masked);
}

TEST(FixedHexTest, EqualsPrintfForEveryWidth) {
  std::mt19937_64 random(26);
  const uint64_t edges[] = {0,
                            1,
                            0xf,
                            0x10,
                            0xffff,
                            0x10000,
                            0x8000000000000000u,
                            0xffffffffffffffffu};
  for (int width = 1; width <= 16; ++width) {
    for (uint64_t value : edges) {
      std::string out = "k/";
      AppendFixedHex(value, width, &out);
      EXPECT_EQ(out, "k/" + Printf(value, width)) << width << " " << value;
    }
    for (int i = 0; i < 1000; ++i) {
      const uint64_t value = random();
      std::string out;
      AppendFixedHex(value, width, &out);
      ASSERT_EQ(out, Printf(value, width)) << width << " " << value;
    }
  }
}

TEST(FixedHexTest, WiderThanSixteenPadsAndNoWidthAppendsNothing) {
  std::string out = "x";
  AppendFixedHex(0xabcdef, 20, &out);
  EXPECT_EQ(out, "x" + absl::StrFormat("%020x", 0xabcdef));
  AppendFixedHex(0xabcdef, 0, &out);
  AppendFixedHex(0xabcdef, -3, &out);
  EXPECT_EQ(out, "x" + absl::StrFormat("%020x", 0xabcdef));
}

}  // namespace
}  // namespace collections
