#include "tests/testing/x25519_keys.h"

#include "openssl/evp.h"
#include "openssl/pem.h"

namespace collections::testing {
namespace {

template <typename Write>
std::string Pem(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  write(bio);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

}  // namespace

KeyPairPem NewKeyPair(const char* algorithm) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm);
  KeyPairPem pair{Pem([key](BIO* bio) { PEM_write_bio_PUBKEY(bio, key); }),
                  Pem([key](BIO* bio) {
                    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0,
                                             nullptr, nullptr);
                  })};
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace collections::testing
