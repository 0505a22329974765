// Certificates for the TLS tests, made with the openssl command in a test's
// directory: a CA, a server certificate for localhost/127.0.0.1, client
// certificates signed by the CA, and one signed by a CA the server does
// not trust. EC P-256 keys, valid for two days.
#ifndef COLLECTIONS_TESTS_TESTING_TLS_FILES_H_
#define COLLECTIONS_TESTS_TESTING_TLS_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace collections::testing {

struct TlsFiles {
  std::string dir;
  std::string ca_cert;  // PEM file paths
  std::string server_cert, server_key;
  // "<dir>/<name>.pem" and "<dir>/<name>.key" for each client name.
  std::string ClientCert(const std::string& name) const;
  std::string ClientKey(const std::string& name) const;
};

// Client certificates with subject CN=<name> for each of `clients`, signed
// by the CA; "rogue" is signed by another CA.
absl::StatusOr<TlsFiles> MakeTlsFiles(const std::string& dir,
                                      const std::vector<std::string>& clients);

// Another CA, "<dir>/<name>.pem" and ".key".
absl::Status MakeCa(const TlsFiles& files, const std::string& name,
                    const std::string& common_name);

// A client certificate "<dir>/<name>.pem"/".key" with subject CN=<cn> and,
// when `subject_alt_names` is set, those SANs ("URI:spiffe://…,DNS:…"),
// issued by the CA "<dir>/<ca>.pem".
absl::Status IssueClient(const TlsFiles& files, const std::string& name,
                         const std::string& cn,
                         const std::string& subject_alt_names,
                         const std::string& ca = "ca");

// Revokes the certificates `names` of the CA "<dir>/<ca>.pem" and writes
// its CRL into `crl_dir` as "<issuer hash>.r0" (the layout gRPC's
// crl_directory reads). An empty `names` writes a CRL revoking nothing.
absl::Status WriteCrl(const TlsFiles& files, const std::string& ca,
                      const std::vector<std::string>& names,
                      const std::string& crl_dir);

// The contents of a file ("" when unreadable).
std::string ReadText(const std::string& path);

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_TLS_FILES_H_
