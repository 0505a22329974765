#include "tests/testing/tls_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace collections::testing {
namespace {

absl::Status Run(const std::string& command) {
  const std::string quiet = absl::StrCat(command, " >/dev/null 2>&1");
  if (std::system(quiet.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

// A key and a CSR for `subject`, signed by `ca` into <base>.pem.
absl::Status Issue(const std::string& base, const std::string& subject,
                   const std::string& ca, const std::string& extensions) {
  absl::Status status = Run(absl::StrCat(
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout ",
      base, ".key -out ", base, ".csr -subj '", subject, "'", extensions));
  if (!status.ok()) return status;
  return Run(absl::StrCat("openssl x509 -req -in ", base, ".csr -CA ", ca,
                          ".pem -CAkey ", ca, ".key -CAcreateserial -out ",
                          base, ".pem -days 2 -copy_extensions copyall"));
}

absl::Status MakeCa(const std::string& base, const std::string& name) {
  return Run(absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout ",
      base, ".key -out ", base, ".pem -days 2 -subj '/CN=", name, "'"));
}

}  // namespace

std::string TlsFiles::ClientCert(const std::string& name) const {
  return absl::StrCat(dir, "/", name, ".pem");
}
std::string TlsFiles::ClientKey(const std::string& name) const {
  return absl::StrCat(dir, "/", name, ".key");
}

absl::StatusOr<TlsFiles> MakeTlsFiles(const std::string& dir,
                                      const std::vector<std::string>& clients) {
  TlsFiles files;
  files.dir = dir;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", dir));
  const std::string ca = absl::StrCat(dir, "/ca");
  absl::Status status = MakeCa(ca, "collections test CA");
  if (status.ok()) status = MakeCa(absl::StrCat(dir, "/rogue-ca"), "rogue CA");
  if (status.ok()) {
    status = Issue(absl::StrCat(dir, "/server"), "/CN=localhost", ca,
                   " -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1'");
  }
  for (const std::string& client : clients) {
    if (!status.ok()) break;
    status = Issue(absl::StrCat(dir, "/", client), absl::StrCat("/CN=", client),
                   ca, "");
  }
  if (status.ok()) {
    status = Issue(absl::StrCat(dir, "/rogue"), "/CN=rogue",
                   absl::StrCat(dir, "/rogue-ca"), "");
  }
  if (!status.ok()) return status;
  files.ca_cert = absl::StrCat(ca, ".pem");
  files.server_cert = absl::StrCat(dir, "/server.pem");
  files.server_key = absl::StrCat(dir, "/server.key");
  return files;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace collections::testing
