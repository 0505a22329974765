#include "storage/jetstream_key_store.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "nats/nats.h"
#include "storage/rocksdb_key_store.h"

namespace collections::storage {
namespace {

absl::Status Unavailable(absl::string_view what, natsStatus status) {
  // A timeout is what a partitioned minority sees: say so, as the log does.
  return absl::UnavailableError(absl::StrCat(
      "key store (JetStream): ", what, ": ",
      JetStreamLog::NatsErrorText(status),
      status == NATS_TIMEOUT
          ? " (no majority of the bucket's replicas answered; retry)"
          : ""));
}

bool AllowedInBucketKey(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '_' || c == '/';
}

class JetStreamKeyStore final : public KeyStore {
 public:
  JetStreamKeyStore(kvStore* kv, jsCtx* js, std::string bucket)
      : kv_(kv),
        js_(js),
        bucket_(std::move(bucket)),
        stream_(absl::StrCat("KV_", bucket_)) {
    watcher_thread_ = std::thread([this] { Watch(); });
  }
  ~JetStreamKeyStore() override {
    stopping_.store(true);
    watcher_thread_.join();
    kvStore_Destroy(kv_);
  }

  // Read from the bucket's stream leader (the stream API's last message of
  // the key's subject), not with the key-value get: libnats creates buckets
  // with direct get, which any replica may answer before it has the latest
  // write — another node's key would read as missing (erased) for a moment.
  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key) override {
    const std::string subject =
        absl::StrCat("$KV.", bucket_, ".", EscapeBucketKey(key));
    natsMsg* message = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s = js_GetLastMsg(&message, js_, stream_.c_str(),
                                 subject.c_str(), nullptr, &error);
    if (s == NATS_NOT_FOUND || error == JSNoMessageFoundErr)
      return std::nullopt;
    if (s != NATS_OK) return Unavailable("reading a key", s);
    const char* operation = nullptr;
    const bool removed =
        natsMsgHeader_Get(message, "KV-Operation", &operation) == NATS_OK &&
        operation != nullptr &&
        (std::string_view(operation) == "DEL" ||
         std::string_view(operation) == "PURGE");
    std::optional<std::string> value;
    if (!removed) {
      value.emplace(natsMsg_GetData(message),
                    static_cast<size_t>(natsMsg_GetDataLength(message)));
    }
    natsMsg_Destroy(message);
    return value;
  }

  absl::Status Put(absl::string_view key, absl::string_view value) override {
    const std::string escaped = EscapeBucketKey(key);
    natsStatus s = kvStore_Put(nullptr, kv_, escaped.c_str(), value.data(),
                               static_cast<int>(value.size()));
    if (s != NATS_OK) return Unavailable("writing a key", s);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> PutIfAbsent(absl::string_view key,
                                          absl::string_view value) override {
    const std::string escaped = EscapeBucketKey(key);
    // Two tries: a create that lost to another node's reads theirs; one
    // that lost to a purge in between (the key then absent) tries again.
    for (int attempt = 0; attempt < 2; ++attempt) {
      natsStatus s = kvStore_Create(nullptr, kv_, escaped.c_str(), value.data(),
                                    static_cast<int>(value.size()));
      if (s == NATS_OK) return std::string(value);
      COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                                   Get(key));
      if (existing.has_value()) return *std::move(existing);
      if (attempt == 1) return Unavailable("creating a key", s);
    }
    return absl::InternalError("unreachable");
  }

  absl::Status Erase(absl::string_view key) override {
    const std::string escaped = EscapeBucketKey(key);
    erasures_.fetch_add(1);  // before: a racing reader re-reads the store
    natsStatus s = kvStore_Purge(kv_, escaped.c_str(), nullptr);
    if (s != NATS_OK) return Unavailable("erasing a key", s);
    return absl::OkStatus();
  }

  uint64_t erasures_seen() const override { return erasures_.load(); }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) override {
    kvKeysList list{};
    natsStatus s = kvStore_Keys(&list, kv_, nullptr);
    std::vector<std::string> keys;
    if (s == NATS_OK) {
      for (int i = 0; i < list.Count; ++i) {
        std::string key = UnescapeBucketKey(list.Keys[i]);
        if (absl::StartsWith(key, prefix)) keys.push_back(std::move(key));
      }
      kvKeysList_Destroy(&list);
    } else if (s != NATS_NOT_FOUND) {  // an empty bucket
      return Unavailable("listing keys", s);
    }
    std::sort(keys.begin(), keys.end());
    std::vector<std::pair<std::string, std::string>> entries;
    for (std::string& key : keys) {
      COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> value, Get(key));
      if (value.has_value()) entries.emplace_back(std::move(key), *value);
    }
    return entries;
  }

  absl::Status Checkpoint(const std::string& dir) override {
    COLLECTIONS_ASSIGN_OR_RETURN(auto entries, Scan(""));
    COLLECTIONS_ASSIGN_OR_RETURN(std::unique_ptr<KeyStore> copy,
                                 OpenRocksDbKeyStore(dir));
    for (const auto& [key, value] : entries)
      COLLECTIONS_RETURN_IF_ERROR(copy->Put(key, value));
    return absl::OkStatus();
  }

 private:
  // Follows the bucket for purges and deletes (other nodes' erasures),
  // re-subscribing after errors, until the store closes.
  void Watch() {
    while (!stopping_.load()) {
      kvWatchOptions options;
      kvWatchOptions_Init(&options);
      options.MetaOnly = true;
      kvWatcher* watcher = nullptr;
      if (kvStore_WatchAll(&watcher, kv_, &options) != NATS_OK) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      bool initial = true;  // the bucket's state first, then changes
      while (!stopping_.load()) {
        kvEntry* entry = nullptr;
        natsStatus s = kvWatcher_Next(&entry, watcher, 200);
        if (s == NATS_TIMEOUT) continue;
        if (s != NATS_OK) break;
        if (entry == nullptr) {  // the initial state is delivered
          initial = false;
          continue;
        }
        const kvOperation op = kvEntry_Operation(entry);
        if (!initial && (op == kvOp_Purge || op == kvOp_Delete))
          erasures_.fetch_add(1);
        kvEntry_Destroy(entry);
      }
      kvWatcher_Destroy(watcher);
    }
  }

  kvStore* const kv_;
  jsCtx* const js_;           // the connection's, for leader reads
  const std::string bucket_;  // "COLLECTIONS_KEYS"
  const std::string stream_;  // its stream, "KV_COLLECTIONS_KEYS"
  std::atomic<uint64_t> erasures_{0};
  std::atomic<bool> stopping_{false};
  std::thread watcher_thread_;
};

}  // namespace

std::string EscapeBucketKey(absl::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (AllowedInBucketKey(c)) {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "=%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string UnescapeBucketKey(absl::string_view escaped) {
  std::string out;
  for (size_t i = 0; i < escaped.size(); ++i) {
    int value = 0;
    if (escaped[i] == '=' && i + 2 < escaped.size() &&
        absl::SimpleHexAtoi(escaped.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(escaped[i]);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<KeyStore>> OpenJetStreamKeyStore(
    JetStreamLog* nats, const JetStreamKeyStoreOptions& options) {
  const absl::Time give_up = absl::Now() + options.connect_timeout;
  kvStore* kv = nullptr;
  for (;;) {
    natsStatus s = js_KeyValue(&kv, nats->context(), options.bucket.c_str());
    if (s == NATS_NOT_FOUND) {
      kvConfig config;
      kvConfig_Init(&config);
      config.Bucket = options.bucket.c_str();
      config.History = 1;
      config.Replicas = options.replicas;
      config.StorageType = js_FileStorage;
      s = js_CreateKeyValue(&kv, nats->context(), &config);
    }
    if (s == NATS_OK) break;
    if (absl::Now() >= give_up) return Unavailable("binding the bucket", s);
    absl::SleepFor(absl::Milliseconds(500));
  }
  return std::unique_ptr<KeyStore>(
      new JetStreamKeyStore(kv, nats->context(), options.bucket));
}

}  // namespace collections::storage
