// JetStreamLog: the replicated, totally ordered log of cluster mode, on a
// NATS JetStream stream (Debian's nats-server, the C client libnats): the
// transport every collectionsd node publishes appends to and reads the log
// back from (a JetStreamTail; jetstream_replica.h applies it into the
// node's own log). deploy/CLUSTER.md is the design.
//
// One message is one append: the events of one Append call, serialized
// together, so a multi-event append stays atomic (JetStream has no atomic
// multi-message publish). Its subject is "<prefix><encoded stream id>", so
// JetStream's per-subject optimistic concurrency is our expected version:
//   - Publish states the sequence of the stream's last message as the
//     caller knows it (or that the stream has none); JetStream refuses the
//     publish when another append got there first: ABORTED, naming the
//     actual last sequence of the subject.
//   - The message id (Nats-Msg-Id) de-duplicates a retry within the
//     stream's duplicate window: the retry is answered with the original
//     sequence and `duplicate` set, and nothing is written. A retry of the
//     stream's last append that still carries its first expectation is
//     answered the same way. A retry of an older append, with an
//     expectation that no longer holds, is ABORTED like any stale append:
//     the caller finds its events among those it has applied.
//
// Availability: a publish is acknowledged only once a majority of the
// stream's replicas has it. Without a majority (a partitioned minority, two
// of three servers down) it fails with UNAVAILABLE after publish_timeout
// and nothing diverges. The client reconnects to any listed server.
//
// Thread safety: all methods may be called concurrently (the NATS
// connection is thread-safe).
#ifndef COLLECTIONS_STORAGE_JETSTREAM_LOG_H_
#define COLLECTIONS_STORAGE_JETSTREAM_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct __natsMsg;
typedef struct __natsMsg natsMsg;  // NOLINT: the C library's own name
struct __jsCtx;
typedef struct __jsCtx jsCtx;  // NOLINT: the C library's own name

namespace collections::storage {

struct JetStreamOptions {
  // nats://host:port of the cluster's servers (any subset reaches all).
  std::vector<std::string> servers;
  std::string stream = "COLLECTIONS";      // the JetStream stream's name
  std::string subject_prefix = "events.";  // + the encoded stream id
  int replicas = 3;                        // when the stream is created
  // How long a publish may wait for the majority's acknowledgement.
  absl::Duration publish_timeout = absl::Seconds(5);
  // Retries with the same message id within this window are de-duplicated
  // by JetStream itself (beyond it, by the event ids a node has applied).
  absl::Duration duplicate_window = absl::Minutes(2);

  // Transport security (deploy/CLUSTER.md, "Trust model"). With a CA file
  // the connection must be TLS, and the servers' certificates must chain to
  // it; a client certificate and key are sent when the servers ask.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // The user's nkey seed file ("SU…", nats_nkeys.h): the connection signs
  // the server's nonce with it; its public key is derived from it.
  std::string nkey_seed_file;
};

// What a publish expects of the event stream's last message.
struct SubjectExpectation {
  enum class Kind { kAny, kNone, kSequence };
  Kind kind = Kind::kAny;
  uint64_t sequence = 0;  // kSequence: the subject's last message sequence

  static SubjectExpectation Any() { return {Kind::kAny, 0}; }
  static SubjectExpectation None() { return {Kind::kNone, 0}; }
  static SubjectExpectation LastAt(uint64_t sequence) {
    return {Kind::kSequence, sequence};
  }
};

struct PublishAck {
  uint64_t sequence = 0;   // the message's stream sequence
  bool duplicate = false;  // a retry: the original's sequence, nothing new
};

struct JetStreamMessage {
  uint64_t sequence = 0;
  std::string stream_id;  // decoded from the subject
  std::string payload;
  std::string traceparent;  // the `traceparent` header; "" when none
};

class JetStreamLog;

// Reads the JetStream log in sequence order from a starting sequence, many
// messages per round trip, as they are published: a JetStream ordered
// consumer (ephemeral, no acknowledgements; the client library re-creates
// it when it misses a message or a heartbeat). Made by JetStreamLog::Tail.
//
// Thread safety: one caller at a time. The log must outlive the tail.
class JetStreamTail {
 public:
  ~JetStreamTail();
  JetStreamTail(const JetStreamTail&) = delete;
  JetStreamTail& operator=(const JetStreamTail&) = delete;

  // The next messages in order (at most `max_messages`, and no more once
  // they hold `max_bytes`), waiting up to `wait` for the first; empty when
  // none came. Messages delivered twice are skipped. UNAVAILABLE when the
  // consumer cannot be made or lost its place (a gap): the next call
  // subscribes again from the next sequence, so a caller just retries.
  absl::StatusOr<std::vector<JetStreamMessage>> Next(size_t max_messages,
                                                     size_t max_bytes,
                                                     absl::Duration wait);

  // The sequence the next message will have.
  uint64_t next_sequence() const { return next_; }

  // Drops the consumer: the next call subscribes again from
  // next_sequence(). For a caller that suspects it stalled.
  void Restart();

 private:
  friend class JetStreamLog;
  struct Subscription;
  JetStreamTail(JetStreamLog* log, uint64_t from_sequence);

  JetStreamLog* const log_;
  uint64_t next_;
  std::unique_ptr<Subscription> subscription_;
};

class JetStreamLog {
 public:
  // Connects to the servers and creates the stream when missing (with
  // `replicas` replicas, file storage, the duplicate window). UNAVAILABLE
  // when no server answers or the cluster cannot place the stream yet.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Connect(
      const JetStreamOptions& options);
  ~JetStreamLog();
  JetStreamLog(const JetStreamLog&) = delete;
  JetStreamLog& operator=(const JetStreamLog&) = delete;

  // Publishes one append of event stream `stream_id`. Errors:
  //   INVALID_ARGUMENT  empty stream id or message id;
  //   ABORTED           the expectation failed; the message names the
  //                     subject's actual last sequence, which
  //                     ActualLastSequence() reads back;
  //   UNAVAILABLE       no majority acknowledged it within publish_timeout
  //                     (it may still land: retry with the same message id).
  // `traceparent`, when not empty, goes as the message's `traceparent`
  // header (W3C Trace Context over NATS), so a consumer continues the trace
  // of the call that appended.
  absl::StatusOr<PublishAck> Publish(absl::string_view stream_id,
                                     absl::string_view payload,
                                     absl::string_view message_id,
                                     SubjectExpectation expected,
                                     absl::string_view traceparent = "");

  // The message at `sequence`; NOT_FOUND past the end.
  absl::StatusOr<JetStreamMessage> Read(uint64_t sequence);
  // The stream's last sequence (0 when empty).
  absl::StatusOr<uint64_t> LastSequence();
  // The sequence of event stream `stream_id`'s last message (0: none).
  absl::StatusOr<uint64_t> LastSubjectSequence(absl::string_view stream_id);

  // Reads the log in order from `from_sequence` (>= 1) on.
  std::unique_ptr<JetStreamTail> Tail(uint64_t from_sequence);

  // The subject a stream id publishes on, and back. Stream ids are
  // printable ASCII; '.', '*', '>' and '%' would break a NATS subject and
  // are percent-encoded.
  static std::string SubjectToken(absl::string_view stream_id);
  static std::optional<std::string> StreamIdOf(absl::string_view token);

  // The actual last sequence an ABORTED publish named; nullopt for other
  // statuses.
  static std::optional<uint64_t> ActualLastSequence(const absl::Status& status);

  // The connection's JetStream context, for other JetStream objects on the
  // same connection (jetstream_key_store.h). Valid while this log lives.
  jsCtx* context() const;

  // The client library's text for a status (an int: the C library's
  // natsStatus) and its last error on this thread, for error messages.
  static std::string NatsErrorText(int status);

 private:
  friend class JetStreamTail;
  struct Handles;
  JetStreamLog(const JetStreamOptions& options, std::unique_ptr<Handles> h);
  // A fetched message as a JetStreamMessage (DATA_LOSS for a subject
  // outside the log's prefix).
  absl::StatusOr<JetStreamMessage> Decode(natsMsg* message,
                                          uint64_t sequence) const;
  // Whether the message at `sequence` carries `message_id`.
  bool LastMessageIdIs(uint64_t sequence, const std::string& message_id);

  const JetStreamOptions options_;
  std::unique_ptr<Handles> handles_;
};

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_JETSTREAM_LOG_H_
