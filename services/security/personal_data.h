// Sealing the personal data of one event (proto/collections/v1/
// personal_data.proto): the values of the fields marked
// [(personal) = true] move into Event.sealed, encrypted with AES-256-GCM
// under the debtor's data key, bound by the associated data to the event's
// stream, version, type, key id and field paths — a sealed value cannot be
// replayed into another event. The fields themselves are left empty.
//
// Pure functions over one event, plus the AES-256-GCM primitive (OpenSSL
// EVP). Randomness: a fresh 96-bit nonce per seal (RAND_bytes).
#ifndef COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_H_
#define COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collections/v1/events.pb.h"

namespace collections::security {

// What an erased person's values read as.
inline constexpr char kErased[] = "[erased]";

struct DataKey {
  std::string id;     // "<debtor id>#<generation>"
  std::string bytes;  // 32 bytes
};

struct Sealed {
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // with the 16-byte tag appended
};
absl::StatusOr<Sealed> AesGcmSeal(absl::string_view key,
                                  absl::string_view plaintext,
                                  absl::string_view associated_data);
// With a nonce the caller guarantees is never used twice with `key` (a key
// used once, derived with its nonce: recipient_sealing.h).
absl::StatusOr<std::string> AesGcmSealWithNonce(
    absl::string_view key, absl::string_view nonce, absl::string_view plaintext,
    absl::string_view associated_data);
// DATA_LOSS when the key, nonce, ciphertext or associated data do not match.
absl::StatusOr<std::string> AesGcmOpen(absl::string_view key,
                                       absl::string_view nonce,
                                       absl::string_view ciphertext,
                                       absl::string_view associated_data);

// Whether any personal field of the payload holds a value.
bool HasPersonalData(const collections::v1::Event& event);

// Seals the event as it will be stored at `version` of `stream_id`. An
// event without personal values is left as it is. INVALID_ARGUMENT for an
// event sealed already.
absl::Status SealPersonalData(collections::v1::Event& event,
                              absl::string_view stream_id, uint64_t version,
                              const DataKey& key);
// The same, with the key asked for only once a personal value is found
// (one walk of the event instead of HasPersonalData's and then this one's).
// `key_for`'s error is returned as it is; its key must stay valid until
// this returns.
absl::Status SealPersonalData(
    collections::v1::Event& event, absl::string_view stream_id,
    uint64_t version,
    absl::FunctionRef<absl::StatusOr<const DataKey*>()> key_for);

// Puts the sealed values back and clears `sealed`. DATA_LOSS when they do
// not decrypt with `key` as this event's (tampered, or moved).
absl::Status OpenPersonalData(collections::v1::Event& event,
                              const DataKey& key);

// Sets each sealed field to kErased and clears `sealed`: the event as it
// reads once its key is destroyed.
void MarkPersonalDataErased(collections::v1::Event& event);

}  // namespace collections::security

#endif  // COLLECTIONS_SERVICES_SECURITY_PERSONAL_DATA_H_
