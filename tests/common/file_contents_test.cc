// ReadFileContents (common/file_contents.h): a file's bytes exactly as
// stored, NULs and all; false, the output untouched, for a file that
// cannot be opened.
#include "common/file_contents.h"

#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace collections {
namespace {

TEST(FileContentsTest, ReadsEveryByteAsStored) {
  testing::TempDir dir;
  const std::string bytes("key\0\r\n\xff end", 11);
  {
    std::ofstream file(dir.Sub("bundle.bin"), std::ios::binary);
    file << bytes;
  }
  std::string read;
  ASSERT_TRUE(ReadFileContents(dir.Sub("bundle.bin"), &read));
  EXPECT_EQ(read, bytes);
}

TEST(FileContentsTest, AMissingFileIsFalseAndLeavesTheOutputAlone) {
  testing::TempDir dir;
  std::string read = "before";
  EXPECT_FALSE(ReadFileContents(dir.Sub("absent.pem"), &read));
  EXPECT_EQ(read, "before");
}

}  // namespace
}  // namespace collections
