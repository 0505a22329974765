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

absl::Status MakeCaAt(const std::string& base, const std::string& name) {
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
  absl::Status status = MakeCaAt(ca, "collections test CA");
  if (status.ok())
    status = MakeCaAt(absl::StrCat(dir, "/rogue-ca"), "rogue CA");
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

absl::Status MakeCa(const TlsFiles& files, const std::string& name,
                    const std::string& common_name) {
  return MakeCaAt(absl::StrCat(files.dir, "/", name), common_name);
}

absl::Status IssueClient(const TlsFiles& files, const std::string& name,
                         const std::string& cn,
                         const std::string& subject_alt_names,
                         const std::string& ca) {
  return Issue(
      absl::StrCat(files.dir, "/", name), absl::StrCat("/CN=", cn),
      absl::StrCat(files.dir, "/", ca),
      subject_alt_names.empty()
          ? ""
          : absl::StrCat(" -addext 'subjectAltName=", subject_alt_names, "'"));
}

absl::Status WriteCrl(const TlsFiles& files, const std::string& ca,
                      const std::vector<std::string>& names,
                      const std::string& crl_dir) {
  const std::string base = absl::StrCat(files.dir, "/", ca);
  const std::string config = absl::StrCat(base, "-crl.cnf");
  {
    std::ofstream out(config);
    out << "[ ca ]\ndefault_ca = default\n[ default ]\n"
        << "database = " << base << "-index.txt\n"
        << "crlnumber = " << base << "-crlnumber\n"
        << "default_md = sha256\ndefault_crl_days = 2\n";
  }
  std::ofstream(absl::StrCat(base, "-index.txt"), std::ios::app);
  std::ofstream(absl::StrCat(base, "-crlnumber")) << "01\n";
  const std::string ca_args = absl::StrCat(" -config ", config, " -keyfile ",
                                           base, ".key -cert ", base, ".pem");
  for (const std::string& name : names) {
    absl::Status revoked = Run(absl::StrCat("openssl ca", ca_args, " -revoke ",
                                            files.dir, "/", name, ".pem"));
    if (!revoked.ok()) return revoked;
  }
  std::error_code error;
  std::filesystem::create_directories(crl_dir, error);
  const std::string crl = absl::StrCat(base, ".crl");
  absl::Status made =
      Run(absl::StrCat("openssl ca", ca_args, " -gencrl -out ", crl));
  if (!made.ok()) return made;
  // "<issuer hash>.r0", as `openssl rehash` names a CRL.
  return Run(absl::StrCat("cp ", crl, " ", crl_dir,
                          "/$(openssl crl -hash -noout -in ", crl, ").r0"));
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace collections::testing
