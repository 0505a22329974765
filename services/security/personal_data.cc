#include "services/security/personal_data.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "collections/v1/personal_data.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "openssl/crypto.h"
#include "openssl/evp.h"
#include "openssl/rand.h"

namespace collections::security {
namespace {

namespace v1 = ::collections::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

// A sealing thread's context and the key it was last initialised with
// (wiped when the thread ends; EVP_CIPHER_CTX_free wipes the schedule).
struct KeyedCipherContext : CipherContext {
  unsigned char key[32] = {};
  bool keyed = false;
  ~KeyedCipherContext() { OPENSSL_cleanse(key, sizeof(key)); }
};

// AES-256-GCM, fetched from OpenSSL's default provider once: passing
// EVP_aes_256_gcm() to every init makes OpenSSL 3 look the implementation
// up again each time (a lock and a table search per sealed event).
const EVP_CIPHER* AesGcm() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched =
        EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched != nullptr ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

// A fresh random 96-bit nonce (NIST SP 800-38D §8.2.2, the RBG-based
// construction), taken from a per-thread block of OpenSSL's DRBG output:
// one RAND_bytes call per 341 nonces instead of one per sealed value (the
// call's fixed cost, not its bytes, showed in profiles of 100-event
// appends). The bytes are as random as single draws; the block is per
// thread and the server never forks, so no two seals share one.
bool RandomNonce(char* out) {
  thread_local unsigned char block[4092];  // 341 nonces
  thread_local size_t used = sizeof(block);
  if (used + kNonceBytes > sizeof(block)) {
    if (RAND_bytes(block, sizeof(block)) != 1) return false;
    used = 0;
  }
  std::memcpy(out, block + used, kNonceBytes);
  OPENSSL_cleanse(block + used, kNonceBytes);  // each nonce leaves once
  used += kNonceBytes;
  return true;
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// A personal value found in the payload: where, and what.
struct Found {
  std::string path;
  std::string value;
  Message* owner;
  const FieldDescriptor* field;
};

bool IsPersonal(const FieldDescriptor& field) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_STRING &&
         field.type() == FieldDescriptor::TYPE_STRING && !field.is_repeated() &&
         field.options().GetExtension(v1::personal);
}

// Which fields of a message type can lead to a personal value: its
// personal string fields and the message fields whose type may hold one
// anywhere below, in field-number order (the order sealed paths are listed
// in). Computed once for every type reachable from Event (to a fixed point,
// as types may nest each other), so the walks below visit only these —
// never the many subtrees that cannot hold personal data (amounts, dates,
// ids) — and need no reflection ListFields (an allocation and a sort per
// message), for they run on every event appended.
struct PersonalPlan;

struct PlannedField {
  const FieldDescriptor* field = nullptr;
  bool personal = false;  // a personal string field (else a message field)
  // The plan of the field's message type; null for a type outside Event's
  // reach (looked up per message then).
  const PersonalPlan* child = nullptr;
};

struct PersonalPlan {
  bool may_hold = false;
  // The generated type's reflection, so the walks need not ask every
  // message for it: GetReflection and GetDescriptor each pass protobuf's
  // descriptor-assignment check, which with a map lookup per message cost
  // ~4% of the server's CPU under 100-event writes. Null for a type
  // outside Event's reach (asked per message then).
  const Reflection* reflection = nullptr;
  std::vector<PlannedField> fields;
};

const PersonalPlan& PlanFor(const google::protobuf::Descriptor* type) {
  using google::protobuf::Descriptor;
  static const auto* const plans = [] {
    auto* result = new absl::flat_hash_map<const Descriptor*, PersonalPlan>();
    std::vector<const Descriptor*> pending = {v1::Event::descriptor()};
    while (!pending.empty()) {
      const Descriptor* next = pending.back();
      pending.pop_back();
      if (!result->try_emplace(next).second) continue;
      for (int i = 0; i < next->field_count(); ++i) {
        if (const Descriptor* child = next->field(i)->message_type())
          pending.push_back(child);
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (auto& [message, plan] : *result) {
        if (plan.may_hold) continue;
        for (int i = 0; i < message->field_count() && !plan.may_hold; ++i) {
          const FieldDescriptor* field = message->field(i);
          plan.may_hold = IsPersonal(*field) ||
                          (field->message_type() != nullptr &&
                           result->at(field->message_type()).may_hold);
        }
        changed = changed || plan.may_hold;
      }
    }
    // No insertion after this point: the child pointers into the map stay
    // valid.
    for (auto& [message, plan] : *result) {
      plan.reflection = google::protobuf::MessageFactory::generated_factory()
                            ->GetPrototype(message)
                            ->GetReflection();
      for (int i = 0; i < message->field_count(); ++i) {
        const FieldDescriptor* field = message->field(i);
        if (IsPersonal(*field)) {
          plan.fields.push_back({field, true, nullptr});
        } else if (field->message_type() != nullptr &&
                   result->at(field->message_type()).may_hold) {
          plan.fields.push_back(
              {field, false, &result->at(field->message_type())});
        }
      }
      std::sort(plan.fields.begin(), plan.fields.end(),
                [](const PlannedField& a, const PlannedField& b) {
                  return a.field->number() < b.field->number();
                });
    }
    return result;
  }();
  auto it = plans->find(type);
  if (it != plans->end()) return it->second;
  // A type not reachable from Event (no caller walks one today): looked
  // into whole, every string and message field, as the walks did before
  // they had plans — never skipped. Kept (the reference must outlive the
  // caller's walk, which may recurse into other such types).
  static absl::Mutex others_mu;
  static auto* const others =
      new absl::flat_hash_map<const Descriptor*,
                              std::unique_ptr<PersonalPlan>>();
  absl::MutexLock lock(&others_mu);
  std::unique_ptr<PersonalPlan>& other = (*others)[type];
  if (other == nullptr) {
    other = std::make_unique<PersonalPlan>();
    other->may_hold = true;
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (IsPersonal(*field)) {
        other->fields.push_back({field, true, nullptr});
      } else if (field->message_type() != nullptr) {
        other->fields.push_back({field, false, nullptr});
      }
    }
    std::sort(other->fields.begin(), other->fields.end(),
              [](const PlannedField& a, const PlannedField& b) {
                return a.field->number() < b.field->number();
              });
  }
  return *other;
}

const Reflection& ReflectionOf(const Message& message,
                               const PersonalPlan& plan) {
  return plan.reflection != nullptr ? *plan.reflection
                                    : *message.GetReflection();
}

const PersonalPlan& PlanOf(const PlannedField& planned, const Message& child) {
  return planned.child != nullptr ? *planned.child
                                  : PlanFor(child.GetDescriptor());
}

// Whether `field` of `message` holds anything (a set message or oneof
// member, a non-empty string, entries of a repeated field).
bool IsSet(const Message& message, const Reflection& reflection,
           const FieldDescriptor& field) {
  if (field.is_repeated()) return reflection.FieldSize(message, &field) > 0;
  if (field.cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    std::string scratch;
    return !reflection.GetStringReference(message, &field, &scratch).empty();
  }
  return reflection.HasField(message, &field);
}

// Which member of a oneof is set, asked once per oneof as a walk passes
// its members: EventPayload is one oneof of some sixty event types, and
// asking each planned member whether it is set (a HasField each) was most
// of sealing's walk. A oneof's members are usually consecutive in
// field-number order (EventPayload's are), so remembering the last oneof
// asked serves them all; members interleaved with another oneof's are
// asked again, never answered wrongly.
class OneofMember {
 public:
  // Whether `field` may be set: it is in no oneof, or it is its oneof's set
  // member (which IsSet still checks, as for any field: a set oneof string
  // may be empty).
  bool MayBeSet(const Message& message, const Reflection& reflection,
                const FieldDescriptor& field) {
    const google::protobuf::OneofDescriptor* oneof =
        field.real_containing_oneof();
    if (oneof == nullptr) return true;
    if (oneof != oneof_) {
      oneof_ = oneof;
      set_ = reflection.GetOneofFieldDescriptor(message, oneof);
    }
    return set_ == &field;
  }

 private:
  const google::protobuf::OneofDescriptor* oneof_ = nullptr;
  const FieldDescriptor* set_ = nullptr;
};

// Paths name fields from EventPayload down ("3.8"), or, with a leading
// "@", from the Event envelope down ("@13:0.2": the reason of the first
// rule override). kEnvelope is the path of the envelope itself.
constexpr char kEnvelope[] = "@";

std::string ChildPath(const std::string& path, int number) {
  if (path.empty()) return absl::StrCat(number);
  if (path == kEnvelope) return absl::StrCat(kEnvelope, number);
  return absl::StrCat(path, ".", number);
}

// Every set personal field below `message` (of the type `plan` is for),
// depth first in field order. Below the envelope, the payload (walked on
// its own, with payload paths) and the sealed values themselves are
// skipped.
void Collect(Message& message, const PersonalPlan& plan,
             const std::string& path, std::vector<Found>* out) {
  const Reflection& reflection = ReflectionOf(message, plan);
  OneofMember oneof;
  const bool envelope = path == kEnvelope;
  for (const PlannedField& planned : plan.fields) {
    const FieldDescriptor* field = planned.field;
    if (envelope && (field->number() == v1::Event::kPayloadFieldNumber ||
                     field->number() == v1::Event::kSealedFieldNumber)) {
      continue;
    }
    if (!oneof.MayBeSet(message, reflection, *field) ||
        !IsSet(message, reflection, *field)) {
      continue;
    }
    const std::string here = ChildPath(path, field->number());
    if (planned.personal) {
      out->push_back(
          {here, reflection.GetString(message, field), &message, field});
    } else if (field->is_repeated()) {
      for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
        Message& child = *reflection.MutableRepeatedMessage(&message, field, i);
        Collect(child, PlanOf(planned, child), absl::StrCat(here, ":", i), out);
      }
    } else {
      Message& child = *reflection.MutableMessage(&message, field);
      Collect(child, PlanOf(planned, child), here, out);
    }
  }
}

// Whether any personal field below `message` (of the type `plan` is for)
// holds a value (no copies: this runs for every event appended).
bool AnyPersonal(const Message& message, const PersonalPlan& plan) {
  const Reflection& reflection = ReflectionOf(message, plan);
  OneofMember oneof;
  for (const PlannedField& planned : plan.fields) {
    const FieldDescriptor* field = planned.field;
    if (!oneof.MayBeSet(message, reflection, *field) ||
        !IsSet(message, reflection, *field)) {
      continue;
    }
    if (planned.personal) return true;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
        const Message& child = reflection.GetRepeatedMessage(message, field, i);
        if (AnyPersonal(child, PlanOf(planned, child))) return true;
      }
    } else {
      const Message& child = reflection.GetMessage(message, field);
      if (AnyPersonal(child, PlanOf(planned, child))) return true;
    }
  }
  return false;
}

const PersonalPlan& EventPlan() {
  static const PersonalPlan& plan = PlanFor(v1::Event::descriptor());
  return plan;
}

const PersonalPlan& PayloadPlan() {
  static const PersonalPlan& plan = PlanFor(v1::EventPayload::descriptor());
  return plan;
}

// The string field at `path` in `event`, or nullptr when the path does not
// lead to a personal field.
std::pair<Message*, const FieldDescriptor*> Resolve(v1::Event& event,
                                                    absl::string_view path) {
  Message* current = event.mutable_payload();
  if (absl::ConsumePrefix(&path, kEnvelope)) current = &event;
  std::vector<absl::string_view> steps = absl::StrSplit(path, '.');
  for (size_t s = 0; s < steps.size(); ++s) {
    std::pair<absl::string_view, absl::string_view> step =
        absl::StrSplit(steps[s], absl::MaxSplits(':', 1));
    int number = 0, index = -1;
    if (!absl::SimpleAtoi(step.first, &number)) return {nullptr, nullptr};
    if (!step.second.empty() && !absl::SimpleAtoi(step.second, &index))
      return {nullptr, nullptr};
    const FieldDescriptor* field =
        current->GetDescriptor()->FindFieldByNumber(number);
    if (field == nullptr) return {nullptr, nullptr};
    const auto* reflection = current->GetReflection();
    if (s + 1 == steps.size()) {
      if (!IsPersonal(*field) || index >= 0) return {nullptr, nullptr};
      return {current, field};
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE)
      return {nullptr, nullptr};
    if (field->is_repeated()) {
      if (index < 0 || index >= reflection->FieldSize(*current, field))
        return {nullptr, nullptr};
      current = reflection->MutableRepeatedMessage(current, field, index);
    } else {
      current = reflection->MutableMessage(current, field);
    }
  }
  return {nullptr, nullptr};
}

std::string AssociatedData(
    absl::string_view stream_id, uint64_t version, absl::string_view type,
    absl::string_view key_id,
    const google::protobuf::RepeatedPtrField<std::string>& paths) {
  return absl::StrCat("collections.v1.personal\n", stream_id, "\n", version,
                      "\n", type, "\n", key_id, "\n",
                      absl::StrJoin(paths, ","));
}

}  // namespace

absl::StatusOr<std::string> AesGcmSealWithNonce(
    absl::string_view key, absl::string_view nonce, absl::string_view plaintext,
    absl::string_view associated_data) {
  if (key.size() != 32)
    return absl::InvalidArgumentError("the key is not 32 bytes");
  if (nonce.size() != kNonceBytes)
    return absl::InvalidArgumentError("the nonce is not 12 bytes");
  // One context per thread: allocating and freeing one per value cost as
  // much as the encryption of a short value. It keeps the key schedule of
  // the last key it sealed with: the events of one append, and often the
  // next appends of the same debtor, share a key, and expanding it again
  // for every value was a quarter of sealing's cost. A new key (compared
  // in constant time) re-initialises it; only the nonce is set otherwise.
  thread_local KeyedCipherContext c;
  const bool same_key =
      c.keyed && CRYPTO_memcmp(c.key, key.data(), sizeof(c.key)) == 0;
  int length = 0;
  std::string ciphertext(plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(ciphertext.data());
  c.keyed = false;  // until this value is sealed
  if (c.ctx == nullptr ||
      EVP_EncryptInit_ex(c.ctx, same_key ? nullptr : AesGcm(), nullptr,
                         same_key ? nullptr : Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(c.ctx, nullptr, &length, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(c.ctx, out, &length, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(c.ctx, out + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out + plaintext.size()) != 1) {
    return absl::InternalError("AES-256-GCM encryption failed");
  }
  if (!same_key) std::memcpy(c.key, key.data(), sizeof(c.key));
  c.keyed = true;
  return ciphertext;
}

absl::StatusOr<Sealed> AesGcmSeal(absl::string_view key,
                                  absl::string_view plaintext,
                                  absl::string_view associated_data) {
  Sealed sealed;
  sealed.nonce.resize(kNonceBytes);
  if (!RandomNonce(sealed.nonce.data())) {
    return absl::InternalError("no random nonce");
  }
  absl::StatusOr<std::string> ciphertext =
      AesGcmSealWithNonce(key, sealed.nonce, plaintext, associated_data);
  if (!ciphertext.ok()) return ciphertext.status();
  sealed.ciphertext = *std::move(ciphertext);
  return sealed;
}

absl::StatusOr<std::string> AesGcmOpen(absl::string_view key,
                                       absl::string_view nonce,
                                       absl::string_view ciphertext,
                                       absl::string_view associated_data) {
  if (key.size() != 32 || nonce.size() != kNonceBytes ||
      ciphertext.size() < kTagBytes) {
    return absl::DataLossError("a sealed value is malformed");
  }
  const size_t size = ciphertext.size() - kTagBytes;
  std::string plaintext(size, '\0');
  CipherContext c;
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  std::string tag(ciphertext.substr(size));
  if (c.ctx == nullptr ||
      EVP_DecryptInit_ex(c.ctx, AesGcm(), nullptr, Bytes(key), Bytes(nonce)) !=
          1 ||
      EVP_DecryptUpdate(c.ctx, nullptr, &length, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(c.ctx, out, &length, Bytes(ciphertext),
                        static_cast<int>(size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) !=
          1 ||
      EVP_DecryptFinal_ex(c.ctx, out + length, &length) != 1) {
    return absl::DataLossError(
        "a sealed value does not authenticate: tampered, or not this "
        "event's");
  }
  return plaintext;
}

bool HasPersonalData(const v1::Event& event) {
  // The whole event: payload and envelope (SealedPersonalData has no
  // personal fields, so a sealed event counts only what is left unsealed).
  return AnyPersonal(event, EventPlan());
}

absl::Status SealPersonalData(v1::Event& event, absl::string_view stream_id,
                              uint64_t version, const DataKey& key) {
  return SealPersonalData(
      event, stream_id, version,
      [&key]() -> absl::StatusOr<const DataKey*> { return &key; });
}

absl::Status SealPersonalData(
    v1::Event& event, absl::string_view stream_id, uint64_t version,
    absl::FunctionRef<absl::StatusOr<const DataKey*>()> key_for) {
  if (event.has_sealed()) {
    return absl::InvalidArgumentError("the event is sealed already");
  }
  std::vector<Found> found;
  Collect(*event.mutable_payload(), PayloadPlan(), "", &found);
  Collect(event, EventPlan(), kEnvelope, &found);
  if (found.empty()) return absl::OkStatus();
  absl::StatusOr<const DataKey*> found_key = key_for();
  if (!found_key.ok()) return found_key.status();
  const DataKey& key = **found_key;
  v1::SealedPersonalData sealed;
  sealed.set_key_id(key.id);
  v1::PersonalValues values;
  for (Found& f : found) {
    sealed.add_paths(f.path);
    values.add_values(std::move(f.value));
    f.owner->GetReflection()->ClearField(f.owner, f.field);
  }
  absl::StatusOr<Sealed> encrypted = AesGcmSeal(
      key.bytes, values.SerializeAsString(),
      AssociatedData(stream_id, version, event.type(), key.id, sealed.paths()));
  if (!encrypted.ok()) return encrypted.status();
  sealed.set_nonce(std::move(encrypted->nonce));
  sealed.set_ciphertext(std::move(encrypted->ciphertext));
  *event.mutable_sealed() = std::move(sealed);
  return absl::OkStatus();
}

absl::Status OpenPersonalData(v1::Event& event, const DataKey& key) {
  if (!event.has_sealed()) return absl::OkStatus();
  const v1::SealedPersonalData& sealed = event.sealed();
  absl::StatusOr<std::string> plaintext =
      AesGcmOpen(key.bytes, sealed.nonce(), sealed.ciphertext(),
                 AssociatedData(event.stream_id(), event.stream_version(),
                                event.type(), sealed.key_id(), sealed.paths()));
  if (!plaintext.ok()) {
    return absl::DataLossError(absl::StrCat("event at position ",
                                            event.global_position(), ": ",
                                            plaintext.status().message()));
  }
  v1::PersonalValues values;
  if (!values.ParseFromString(*plaintext) ||
      values.values_size() != sealed.paths_size()) {
    return absl::DataLossError(
        absl::StrCat("event at position ", event.global_position(),
                     ": its sealed values do not match their paths"));
  }
  for (int i = 0; i < sealed.paths_size(); ++i) {
    auto [owner, field] = Resolve(event, sealed.paths(i));
    if (owner == nullptr) {
      return absl::DataLossError(absl::StrCat(
          "event at position ", event.global_position(), ": sealed path ",
          sealed.paths(i), " is not a personal field"));
    }
    owner->GetReflection()->SetString(owner, field, values.values(i));
  }
  event.clear_sealed();
  return absl::OkStatus();
}

void MarkPersonalDataErased(v1::Event& event) {
  if (!event.has_sealed()) return;
  for (const std::string& path : event.sealed().paths()) {
    auto [owner, field] = Resolve(event, path);
    if (owner != nullptr)
      owner->GetReflection()->SetString(owner, field, kErased);
  }
  event.clear_sealed();
}

}  // namespace collections::security
