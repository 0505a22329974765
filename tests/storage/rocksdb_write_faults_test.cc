// The fault-injecting Env on its own, on real files in a fresh temp dir:
// while failing, writes, syncs and file creation answer "no space" (counted);
// reads go on; switched off, the same file takes writes again.
#include "storage/rocksdb_write_faults.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/testing/temp_dir.h"

namespace collections::storage {
namespace {

TEST(WriteFaultEnvTest, RefusesWritesWhileFailingAndRecovers) {
  collections::testing::TempDir dir;
  WriteFaults faults;
  std::unique_ptr<rocksdb::Env> env = NewWriteFaultEnv(&faults);
  const std::string path = dir.Sub("file");
  std::unique_ptr<rocksdb::WritableFile> file;
  ASSERT_TRUE(env->NewWritableFile(path, &file, rocksdb::EnvOptions()).ok());
  ASSERT_TRUE(file->Append("before ").ok());
  ASSERT_TRUE(file->Sync().ok());

  faults.FailWrites(true);
  rocksdb::Status refused = file->Append("during ");
  EXPECT_TRUE(refused.IsNoSpace()) << refused.ToString();
  EXPECT_TRUE(file->Sync().IsNoSpace());
  std::unique_ptr<rocksdb::WritableFile> other;
  EXPECT_TRUE(
      env->NewWritableFile(dir.Sub("other"), &other, rocksdb::EnvOptions())
          .IsNoSpace());
  EXPECT_EQ(other, nullptr);
  EXPECT_EQ(faults.refused(), 3u);
  // Reads are unaffected.
  std::string contents;
  ASSERT_TRUE(rocksdb::ReadFileToString(env.get(), path, &contents).ok());
  EXPECT_EQ(contents, "before ");

  faults.FailWrites(false);
  ASSERT_TRUE(file->Append("after").ok());
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(rocksdb::ReadFileToString(env.get(), path, &contents).ok());
  EXPECT_EQ(contents, "before after");
  EXPECT_EQ(faults.refused(), 3u);
}

}  // namespace
}  // namespace collections::storage
