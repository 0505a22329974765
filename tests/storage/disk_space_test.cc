// The free-space reserve: measured on a real directory, refused below the
// reserve with a message saying how much is free and how much is needed.
#include "storage/disk_space.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

using ::collections::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DiskSpaceTest, MeasuresTheDiskOfADirectory) {
  collections::testing::TempDir dir;
  auto free_bytes = FreeDiskBytes(dir.path());
  ASSERT_TRUE(free_bytes.ok()) << free_bytes.status();
  EXPECT_GT(*free_bytes, 0u);
  EXPECT_THAT(FreeDiskBytes(dir.Sub("missing")).status(),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(DiskSpaceTest, RefusesBelowTheReserveSayingHowMuchIsFree) {
  collections::testing::TempDir dir;
  EXPECT_TRUE(CheckFreeSpace(dir.path(), 0, nullptr).ok());
  EXPECT_TRUE(CheckFreeSpace(dir.path(), 1, nullptr).ok());
  // No disk has an exbibyte free.
  EXPECT_THAT(
      CheckFreeSpace(dir.path(), uint64_t{1} << 60, nullptr),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("nearly full")));
  WriteFaults faults;
  faults.SimulateFreeBytes(3 << 20);
  EXPECT_THAT(CheckFreeSpace(dir.path(), 64 << 20, &faults),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("3 MiB free, appends need 64 MiB")));
  EXPECT_TRUE(CheckFreeSpace(dir.path(), 2 << 20, &faults).ok());
}

}  // namespace
}  // namespace collections::storage
