#include "tools/cli/dossier.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "collections/v1/audit.grpc.pb.h"
#include "common/file_contents.h"
#include "common/money_format.h"
#include "common/sha256.h"
#include "common/time_conversion.h"
#include "services/audit/ed25519_keys.h"
#include "services/projections/event_summary.h"
#include "tools/cli/audit_commands.h"
#include "tools/cli/cli_output.h"

ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, public_key);

namespace collections::cli {
namespace {

namespace v1 = ::collections::v1;

// Text as HTML: the five characters that could end an element or an
// attribute, escaped.
std::string Html(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

std::string Utc(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", ToTime(time),
                          absl::UTCTimeZone());
}

std::string Day(const v1::LocalDate& date) {
  if (date.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string Money(const v1::Money& money) {
  if (money.currency().empty()) return "";
  return collections::FormatMoney(money.amount_minor(), money.currency());
}

constexpr char kStyle[] = R"(
body { font: 14px/1.45 Georgia, "Times New Roman", serif; color: #111;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #bbb; padding: .25em .45em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
code, .hash { font: 12px/1.3 "DejaVu Sans Mono", monospace;
              word-break: break-all; }
.verdict { font: bold 1.5em sans-serif; padding: .6em 1em; margin: 1em 0;
           border: 3px solid; }
.verified { color: #064; background: #e6f6ec; border-color: #064; }
.failed { color: #900; background: #fbe9e9; border-color: #900; }
.meta { color: #444; }
pre { background: #f4f4f4; padding: .6em; white-space: pre-wrap; }
)";

}  // namespace

std::string RenderDossier(const v1::EvidenceBundle& bundle,
                          const audit::VerificationReport& report,
                          const std::string& public_key_pem) {
  const bool verified = report.ok();
  std::string page = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Evidence dossier: ",
      Html(bundle.subject()), "</title><style>", kStyle,
      "</style></head><body>\n<h1>Evidence dossier: ", Html(bundle.subject()),
      "</h1>\n<p class=\"meta\">Rendered from evidence bundle format ",
      bundle.format(), ", created ", Html(Utc(bundle.created_at())), ", with ",
      bundle.events_size(), " events in ", bundle.streams_size(),
      " streams.</p>\n");

  // The verdict first: what a reader must know before reading on.
  absl::StrAppend(
      &page, "<div id=\"verdict\" class=\"verdict ",
      verified ? "verified\">VERIFIED" : "failed\">FAILED", "</div>\n<p>",
      verified
          ? "Every check held: the tree head's Ed25519 signature, every "
            "event's inclusion in the signed Merkle tree (RFC 9162), every "
            "record naming its own position, and every stream's hash chain "
            "from its first event to its last, without a gap."
          : "The bundle does NOT prove what it claims. The checks that "
            "failed are listed below; do not rely on the entries they name.",
      "</p>\n");
  if (!verified) {
    absl::StrAppend(&page, "<h2>Failed checks</h2>\n<ul class=\"failures\">\n");
    for (const std::string& failure : report.failures)
      absl::StrAppend(&page, "<li>", Html(failure), "</li>\n");
    absl::StrAppend(&page, "</ul>\n");
  }

  // The parties and the invoices, from the cases' opening and later lines.
  std::map<std::string, const v1::CaseOpened*> cases;
  std::vector<std::pair<std::string, const v1::ClaimLine*>> invoices;
  for (const v1::BundleEvent& item : bundle.events()) {
    const v1::EventPayload& payload = item.event().payload();
    if (payload.has_case_opened()) {
      cases[payload.case_opened().case_id()] = &payload.case_opened();
      for (const v1::ClaimLine& line : payload.case_opened().claim_lines())
        invoices.emplace_back(payload.case_opened().case_id(), &line);
    } else if (payload.has_claim_line_added()) {
      invoices.emplace_back(item.stream_id(),
                            &payload.claim_line_added().line());
    }
  }
  absl::StrAppend(&page,
                  "<h2>Parties</h2>\n<table><tr><th>case</th><th>creditor</th>"
                  "<th>debtor</th><th>kind</th><th>rule pack</th>"
                  "<th>jurisdiction</th></tr>\n");
  for (const auto& [case_id, opened] : cases) {
    absl::StrAppend(&page, "<tr><td>", Html(case_id), "</td><td>",
                    Html(opened->creditor_id()), "</td><td>",
                    Html(opened->debtor_id()), "</td><td>",
                    Html(v1::DebtorKind_Name(opened->debtor_kind())),
                    "</td><td>", Html(opened->rule_pack()), "</td><td>",
                    Html(opened->jurisdiction()), "</td></tr>\n");
  }
  absl::StrAppend(
      &page,
      "</table>\n<p class=\"meta\">Names and addresses are personal data and "
      "are sealed in the log; the dossier names the parties by their ids.</p>"
      "\n<h2>Invoices</h2>\n<table><tr><th>case</th><th>invoice</th>"
      "<th>issued</th><th>due</th><th>net</th><th>VAT</th><th>gross</th>"
      "</tr>\n");
  for (const auto& [case_id, line] : invoices) {
    absl::StrAppend(&page, "<tr><td>", Html(case_id), "</td><td>",
                    Html(line->invoice_number()), "</td><td>",
                    Day(line->issue_date()), "</td><td>", Day(line->due_date()),
                    "</td><td class=\"num\">", Html(Money(line->net())),
                    "</td><td class=\"num\">", Html(Money(line->vat())),
                    "</td><td class=\"num\">", Html(Money(line->gross())),
                    "</td></tr>\n");
  }

  // The timeline: every act in log order, with what proves it.
  absl::StrAppend(
      &page,
      "</table>\n<h2>Timeline</h2>\n<table><tr><th>position</th>"
      "<th>happened (business time)</th><th>recorded</th><th>act</th>"
      "<th>by</th><th>leaf hash (SHA-256)</th></tr>\n");
  for (const v1::BundleEvent& item : bundle.events()) {
    const bool withheld = !item.withheld_leaf_hash().empty();
    const std::string leaf = withheld ? Hex(item.withheld_leaf_hash())
                                      : Hex(AsBytes(LeafHash(item.record())));
    const v1::Event& event = item.event();
    absl::StrAppend(&page, "<tr><td class=\"num\">", item.position(),
                    "</td><td>", withheld ? "" : Html(Utc(event.occurred_at())),
                    "</td><td>", withheld ? "" : Html(Utc(event.recorded_at())),
                    "</td><td>",
                    withheld ? "(withheld from this reader)"
                             : Html(projections::SummarizeEvent(event)),
                    "<br><span class=\"meta\">", Html(item.stream_id()), " v",
                    item.stream_version(), "</span></td><td>",
                    withheld ? ""
                             : Html(absl::StrCat(event.actor().id(), " (",
                                                 event.actor().role(), ")")),
                    "</td><td class=\"hash\">", leaf, "</td></tr>\n");
  }

  // The signed head and the key, and how to check it all again.
  const v1::SignedTreeHead& head = bundle.head();
  absl::StrAppend(
      &page,
      "</table>\n<h2>Signed tree head</h2>\n<table>"
      "<tr><th>tree size</th><td>",
      head.tree_size(),
      " events</td></tr><tr><th>root hash</th><td class=\"hash\">",
      Hex(head.root_hash()), "</td></tr><tr><th>signed at</th><td>",
      Html(Utc(head.timestamp())),
      "</td></tr><tr><th>signature (Ed25519)</th><td class=\"hash\">",
      Hex(head.signature()),
      "</td></tr><tr><th>key fingerprint (SHA-256)</th><td class=\"hash\">",
      Html(head.key_fingerprint()), "</td></tr></table>\n",
      "<h2>How to verify this again</h2>\n<p>Keep the bundle file this page "
      "was made from, and check it with the server's public key (below; "
      "compare its fingerprint with one obtained independently):</p>\n"
      "<pre>collectionsctl public-key --out=collections-public.pem\n"
      "collectionsctl verify bundle BUNDLE_FILE "
      "--public_key=collections-public.pem\n"
      "# or, without a server: collections-verify bundle BUNDLE_FILE "
      "--public_key=collections-public.pem</pre>\n<p>The public key used "
      "for this verification:</p>\n<pre>",
      Html(public_key_pem), "</pre>\n<p class=\"meta\">", report.holds.size(),
      " checks held, ", report.failures.size(),
      " failed.</p>\n</body></html>\n");
  return page;
}

namespace {

// Verifies `bundle` with `pem`, writes the page to --out; the exit code.
int RenderTo(const v1::EvidenceBundle& bundle, const std::string& pem) {
  absl::StatusOr<audit::VerifyingKey> key = audit::VerifyingKey::FromPem(pem);
  if (!key.ok()) return UsageError(key.status().message());
  const audit::VerificationReport report =
      audit::VerifyEvidenceBundle(bundle, *key);
  const std::string out = absl::GetFlag(FLAGS_out);
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << RenderDossier(bundle, report, pem);
  file.close();
  if (!file) return UsageError(absl::StrCat("cannot write ", out));
  std::printf("%s: %s, %d events; written to %s\n", bundle.subject().c_str(),
              report.ok() ? "VERIFIED" : "FAILED", bundle.events_size(),
              out.c_str());
  return report.ok() ? kExitOk : kExitRefused;
}

}  // namespace

int Dossier(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& kind, const std::string& id) {
  const std::string out = absl::GetFlag(FLAGS_out);
  const std::string key_file = absl::GetFlag(FLAGS_public_key);
  if ((kind != "case" && kind != "debtor" && kind != "file") || id.empty() ||
      out.empty() || (kind == "file" && key_file.empty())) {
    return UsageError(
        "usage: collectionsctl dossier case|debtor ID --out=FILE.html "
        "[--public_key=KEY.pem] | dossier file BUNDLE --public_key=KEY.pem "
        "--out=FILE.html");
  }
  // The key: a trusted copy when given; else the server's (the page shows
  // its fingerprint, for the reader to compare).
  std::string pem;
  if (!key_file.empty() && !ReadFileContents(key_file, &pem))
    return UsageError(absl::StrCat("cannot read ", key_file));
  v1::EvidenceBundle bundle;
  if (kind == "file") {
    std::string bytes;
    if (!ReadFileContents(id, &bytes) || !bundle.ParseFromString(bytes))
      return UsageError(absl::StrCat(id, " is not an evidence bundle file"));
    return RenderTo(bundle, pem);
  }
  auto stub = v1::Audit::NewStub(channel);
  if (pem.empty()) {
    grpc::ClientContext context;
    v1::PublicKey key;
    grpc::Status status =
        stub->GetPublicKey(&context, v1::GetPublicKeyRequest(), &key);
    if (!status.ok()) return Fail(status);
    pem = key.pem();
  }
  grpc::Status status = FetchBundle(channel, kind, id, &bundle);
  if (!status.ok()) return Fail(status);
  return RenderTo(bundle, pem);
}

}  // namespace collections::cli
