#include "common/file_contents.h"

#include <fstream>
#include <sstream>

namespace collections {

bool ReadFileContents(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream contents;
  contents << in.rdbuf();
  *out = contents.str();
  return true;
}

}  // namespace collections
