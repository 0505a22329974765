// The evidence dossier: an evidence bundle rendered as one self-contained
// HTML page a person can read, print and file (issue 29 point 4) — the
// parties, the invoices, the timeline of every act with its log position
// and leaf hash, the signed tree head, the result of verifying the bundle
// with the server's public key (VERIFIED, or FAILED with each failed
// check), and how to verify it again.
//
// The page is rendered from the bundle and the verification report only:
// it shows what was proven, never re-derives it. No script, no external
// resource (fonts, styles, images): it opens offline, in any browser,
// years later. Every value from the bundle is HTML-escaped.
//
//   collectionsctl dossier case|debtor ID --out=FILE.html
//   [--public_key=KEY.pem] collectionsctl dossier file BUNDLE
//   --public_key=KEY.pem --out=FILE.html
//
// Exit: 0 rendered and verified; 1 rendered, the bundle did NOT verify (the
// page says FAILED); 2 usage or an unreadable input; else as any call.
#ifndef COLLECTIONS_TOOLS_CLI_DOSSIER_H_
#define COLLECTIONS_TOOLS_CLI_DOSSIER_H_

#include <memory>
#include <string>

#include "collections/v1/audit.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/audit/evidence_bundle.h"

namespace collections::cli {

// The page for `bundle` as verified in `report` with the key `public_key_pem`.
std::string RenderDossier(const collections::v1::EvidenceBundle& bundle,
                          const audit::VerificationReport& report,
                          const std::string& public_key_pem);

// `dossier case|debtor ID` and `dossier file BUNDLE`.
int Dossier(const std::shared_ptr<grpc::Channel>& channel,
            const std::string& kind, const std::string& id);

}  // namespace collections::cli

#endif  // COLLECTIONS_TOOLS_CLI_DOSSIER_H_
