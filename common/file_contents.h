// Reading a whole file into memory, for the command-line tools (keys,
// evidence bundles, return files, placement packages).
//
//   ReadFileContents  true with the file's bytes in *out (binary, exactly
//                     as stored); false, *out untouched, when the file
//                     cannot be opened. The caller says what was wanted and
//                     why it matters. A read error after the open reads as
//                     the bytes read so far.
//
// Thread safety: no shared state.
#ifndef COLLECTIONS_COMMON_FILE_CONTENTS_H_
#define COLLECTIONS_COMMON_FILE_CONTENTS_H_

#include <string>

namespace collections {

bool ReadFileContents(const std::string& path, std::string* out);

}  // namespace collections

#endif  // COLLECTIONS_COMMON_FILE_CONTENTS_H_
