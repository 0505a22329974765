#include "services/security/identities.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/sha256.h"
#include "services/security/permissions.h"

namespace collections::security {

absl::StatusOr<Identities> Identities::Parse(absl::string_view text) {
  Identities identities;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto error = [number](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("identities line ", number, ": ", what));
    };
    if (fields.size() != 4) {
      return error("want: kind credential id role");
    }
    Principal principal{std::string(fields[2]), std::string(fields[3])};
    if (!IsKnownRole(principal.role)) {
      return error(absl::StrCat(
          "unknown role '", principal.role,
          "'; one of collector, agency:<id>, auditor, admin, service"));
    }
    std::string credential(fields[1]);
    absl::flat_hash_map<std::string, Principal>* table = nullptr;
    if (fields[0] == "cert") {
      table = &identities.certs_;
    } else if (fields[0] == "token") {
      if (!absl::ConsumePrefix(&fields[1], "sha256:") ||
          fields[1].size() != 64 ||
          !std::all_of(fields[1].begin(), fields[1].end(), [](char c) {
            return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
          })) {
        return error("a token is listed as sha256:<64 lower-case hex digits>");
      }
      credential = std::string(fields[1]);
      table = &identities.tokens_;
    } else {
      return error(
          absl::StrCat("unknown kind '", fields[0], "'; cert or token"));
    }
    if (!table->emplace(credential, std::move(principal)).second) {
      return error("this credential is listed already");
    }
  }
  return identities;
}

absl::StatusOr<Identities> Identities::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Identities> parsed = Parse(text.str());
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

std::optional<Principal> Identities::ForCertificate(
    const std::vector<std::string>& names) const {
  for (const std::string& name : names) {
    if (auto it = certs_.find(name); it != certs_.end()) return it->second;
  }
  return std::nullopt;
}

std::optional<Principal> Identities::ForToken(absl::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = tokens_.find(ToHex(Sha256Of(token)));
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

}  // namespace collections::security
