#include "services/audit/cluster_node_keys.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace collections::audit {
namespace {

// Node ids as they may appear in a message and a key file: 1-128 of
// [A-Za-z0-9._-] (a pod or host name).
bool ValidNodeId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the cluster node keys file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::map<std::string, VerifyingKey>> ClusterNodeKeys::ParseKeys(
    absl::string_view text) {
  std::map<std::string, VerifyingKey> keys;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = line.substr(0, line.find('#'));
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 2 || !ValidNodeId(parts[0]) || parts[1].size() != 64) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node keys line ", number,
          ": expected \"<node id> <public key as 64 hex digits>\""));
    }
    std::string raw = absl::HexStringToBytes(parts[1]);
    if (absl::BytesToHexString(raw) != absl::AsciiStrToLower(parts[1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("node keys line ", number, ": the key is not hex"));
    }
    COLLECTIONS_ASSIGN_OR_RETURN(VerifyingKey key, VerifyingKey::FromRaw(raw));
    if (!keys.emplace(std::string(parts[0]), std::move(key)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node keys line ", number, ": node ", parts[0], " listed twice"));
    }
  }
  return keys;
}

std::string ClusterNodeKeys::KeyLine(absl::string_view node_id,
                                     const VerifyingKey& key) {
  return absl::StrCat(node_id, " ", absl::BytesToHexString(key.raw()));
}

absl::StatusOr<std::unique_ptr<ClusterNodeKeys>> ClusterNodeKeys::Load(
    const std::string& node_id, const std::string& node_key_file,
    const std::string& node_keys_file) {
  COLLECTIONS_ASSIGN_OR_RETURN(
      SigningKey own,
      SigningKey::LoadOrCreate(node_key_file, /*create_if_missing=*/true));
  COLLECTIONS_ASSIGN_OR_RETURN(std::string text, ReadFile(node_keys_file));
  absl::StatusOr<std::map<std::string, VerifyingKey>> cluster = ParseKeys(text);
  if (!cluster.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(node_keys_file, ": ", cluster.status().message()));
  }
  return FromKeys(node_id, std::move(own), *std::move(cluster));
}

absl::StatusOr<std::unique_ptr<ClusterNodeKeys>> ClusterNodeKeys::FromKeys(
    const std::string& node_id, SigningKey own,
    std::map<std::string, VerifyingKey> cluster) {
  if (!ValidNodeId(node_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster node id \"", node_id,
                     "\" must be 1-128 letters, digits, '.', '_' or '-'"));
  }
  return std::unique_ptr<ClusterNodeKeys>(
      new ClusterNodeKeys(node_id, std::move(own), std::move(cluster)));
}

ClusterNodeKeys::ClusterNodeKeys(std::string node_id, SigningKey own,
                                 std::map<std::string, VerifyingKey> cluster)
    : node_id_(std::move(node_id)),
      own_(std::move(own)),
      cluster_(cluster.begin(), cluster.end()) {}

std::string ClusterNodeKeys::Sign(absl::string_view payload) const {
  return own_.Sign(payload);
}

absl::Status ClusterNodeKeys::Verify(absl::string_view node_id,
                                     absl::string_view payload,
                                     absl::string_view signature) const {
  auto it = cluster_.find(node_id);
  if (it == cluster_.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("node \"", absl::CHexEscape(node_id.substr(0, 128)),
                     "\" is not one of the cluster's nodes"));
  }
  if (!it->second.Verify(payload, signature)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the signature is not node ", it->first, "'s"));
  }
  return absl::OkStatus();
}

}  // namespace collections::audit
