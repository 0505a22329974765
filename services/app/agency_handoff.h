// AgencyHandoff: the use cases of handing claims to collection agencies
// (proto/collections/v1/agency.proto).
//
//   Place     cuts the case's placement package at a freshly signed tree
//             head, then records HandedToAgency (the HandToAgency command,
//             with the case's version as the expected version) carrying the
//             package id, the manifest's SHA-256 and the head's size.
//   Package   rebuilds a recorded placement's package from the log: the
//             case's events before the placement, the kept head of the
//             recorded size. It must hash to what HandedToAgency recorded
//             (DATA_LOSS otherwise), so a package is the same bytes forever.
//             The package carries the debtor's name and contact points
//             sealed to the agency's registered key (personal.sealed.json,
//             services/agency/personal_file.h), pinned to the debtor
//             stream's version at the placement; PersonalDataDisclosed
//             (which categories, to whom, on which basis) is recorded with
//             HandedToAgency in the same append. No key registered: the
//             package says the data is withheld. After erasure a rebuilt
//             package carries none and says so (its manifest then differs
//             from the recorded one: the only rebuild that may).
//   RegisterAgencyKey  records an agency's X25519 public key
//             (AgencyKeyRegistered in "agency-<id>"; INVALID_ARGUMENT for a
//             key that is not X25519 PEM).
//   Delivery  an agency's placements (with packages), recalls and payment
//             notices in a position range, then a trailer. It reads the log
//             in that range only: a daily delivery reads a day of log.
//   Import    an agency's return file: parsed and checked whole
//             (services/agency/return_file.h), then every record decided on
//             its case in file order (each case's state evolving record by
//             record); the first refusal rejects the file naming the line,
//             before anything is written. Then every case's events are
//             written together (CaseWriter::WriteTogether: one
//             transaction), each case at the version it was decided on:
//             all of the file lands or none of it (when a case moved
//             meanwhile, the file is decided again on the fresh states).
//             Event ids come from the file's hash
//             ("agency-file-<hash>/<n>"), so importing the same file again
//             writes nothing.
//
// Errors as CaseCommands', plus NOT_FOUND for an unknown case or package,
// FAILED_PRECONDITION for a placement recorded without a package.
//
// Thread safety: all methods may be called concurrently. Everything given
// to the constructor must outlive the object.
#ifndef COLLECTIONS_SERVICES_APP_AGENCY_HANDOFF_H_
#define COLLECTIONS_SERVICES_APP_AGENCY_HANDOFF_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collections/v1/agency.pb.h"
#include "services/agency/placement_package.h"
#include "services/app/case_commands.h"
#include "services/app/case_reader.h"
#include "services/app/case_writer.h"
#include "services/audit/signed_tree_head.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"
#include "storage/log_tree.h"

namespace collections::app {

class AgencyHandoff {
 public:
  // `vault` (may be null: packages then carry no personal data) opens the
  // debtor's sealed values to seal them again to the agency.
  AgencyHandoff(storage::EventLog* log, storage::LogTree* tree,
                CaseReader* cases, CaseCommands* commands, CaseWriter* writer,
                audit::TreeHeadSigner* signer,
                security::PersonalDataVault* vault);

  absl::StatusOr<collections::v1::RegisterAgencyKeyResponse> RegisterAgencyKey(
      const collections::v1::RegisterAgencyKeyRequest& request,
      const collections::v1::Actor& actor, absl::Time now);

  using PlaceResult = absl::StatusOr<collections::v1::PlaceWithAgencyResponse>;
  using PlaceDone = absl::AnyInvocable<void(PlaceResult) &&>;
  // `done` is called once, on the calling thread or the log's (quick).
  void Place(const collections::v1::HandToAgencyRequest& request,
             const collections::v1::Actor& actor, PlaceDone done);
  PlaceResult PlaceAndWait(const collections::v1::HandToAgencyRequest& request,
                           const collections::v1::Actor& actor);

  // `package_id` empty: the case's latest placement. `for_agency` set (an
  // agency caller): only a package built for that agency; any other, and
  // none, is PERMISSION_DENIED alike.
  absl::StatusOr<collections::v1::PlacementPackage> Package(
      const std::string& case_id, const std::string& package_id,
      const std::string& for_agency = "");

  // Hands each part to `emit` in order (header, records by position,
  // trailer); stops early when `emit` returns false (a cancelled call).
  // INVALID_ARGUMENT for a bad agency id or range; OUT_OF_RANGE for a
  // through_position beyond the log.
  absl::Status Delivery(
      const collections::v1::ExportDeliveryRequest& request,
      absl::FunctionRef<bool(const collections::v1::DeliveryPart&)> emit);

  // `agency_id` non-empty: the caller is that agency, and the file must be
  // its own (PERMISSION_DENIED otherwise).
  absl::StatusOr<collections::v1::ImportReturnFileResponse> Import(
      const collections::v1::ImportReturnFileRequest& request,
      const collections::v1::Actor& actor, const std::string& agency_id);

 private:
  // The case's stored events with versions in [1, last_version].
  absl::StatusOr<std::vector<collections::v1::Event>> CaseEvents(
      const std::string& case_id, uint64_t last_version);
  // The package of `placement`, cut from `events` at `head`; `personal`
  // (optional) receives what it says of the debtor's personal data.
  struct PersonalPart {
    std::string statement;  // agency::kPersonal*
    std::string file;       // personal.sealed.json, or empty
    std::vector<std::string> categories;
    // Some values read as erased (the debtor was forgotten, and has a new
    // key since): the package cannot be what it was.
    bool some_erased = false;
  };
  absl::StatusOr<collections::v1::PlacementPackage> Cut(
      const collections::v1::HandedToAgency& placement,
      std::vector<collections::v1::Event> events,
      const collections::v1::SignedTreeHead& head,
      PersonalPart* personal = nullptr);
  // The debtor's personal data for `placement` (sealed to its recorded
  // agency key, pinned to its debtor version).
  absl::StatusOr<PersonalPart> PersonalFor(
      const collections::v1::HandedToAgency& placement,
      const domain::CaseState& state,
      const std::vector<collections::v1::Event>& case_events);
  struct AgencyKey {
    std::string raw;  // 32 bytes
    std::string fingerprint;
  };
  // The agency's registered key with `fingerprint` (empty: the latest).
  absl::StatusOr<std::optional<AgencyKey>> FindAgencyKey(
      const std::string& agency_id, const std::string& fingerprint);

  storage::EventLog* const log_;
  storage::LogTree* const tree_;
  CaseReader* const cases_;
  CaseCommands* const commands_;
  CaseWriter* const writer_;
  audit::TreeHeadSigner* const signer_;
  security::PersonalDataVault* const vault_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_AGENCY_HANDOFF_H_
