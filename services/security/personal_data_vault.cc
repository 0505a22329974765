#include "services/security/personal_data_vault.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/secret_files.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "openssl/rand.h"
#include "services/observability/json_log.h"

namespace collections::security {
namespace {

namespace v1 = ::collections::v1;

// Key store layout: the current wrapped key, the generation counter (kept
// after erasure, so a new key never reuses an id) and deferred erasures.
std::string KeyEntry(const std::string& debtor) { return "k/" + debtor; }
std::string GenerationEntry(const std::string& debtor) { return "g/" + debtor; }
std::string DeferredEntry(const std::string& debtor) { return "d/" + debtor; }

std::string WrapData(const std::string& key_id) {
  return absl::StrCat("collections.v1.data-key\n", key_id);
}

// The wrapped form of `key` under `master`.
absl::StatusOr<v1::WrappedDataKey> Wrap(const std::string& master,
                                        const std::string& key_id,
                                        const std::string& key_bytes) {
  COLLECTIONS_ASSIGN_OR_RETURN(Sealed sealed,
                               AesGcmSeal(master, key_bytes, WrapData(key_id)));
  v1::WrappedDataKey wrapped;
  wrapped.set_key_id(key_id);
  wrapped.set_nonce(sealed.nonce);
  wrapped.set_wrapped(sealed.ciphertext);
  wrapped.set_master_key_id(MasterKeyId(master));
  return wrapped;
}

// The data key inside `wrapped`, opened with `master`; FAILED_PRECONDITION
// naming both ids when another master key wraps it.
absl::StatusOr<std::string> Unwrap(const std::string& master,
                                   const v1::WrappedDataKey& wrapped) {
  if (!wrapped.master_key_id().empty() &&
      wrapped.master_key_id() != MasterKeyId(master)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data key ", wrapped.key_id(),
                     " is wrapped by master key ", wrapped.master_key_id(),
                     ", not by the one loaded (", MasterKeyId(master),
                     "): start with that master key, or re-wrap the keys "
                     "(collectionsctl rewrap-keys)"));
  }
  return AesGcmOpen(master, wrapped.nonce(), wrapped.wrapped(),
                    WrapData(wrapped.key_id()));
}

absl::StatusOr<std::string> ParseHexKey(absl::string_view text,
                                        absl::string_view source) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() != 64 ||
      !std::all_of(text.begin(), text.end(), absl::ascii_isxdigit)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the master key from ", source, " is not 64 hex digits (32 bytes)"));
  }
  return absl::HexStringToBytes(text);
}

}  // namespace

std::string MasterKeyId(const std::string& master_key) {
  return ToHex(Sha256Of(
                   absl::StrCat("collections.v1.master-key-id\n", master_key)))
      .substr(0, 16);
}

absl::StatusOr<int> RewrapDataKeys(storage::KeyStore& store,
                                   const std::string& old_master,
                                   const std::string& new_master) {
  const std::string new_id = MasterKeyId(new_master);
  COLLECTIONS_ASSIGN_OR_RETURN(auto entries, store.Scan("k/"));
  int rewrapped = 0;
  for (const auto& [entry, value] : entries) {
    v1::WrappedDataKey wrapped;
    if (!wrapped.ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("the data key ", entry, " is unreadable"));
    }
    if (wrapped.master_key_id() == new_id) continue;  // done before
    COLLECTIONS_ASSIGN_OR_RETURN(std::string bytes,
                                 Unwrap(old_master, wrapped));
    COLLECTIONS_ASSIGN_OR_RETURN(v1::WrappedDataKey rewrapped_key,
                                 Wrap(new_master, wrapped.key_id(), bytes));
    COLLECTIONS_RETURN_IF_ERROR(
        store.Put(entry, rewrapped_key.SerializeAsString()));
    ++rewrapped;
  }
  return rewrapped;
}

absl::StatusOr<std::string> LoadMasterKey(const std::string& file,
                                          const std::string& data_dir) {
  if (const char* env = std::getenv("COLLECTIONS_MASTER_KEY")) {
    return ParseHexKey(env, "COLLECTIONS_MASTER_KEY");
  }
  const std::string path =
      file.empty() ? absl::StrCat(data_dir, "/master.key") : file;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                               ReadSecretFile(path, "master key"));
  if (stored.has_value()) return ParseHexKey(*stored, path);
  if (!file.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the master key file ", file));
  }
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1) {
    return absl::InternalError("no randomness for a master key");
  }
  absl::Status created = CreateSecretFile(
      path, absl::StrCat(absl::BytesToHexString(key), "\n"), "master key");
  if (absl::IsAlreadyExists(created)) {  // another process made it first
    COLLECTIONS_ASSIGN_OR_RETURN(stored, ReadSecretFile(path, "master key"));
    if (stored.has_value()) return ParseHexKey(*stored, path);
  }
  COLLECTIONS_RETURN_IF_ERROR(created);
  observability::JsonLog::Stderr()->Warning(
      "created the master key (keep it off the data volume in production: "
      "--master_key_file or COLLECTIONS_MASTER_KEY)",
      {{"path", path}});
  return key;
}

PersonalDataVault::PersonalDataVault(storage::KeyStore* store,
                                     std::string master_key,
                                     ErasureLedger* ledger)
    : store_(store), master_key_(std::move(master_key)), ledger_(ledger) {}

absl::StatusOr<std::optional<DataKey>> PersonalDataVault::LoadCurrent(
    const std::string& debtor_id) {
  // A key erased since the cache was filled (here or, in cluster mode, on
  // another node) must not be served from it.
  if (const uint64_t erasures = store_->erasures_seen();
      erasures != erasures_seen_) {
    cache_.clear();
    erasures_seen_ = erasures;
  }
  if (auto it = cache_.find(debtor_id); it != cache_.end()) return it->second;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                               store_->Get(KeyEntry(debtor_id)));
  if (!stored.has_value()) return std::nullopt;
  v1::WrappedDataKey wrapped;
  if (!wrapped.ParseFromString(*stored)) {
    return absl::DataLossError(
        absl::StrCat("the data key of debtor ", debtor_id, " is unreadable"));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(std::string bytes, Unwrap(master_key_, wrapped));
  DataKey key{wrapped.key_id(), std::move(bytes)};
  cache_[debtor_id] = key;
  return key;
}

absl::StatusOr<DataKey> PersonalDataVault::KeyFor(
    const std::string& debtor_id) {
  absl::MutexLock lock(&mu_);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<DataKey> current,
                               LoadCurrent(debtor_id));
  if (current.has_value()) return *current;
  // A new key: the next generation, stored (durably) before any event
  // sealed with it can be appended.
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> generation_text,
                               store_->Get(GenerationEntry(debtor_id)));
  uint64_t generation = 0;
  if (generation_text.has_value() &&
      !absl::SimpleAtoi(*generation_text, &generation)) {
    return absl::DataLossError("a key generation is unreadable");
  }
  ++generation;
  DataKey key{absl::StrCat(debtor_id, "#", generation), std::string(32, '\0')};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.bytes.data()), 32) != 1) {
    return absl::InternalError("no randomness for a data key");
  }
  COLLECTIONS_ASSIGN_OR_RETURN(v1::WrappedDataKey wrapped,
                               Wrap(master_key_, key.id, key.bytes));
  COLLECTIONS_RETURN_IF_ERROR(
      store_->Put(GenerationEntry(debtor_id), absl::StrCat(generation)));
  // Created only if no other writer (another node, in cluster mode) made
  // the debtor's key first; then that key is the debtor's, and used here.
  const std::string mine = wrapped.SerializeAsString();
  COLLECTIONS_ASSIGN_OR_RETURN(std::string stored,
                               store_->PutIfAbsent(KeyEntry(debtor_id), mine));
  if (stored != mine) {
    cache_.erase(debtor_id);
    COLLECTIONS_ASSIGN_OR_RETURN(current, LoadCurrent(debtor_id));
    if (!current.has_value()) {
      return absl::UnavailableError(
          absl::StrCat("the data key of debtor ", debtor_id,
                       " was made and erased elsewhere meanwhile; retry"));
    }
    return *current;
  }
  cache_[debtor_id] = key;
  return key;
}

absl::StatusOr<std::optional<DataKey>> PersonalDataVault::Find(
    const std::string& key_id) {
  const size_t hash = key_id.rfind('#');
  if (hash == std::string::npos) {
    return absl::DataLossError(absl::StrCat("bad data key id ", key_id));
  }
  absl::MutexLock lock(&mu_);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<DataKey> current,
                               LoadCurrent(key_id.substr(0, hash)));
  if (!current.has_value() || current->id != key_id) return std::nullopt;
  return current;
}

absl::Status PersonalDataVault::Seal(const std::string& debtor_id,
                                     const std::string& stream_id,
                                     uint64_t first_version,
                                     std::vector<v1::Event>& events) {
  // Looked up once, for the first event holding personal data: an append
  // without any creates no key for the debtor.
  std::optional<DataKey> key;
  auto key_for = [&]() -> absl::StatusOr<const DataKey*> {
    if (!key.has_value()) {
      COLLECTIONS_ASSIGN_OR_RETURN(key, KeyFor(debtor_id));
    }
    return &*key;
  };
  for (size_t i = 0; i < events.size(); ++i) {
    // An event sealed already is left as it is unless values were put in
    // beside its sealed ones (then SealPersonalData refuses it).
    if (events[i].has_sealed() && !HasPersonalData(events[i])) continue;
    COLLECTIONS_RETURN_IF_ERROR(
        SealPersonalData(events[i], stream_id, first_version + i, key_for));
  }
  return absl::OkStatus();
}

absl::Status PersonalDataVault::Reveal(v1::Event& event) {
  if (!event.has_sealed()) return absl::OkStatus();
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<DataKey> key,
                               Find(event.sealed().key_id()));
  if (!key.has_value()) {
    MarkPersonalDataErased(event);
    return absl::OkStatus();
  }
  return OpenPersonalData(event, *key);
}

absl::StatusOr<bool> PersonalDataVault::HasKey(const std::string& debtor_id) {
  absl::MutexLock lock(&mu_);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<DataKey> current,
                               LoadCurrent(debtor_id));
  return current.has_value();
}

absl::StatusOr<std::string> PersonalDataVault::Destroy(
    const std::string& debtor_id) {
  absl::MutexLock lock(&mu_);
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<DataKey> current,
                               LoadCurrent(debtor_id));
  cache_.erase(debtor_id);
  if (!current.has_value()) return std::string();
  if (ledger_ != nullptr)
    COLLECTIONS_RETURN_IF_ERROR(ledger_->Record(current->id));
  COLLECTIONS_RETURN_IF_ERROR(store_->Erase(KeyEntry(debtor_id)));
  return current->id;
}

absl::StatusOr<std::vector<std::string>> PersonalDataVault::EnforceLedger() {
  std::vector<std::string> destroyed_now;
  if (ledger_ == nullptr) return destroyed_now;
  absl::MutexLock lock(&mu_);
  for (const std::string& key_id : ledger_->DestroyedKeyIds()) {
    // "<debtor id>#<generation>"
    const size_t hash = key_id.rfind('#');
    uint64_t generation = 0;
    if (hash == std::string::npos || hash == 0 ||
        !absl::SimpleAtoi(absl::string_view(key_id).substr(hash + 1),
                          &generation)) {
      return absl::DataLossError(
          absl::StrCat("the erasure ledger ", ledger_->path(),
                       " names a key id not of "
                       "the form <debtor id>#<generation>: ",
                       key_id));
    }
    const std::string debtor_id = key_id.substr(0, hash);
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                                 store_->Get(KeyEntry(debtor_id)));
    if (stored.has_value()) {
      v1::WrappedDataKey wrapped;
      if (!wrapped.ParseFromString(*stored)) {
        return absl::DataLossError(absl::StrCat("the data key of debtor ",
                                                debtor_id, " is unreadable"));
      }
      uint64_t current_generation = 0;
      const size_t current_hash = wrapped.key_id().rfind('#');
      if (current_hash == std::string::npos ||
          !absl::SimpleAtoi(
              absl::string_view(wrapped.key_id()).substr(current_hash + 1),
              &current_generation)) {
        return absl::DataLossError(absl::StrCat(
            "the data key of debtor ", debtor_id, " has a malformed id"));
      }
      if (current_generation <= generation) {
        cache_.erase(debtor_id);
        COLLECTIONS_RETURN_IF_ERROR(store_->Erase(KeyEntry(debtor_id)));
        destroyed_now.push_back(wrapped.key_id());
      }
    }
    COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> generation_text,
                                 store_->Get(GenerationEntry(debtor_id)));
    uint64_t stored_generation = 0;
    if (generation_text.has_value() &&
        !absl::SimpleAtoi(*generation_text, &stored_generation)) {
      return absl::DataLossError("a key generation is unreadable");
    }
    if (stored_generation < generation) {
      COLLECTIONS_RETURN_IF_ERROR(
          store_->Put(GenerationEntry(debtor_id), absl::StrCat(generation)));
    }
  }
  return destroyed_now;
}

absl::StatusOr<bool> PersonalDataVault::WasErased(
    const std::string& debtor_id) {
  COLLECTIONS_ASSIGN_OR_RETURN(const bool has_key, HasKey(debtor_id));
  if (has_key) return false;
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> generation,
                               store_->Get(GenerationEntry(debtor_id)));
  return generation.has_value();
}

absl::StatusOr<std::optional<std::string>> PersonalDataVault::DerivedSecret(
    const std::string& debtor_id, absl::string_view label) {
  std::optional<DataKey> current;
  {
    absl::MutexLock lock(&mu_);
    COLLECTIONS_ASSIGN_OR_RETURN(current, LoadCurrent(debtor_id));
  }
  if (!current.has_value()) return std::nullopt;
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), current->bytes.data(),
           static_cast<int>(current->bytes.size()),
           reinterpret_cast<const unsigned char*>(label.data()), label.size(),
           reinterpret_cast<unsigned char*>(mac.data()), &size) == nullptr) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  mac.resize(size);
  return mac;
}

absl::Status PersonalDataVault::Defer(const v1::DeferredErasure& erasure) {
  return store_->Put(DeferredEntry(erasure.debtor_id()),
                     erasure.SerializeAsString());
}

absl::StatusOr<std::vector<v1::DeferredErasure>> PersonalDataVault::Deferred() {
  COLLECTIONS_ASSIGN_OR_RETURN(auto entries, store_->Scan("d/"));
  std::vector<v1::DeferredErasure> deferred;
  for (const auto& [key, value] : entries) {
    v1::DeferredErasure erasure;
    if (!erasure.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("unreadable entry ", key));
    }
    deferred.push_back(std::move(erasure));
  }
  return deferred;
}

absl::Status PersonalDataVault::ClearDeferred(const std::string& debtor_id) {
  return store_->Erase(DeferredEntry(debtor_id));
}

}  // namespace collections::security
