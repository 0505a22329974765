// X25519 key pairs for tests, as `openssl genpkey -algorithm X25519` makes
// them (an agency's key for sealed personal data), or of another algorithm
// to test refusals.
#ifndef COLLECTIONS_TESTS_TESTING_X25519_KEYS_H_
#define COLLECTIONS_TESTS_TESTING_X25519_KEYS_H_

#include <string>

namespace collections::testing {

struct KeyPairPem {
  std::string public_pem;   // "-----BEGIN PUBLIC KEY-----"
  std::string private_pem;  // "-----BEGIN PRIVATE KEY-----"
};

// A fresh key pair of `algorithm` (an OpenSSL name: "X25519", "ED25519").
KeyPairPem NewKeyPair(const char* algorithm = "X25519");

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_X25519_KEYS_H_
