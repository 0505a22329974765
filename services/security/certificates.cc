#include "services/security/certificates.h"

#include <memory>

#include "openssl/pem.h"
#include "openssl/x509.h"

namespace collections::security {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Bio MemoryBio(absl::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

absl::StatusOr<bool> IssuedBy(absl::string_view certificate_pem,
                              absl::string_view ca_pem) {
  Bio leaf_bio = MemoryBio(certificate_pem);
  Cert leaf(leaf_bio == nullptr
                ? nullptr
                : PEM_read_bio_X509(leaf_bio.get(), nullptr, nullptr, nullptr));
  if (leaf == nullptr)
    return absl::InvalidArgumentError("the certificate is not PEM X.509");
  Bio ca_bio = MemoryBio(ca_pem);
  if (ca_bio == nullptr) return absl::InternalError("no memory");
  int read = 0;
  for (;;) {
    Cert ca(PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr));
    if (ca == nullptr) break;
    ++read;
    if (X509_NAME_cmp(X509_get_issuer_name(leaf.get()),
                      X509_get_subject_name(ca.get())) != 0) {
      continue;
    }
    EVP_PKEY* key = X509_get0_pubkey(ca.get());
    if (key != nullptr && X509_verify(leaf.get(), key) == 1) return true;
  }
  if (read == 0)
    return absl::InvalidArgumentError("the CA file holds no PEM certificate");
  return false;
}

}  // namespace collections::security
