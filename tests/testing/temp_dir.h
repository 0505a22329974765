// TempDir: a fresh, empty directory per test, removed with everything in it
// when the object is destroyed. Under $TEST_TMPDIR when set, else the system
// temp directory.
#ifndef COLLECTIONS_TESTS_TESTING_TEMP_DIR_H_
#define COLLECTIONS_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace collections::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Whether any file below `dir` holds `bytes` (raw-bytes checks: what a
// store left on disk).
bool AnyFileHolds(const std::string& dir, const std::string& bytes);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_TEMP_DIR_H_
