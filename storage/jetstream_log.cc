#include "storage/jetstream_log.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nats/nats.h"
#include "storage/nats_nkeys.h"

namespace collections::storage {
namespace {

constexpr char kWrongLastSequence[] = "wrong last sequence: ";

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

// The client library's last error text for `status`, for messages.
std::string NatsError(natsStatus status) {
  const char* text = nats_GetLastError(nullptr);
  return absl::StrCat(natsStatus_GetText(status),
                      text != nullptr && *text != '\0' ? ": " : "",
                      text != nullptr ? text : "");
}

}  // namespace

struct JetStreamLog::Handles {
  natsOptions* options = nullptr;
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  ~Handles() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (connection != nullptr) natsConnection_Destroy(connection);
    if (options != nullptr) natsOptions_Destroy(options);
  }
};

JetStreamLog::JetStreamLog(const JetStreamOptions& options,
                           std::unique_ptr<Handles> handles)
    : options_(options), handles_(std::move(handles)) {}

JetStreamLog::~JetStreamLog() = default;

jsCtx* JetStreamLog::context() const { return handles_->js; }

std::string JetStreamLog::NatsErrorText(int status) {
  return NatsError(static_cast<natsStatus>(status));
}

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Connect(
    const JetStreamOptions& options) {
  if (options.servers.empty() || options.stream.empty() ||
      options.replicas < 1) {
    return absl::InvalidArgumentError(
        "JetStream: give at least one server, a stream name and replicas");
  }
  auto handles = std::make_unique<Handles>();
  std::vector<const char*> urls;
  for (const std::string& url : options.servers) urls.push_back(url.c_str());
  natsStatus s = natsOptions_Create(&handles->options);
  if (s == NATS_OK) {
    s = natsOptions_SetServers(handles->options, urls.data(),
                               static_cast<int>(urls.size()));
  }
  // Reconnect forever, quickly: a server going away is routine in a
  // cluster; publishes in the gap fail with UNAVAILABLE and are retried.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(handles->options, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(handles->options, 100);
  if (s == NATS_OK) s = natsOptions_SetTimeout(handles->options, 2000);
  if (s != NATS_OK) return absl::InternalError(NatsError(s));
  if (!options.tls_ca_file.empty()) {
    s = natsOptions_SetSecure(handles->options, true);
    if (s == NATS_OK) {
      s = natsOptions_LoadCATrustedCertificates(handles->options,
                                                options.tls_ca_file.c_str());
    }
    if (s == NATS_OK && !options.tls_cert_file.empty()) {
      s = natsOptions_LoadCertificatesChain(handles->options,
                                            options.tls_cert_file.c_str(),
                                            options.tls_key_file.c_str());
    }
    if (s != NATS_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("JetStream: the TLS files (", options.tls_ca_file, ", ",
                       options.tls_cert_file, "): ", NatsError(s)));
    }
  }
  if (!options.nkey_seed_file.empty()) {
    std::ifstream in(options.nkey_seed_file);
    std::stringstream seed;
    seed << in.rdbuf();
    absl::StatusOr<std::string> user = NatsUserPublicKeyOfSeed(seed.str());
    if (!in || !user.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "JetStream: ", options.nkey_seed_file, " is not a NATS user seed",
          user.ok() ? "" : absl::StrCat(" (", user.status().message(), ")")));
    }
    s = natsOptions_SetNKeyFromSeed(handles->options, user->c_str(),
                                    options.nkey_seed_file.c_str());
    if (s != NATS_OK) return absl::InternalError(NatsError(s));
  }
  s = natsConnection_Connect(&handles->connection, handles->options);
  if (s != NATS_OK) {
    return absl::UnavailableError(absl::StrCat("JetStream: cannot connect to ",
                                               options.servers.front(),
                                               "…: ", NatsError(s)));
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = Millis(options.publish_timeout);
  s = natsConnection_JetStream(&handles->js, handles->connection, &js_options);
  if (s != NATS_OK) return absl::UnavailableError(NatsError(s));

  // The stream, created on first use.
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  s = js_GetStreamInfo(&info, handles->js, options.stream.c_str(), nullptr,
                       &error);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
  } else if (error == JSStreamNotFoundErr || s == NATS_NOT_FOUND) {
    const std::string subjects = absl::StrCat(options.subject_prefix, ">");
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options.stream.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = options.replicas;
    config.Duplicates = absl::ToInt64Nanoseconds(options.duplicate_window);
    error = static_cast<jsErrCode>(0);
    s = js_AddStream(&info, handles->js, &config, nullptr, &error);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(info);
    } else if (error != JSStreamNameExistErr) {  // another node made it
      return absl::UnavailableError(
          absl::StrCat("JetStream: cannot create stream ", options.stream, " (",
                       options.replicas, " replicas): ", NatsError(s)));
    }
  } else {
    return absl::UnavailableError(
        absl::StrCat("JetStream: cannot look up stream ", options.stream, ": ",
                     NatsError(s)));
  }
  // A stream just created (by this node or another at the same moment)
  // answers no publish until its replicas have elected a leader.
  const absl::Time deadline = absl::Now() + options.publish_timeout;
  for (;;) {
    info = nullptr;
    error = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&info, handles->js, options.stream.c_str(), nullptr,
                         &error);
    bool led = false;
    if (s == NATS_OK) {
      led = info->Cluster == nullptr ||  // a single server: no election
            (info->Cluster->Leader != nullptr && *info->Cluster->Leader != 0);
      jsStreamInfo_Destroy(info);
    }
    if (led) break;
    if (absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat(
          "JetStream: stream ", options.stream,
          " has no leader yet (its servers are still electing one)"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return std::unique_ptr<JetStreamLog>(
      new JetStreamLog(options, std::move(handles)));
}

absl::StatusOr<PublishAck> JetStreamLog::Publish(
    absl::string_view stream_id, absl::string_view payload,
    absl::string_view message_id, SubjectExpectation expected,
    absl::string_view traceparent) {
  if (stream_id.empty() || message_id.empty()) {
    return absl::InvalidArgumentError(
        "JetStream publish: stream id and message id are required");
  }
  const std::string subject =
      absl::StrCat(options_.subject_prefix, SubjectToken(stream_id));
  natsMsg* message = nullptr;
  natsStatus s =
      natsMsg_Create(&message, subject.c_str(), nullptr, payload.data(),
                     static_cast<int>(payload.size()));
  if (s != NATS_OK) return absl::InternalError(NatsError(s));
  const std::string id(message_id);
  s = natsMsgHeader_Set(message, "Nats-Msg-Id", id.c_str());
  // Set by hand rather than through jsPubOptions, where 0 means "no
  // expectation": here 0 means "the subject has no message yet".
  if (s == NATS_OK && expected.kind != SubjectExpectation::Kind::kAny) {
    const std::string sequence = absl::StrCat(
        expected.kind == SubjectExpectation::Kind::kNone ? 0
                                                         : expected.sequence);
    s = natsMsgHeader_Set(message, "Nats-Expected-Last-Subject-Sequence",
                          sequence.c_str());
  }
  if (s == NATS_OK && !traceparent.empty()) {
    s = natsMsgHeader_Set(message, "traceparent",
                          std::string(traceparent).c_str());
  }
  if (s != NATS_OK) {
    natsMsg_Destroy(message);
    return absl::InternalError(NatsError(s));
  }
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.MaxWait = Millis(options_.publish_timeout);
  jsPubAck* ack = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, handles_->js, message, &publish, &error);
  natsMsg_Destroy(message);
  if (s == NATS_OK) {
    PublishAck result{ack->Sequence, ack->Duplicate};
    jsPubAck_Destroy(ack);
    return result;
  }
  if (error == JSStreamWrongLastSequenceErr) {
    // The server's text is "wrong last sequence: N".
    const std::string text = NatsError(s);
    const size_t at = text.find(kWrongLastSequence);
    uint64_t actual = 0;
    if (at != std::string::npos) {
      const char* digits = text.c_str() + at + sizeof(kWrongLastSequence) - 1;
      actual = std::strtoull(digits, nullptr, 10);
    }
    // JetStream checks the expectation before the message id: a retry of
    // the stream's last append, sent with the expectation it first had,
    // lands here. Its message is the subject's last one: answer as a
    // duplicate. (A retry of an older append is found by the caller in the
    // event ids it has applied, as in single-node mode.)
    if (actual > 0 && LastMessageIdIs(actual, id))
      return PublishAck{actual, true};
    return absl::AbortedError(absl::StrCat(
        "stream ", stream_id, " moved on: ", kWrongLastSequence, actual));
  }
  return absl::UnavailableError(
      absl::StrCat("JetStream publish to ", options_.stream,
                   " was not acknowledged by a "
                   "majority (",
                   NatsError(s), "); retry with the same message id"));
}

bool JetStreamLog::LastMessageIdIs(uint64_t sequence,
                                   const std::string& message_id) {
  natsMsg* message = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  if (js_GetMsg(&message, handles_->js, options_.stream.c_str(), sequence,
                nullptr, &error) != NATS_OK) {
    return false;
  }
  const char* id = nullptr;
  const bool same = natsMsgHeader_Get(message, "Nats-Msg-Id", &id) == NATS_OK &&
                    id != nullptr && message_id == id;
  natsMsg_Destroy(message);
  return same;
}

absl::StatusOr<JetStreamMessage> JetStreamLog::Decode(natsMsg* message,
                                                      uint64_t sequence) const {
  JetStreamMessage result;
  result.sequence = sequence;
  absl::string_view subject = natsMsg_GetSubject(message);
  if (absl::ConsumePrefix(&subject, options_.subject_prefix)) {
    result.stream_id = StreamIdOf(subject).value_or("");
  }
  if (result.stream_id.empty()) {
    return absl::DataLossError(
        absl::StrCat("message ", sequence, " has an unreadable subject"));
  }
  result.payload.assign(natsMsg_GetData(message),
                        static_cast<size_t>(natsMsg_GetDataLength(message)));
  const char* traceparent = nullptr;
  if (natsMsgHeader_Get(message, "traceparent", &traceparent) == NATS_OK &&
      traceparent != nullptr) {
    result.traceparent = traceparent;
  }
  return result;
}

absl::StatusOr<JetStreamMessage> JetStreamLog::Read(uint64_t sequence) {
  natsMsg* message = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetMsg(&message, handles_->js, options_.stream.c_str(),
                           sequence, nullptr, &error);
  if (s == NATS_NOT_FOUND || error == JSNoMessageFoundErr) {
    return absl::NotFoundError(
        absl::StrCat("no message at sequence ", sequence));
  }
  if (s != NATS_OK) return absl::UnavailableError(NatsError(s));
  absl::StatusOr<JetStreamMessage> result = Decode(message, sequence);
  natsMsg_Destroy(message);
  return result;
}

// --- JetStreamTail ---

struct JetStreamTail::Subscription {
  natsSubscription* sub = nullptr;
  ~Subscription() {
    // Destroy alone, no Unsubscribe first: Unsubscribe deletes the ordered
    // consumer through jsSub_deleteConsumer, which (libnats 3.4) reads the
    // consumer's name after letting go of the subscription's lock, while
    // the library's own thread may be re-creating the consumer (a missed
    // heartbeat) and freeing that name: a use after free that
    // AddressSanitizer caught in JetStreamLogTest. Destroy drops the
    // subscription's interest without deleting the consumer; the server
    // removes an ephemeral consumer with no interest by itself.
    if (sub != nullptr) natsSubscription_Destroy(sub);
  }
};

JetStreamTail::JetStreamTail(JetStreamLog* log, uint64_t from_sequence)
    : log_(log), next_(std::max<uint64_t>(1, from_sequence)) {}

JetStreamTail::~JetStreamTail() = default;

std::unique_ptr<JetStreamTail> JetStreamLog::Tail(uint64_t from_sequence) {
  return std::unique_ptr<JetStreamTail>(new JetStreamTail(this, from_sequence));
}

void JetStreamTail::Restart() { subscription_.reset(); }

absl::StatusOr<std::vector<JetStreamMessage>> JetStreamTail::Next(
    size_t max_messages, size_t max_bytes, absl::Duration wait) {
  const JetStreamOptions& options = log_->options_;
  if (subscription_ == nullptr) {
    auto subscription = std::make_unique<Subscription>();
    const std::string subject = absl::StrCat(options.subject_prefix, ">");
    jsSubOptions sub_options;
    jsSubOptions_Init(&sub_options);
    sub_options.Stream = options.stream.c_str();
    sub_options.Ordered = true;
    sub_options.Config.DeliverPolicy = js_DeliverByStartSequence;
    sub_options.Config.OptStartSeq = next_;
    // Missed heartbeats make the library re-create the consumer; a short
    // interval keeps a tail on a lost server from stalling long.
    sub_options.Config.Heartbeat = absl::ToInt64Nanoseconds(absl::Seconds(1));
    jsErrCode error = static_cast<jsErrCode>(0);
    natsStatus s =
        js_SubscribeSync(&subscription->sub, log_->handles_->js,
                         subject.c_str(), nullptr, &sub_options, &error);
    if (s != NATS_OK) {
      subscription->sub = nullptr;
      return absl::UnavailableError(absl::StrCat("JetStream: cannot read ",
                                                 options.stream, " from ",
                                                 next_, ": ", NatsError(s)));
    }
    subscription_ = std::move(subscription);
  }
  std::vector<JetStreamMessage> messages;
  size_t bytes = 0;
  int64_t wait_ms = std::max<int64_t>(1, Millis(wait));
  while (messages.size() < max_messages && bytes < max_bytes) {
    natsMsg* message = nullptr;
    natsStatus s =
        natsSubscription_NextMsg(&message, subscription_->sub, wait_ms);
    if (s == NATS_TIMEOUT) break;
    if (s != NATS_OK) {
      subscription_.reset();
      if (!messages.empty()) break;  // hand over what came first
      return absl::UnavailableError(absl::StrCat("JetStream: reading ",
                                                 options.stream, " stopped at ",
                                                 next_, ": ", NatsError(s)));
    }
    jsMsgMetaData* meta = nullptr;
    uint64_t sequence = 0;
    if (natsMsg_GetMetaData(&meta, message) == NATS_OK) {
      sequence = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    if (sequence != 0 && sequence < next_) {  // delivered twice
      natsMsg_Destroy(message);
      continue;
    }
    if (sequence != next_) {
      // A gap (or no metadata): the consumer lost its place. Start again
      // from the next sequence rather than skip anything.
      natsMsg_Destroy(message);
      subscription_.reset();
      if (!messages.empty()) break;
      return absl::UnavailableError(absl::StrCat(
          "JetStream: expected message ", next_, " of ", options.stream,
          ", got ", sequence, "; reading again from ", next_));
    }
    absl::StatusOr<JetStreamMessage> decoded = log_->Decode(message, sequence);
    natsMsg_Destroy(message);
    if (!decoded.ok()) {
      subscription_.reset();  // so the next call reads the bad one again
      if (!messages.empty()) break;
      return decoded.status();
    }
    bytes += decoded->payload.size();
    messages.push_back(*std::move(decoded));
    ++next_;
    // After the first, take only what has arrived already.
    int pending = 0;
    int pending_bytes = 0;
    if (natsSubscription_GetPending(subscription_->sub, &pending,
                                    &pending_bytes) != NATS_OK ||
        pending <= 0) {
      break;
    }
    wait_ms = 1;
  }
  return messages;
}

absl::StatusOr<uint64_t> JetStreamLog::LastSequence() {
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, handles_->js, options_.stream.c_str(),
                                  nullptr, &error);
  if (s != NATS_OK) return absl::UnavailableError(NatsError(s));
  const uint64_t last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  return last;
}

absl::StatusOr<uint64_t> JetStreamLog::LastSubjectSequence(
    absl::string_view stream_id) {
  const std::string subject =
      absl::StrCat(options_.subject_prefix, SubjectToken(stream_id));
  natsMsg* message = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&message, handles_->js, options_.stream.c_str(),
                               subject.c_str(), nullptr, &error);
  if (s == NATS_NOT_FOUND || error == JSNoMessageFoundErr) return 0;
  if (s != NATS_OK) return absl::UnavailableError(NatsError(s));
  const uint64_t sequence = natsMsg_GetSequence(message);
  natsMsg_Destroy(message);
  return sequence;
}

std::string JetStreamLog::SubjectToken(absl::string_view stream_id) {
  std::string token;
  for (char c : stream_id) {
    if (c == '.' || c == '*' || c == '>' || c == '%') {
      absl::StrAppendFormat(&token, "%%%02X", static_cast<unsigned char>(c));
    } else {
      token.push_back(c);
    }
  }
  return token;
}

std::optional<std::string> JetStreamLog::StreamIdOf(absl::string_view token) {
  std::string id;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      id.push_back(token[i]);
      continue;
    }
    int value = 0;
    if (i + 3 > token.size() ||
        !absl::SimpleHexAtoi(token.substr(i + 1, 2), &value)) {
      return std::nullopt;
    }
    id.push_back(static_cast<char>(value));
    i += 2;
  }
  if (id.empty()) return std::nullopt;
  return id;
}

std::optional<uint64_t> JetStreamLog::ActualLastSequence(
    const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAborted) return std::nullopt;
  const size_t at = status.message().find(kWrongLastSequence);
  if (at == absl::string_view::npos) return std::nullopt;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(
          status.message().substr(at + sizeof(kWrongLastSequence) - 1),
          &value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace collections::storage
