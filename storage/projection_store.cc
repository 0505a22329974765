#include "storage/projection_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace collections::storage {

absl::Status ValidateProjectionName(absl::string_view projection) {
  if (projection.empty() || projection.size() > 100) {
    return absl::InvalidArgumentError("a projection name is 1..100 characters");
  }
  for (char c : projection) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.' && c != '@' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "projection name \"", projection,
          "\" may contain only letters, digits, '_', '.', '@' and '-'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace collections::storage
