#include "services/security/identities.h"

#include <sys/stat.h>

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
      // A typed name must have a value; "spiffe://…" untyped stays as is.
      for (absl::string_view type : {"cn:", "dns:", "uri:", "email:"}) {
        if (absl::StartsWith(credential, type) &&
            credential.size() == type.size()) {
          return error(absl::StrCat("the ", type, " name is empty"));
        }
      }
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

absl::StatusOr<std::optional<Principal>> Identities::ForCertificate(
    const std::vector<std::string>& names) const {
  std::optional<Principal> found;
  std::string found_by;
  for (const std::string& name : names) {
    // The typed name, then its bare value (untyped lines).
    const size_t colon = name.find(':');
    for (const std::string& key :
         {name, colon == std::string::npos ? std::string()
                                           : name.substr(colon + 1)}) {
      if (key.empty()) continue;
      auto it = certs_.find(key);
      if (it == certs_.end()) continue;
      if (found.has_value() &&
          (found->id != it->second.id || found->role != it->second.role)) {
        return absl::UnauthenticatedError(absl::StrCat(
            "the client certificate matches two principals (", found->id,
            " by ", found_by, ", ", it->second.id, " by ", key,
            "): give each principal one typed name, e.g. uri:spiffe://…"));
      }
      found = it->second;
      found_by = key;
    }
  }
  return found;
}

std::optional<Principal> Identities::ForToken(absl::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = tokens_.find(ToHex(Sha256Of(token)));
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

WatchedIdentities::WatchedIdentities(Identities initial, std::string path,
                                     const Clock* clock,
                                     absl::Duration check_every,
                                     observability::JsonLog* log)
    : path_(std::move(path)),
      clock_(clock),
      check_every_(check_every),
      log_(log),
      current_(std::make_shared<const Identities>(std::move(initial))),
      stamp_(path_.empty() ? Stamp{} : StampOf(path_)),
      next_check_(clock_->Now() + check_every_) {}

WatchedIdentities::Stamp WatchedIdentities::StampOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return Stamp{};
  return Stamp{static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 +
                   info.st_mtim.tv_nsec,
               static_cast<int64_t>(info.st_size),
               static_cast<uint64_t>(info.st_ino)};
}

std::shared_ptr<const Identities> WatchedIdentities::Current() {
  absl::MutexLock lock(&mu_);
  if (path_.empty() || clock_->Now() < next_check_) return current_;
  next_check_ = clock_->Now() + check_every_;
  const Stamp stamp = StampOf(path_);
  if (stamp == stamp_) return current_;
  stamp_ = stamp;
  absl::StatusOr<Identities> reloaded = Identities::Load(path_);
  if (!reloaded.ok()) {
    log_->Warning(
        "the identities file changed but does not load: the previous "
        "identities stay in force",
        {{"file", path_}, {"error", std::string(reloaded.status().message())}});
    return current_;
  }
  current_ = std::make_shared<const Identities>(*std::move(reloaded));
  log_->Info("identities reloaded", {{"file", path_}});
  return current_;
}

}  // namespace collections::security
