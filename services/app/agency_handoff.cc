#include "services/app/agency_handoff.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "common/time_conversion.h"
#include "services/agency/personal_file.h"
#include "services/agency/return_file.h"
#include "services/audit/evidence_bundle.h"
#include "services/domain/case_decisions.h"
#include "services/domain/case_state.h"
#include "services/domain/command_checks.h"
#include "services/security/recipient_sealing.h"

namespace collections::app {
namespace {

namespace v1 = ::collections::v1;

// Reads per page when a use case walks a stream or the log.
constexpr size_t kReadPage = 1000;

// Why the debtor's identity and contact points may go to the agency.
constexpr char kDisclosureBasis[] =
    "GDPR art. 6(1)(f): collecting the creditor's claim through the agency "
    "it was placed with (art. 6(1)(b) where the debtor is the contract "
    "party)";

// The recorded placement of `events` with `package_id` (empty: the last
// one), or nullptr.
const v1::Event* FindPlacement(const std::vector<v1::Event>& events,
                               const std::string& package_id) {
  const v1::Event* found = nullptr;
  for (const v1::Event& event : events) {
    if (!event.payload().has_handed_to_agency()) continue;
    if (package_id.empty() ||
        event.payload().handed_to_agency().package_id() == package_id) {
      found = &event;
    }
  }
  return found;
}

v1::PlaceWithAgencyResponse ResponseOf(v1::CommandResult result,
                                       const v1::HandedToAgency& placement) {
  v1::PlaceWithAgencyResponse response;
  *response.mutable_result() = std::move(result);
  response.set_package_id(placement.package_id());
  response.set_manifest_sha256_hex(
      absl::BytesToHexString(placement.package_manifest_sha256()));
  response.set_package_tree_size(placement.package_tree_size());
  return response;
}

// Money per currency, summed, for a delivery's trailer.
void AddTo(std::map<std::string, int64_t>& totals, const std::string& currency,
           int64_t amount) {
  totals[currency] += amount;
}

void Totals(const std::map<std::string, int64_t>& totals,
            google::protobuf::RepeatedPtrField<v1::Money>* out) {
  for (const auto& [currency, amount] : totals) {
    v1::Money* money = out->Add();
    money->set_currency(currency);
    money->set_amount_minor(amount);
  }
}

// Which agency a case was placed with as of each version: the versions of
// its placements and of their ends, read once per case per delivery.
class PlacementHistory {
 public:
  explicit PlacementHistory(storage::EventLog* log) : log_(log) {}

  // The agency the case was with just before `version` ("" for none).
  absl::StatusOr<std::string> AgencyBefore(const std::string& stream,
                                           uint64_t version) {
    auto it = changes_.find(stream);
    if (it == changes_.end()) {
      COLLECTIONS_ASSIGN_OR_RETURN(auto read, Read(stream));
      it = changes_.emplace(stream, std::move(read)).first;
    }
    std::string agency;
    for (const auto& [at, placed_with] : it->second) {
      if (at >= version) break;
      agency = placed_with;
    }
    return agency;
  }

 private:
  using Changes = std::vector<std::pair<uint64_t, std::string>>;
  absl::StatusOr<Changes> Read(const std::string& stream) {
    Changes changes;
    for (uint64_t from = 1;;) {
      COLLECTIONS_ASSIGN_OR_RETURN(
          auto page,
          log_->ReadStream(stream, from, storage::ReadDirection::kForward,
                           kReadPage));
      for (const auto& recorded : page) {
        const v1::EventPayload& p = recorded.event.payload();
        const uint64_t version = recorded.event.stream_version();
        if (p.has_handed_to_agency()) {
          changes.emplace_back(version, p.handed_to_agency().agency_id());
        } else if (p.has_recall_completed() || p.has_returned_by_agency()) {
          changes.emplace_back(version, "");
        }
      }
      if (page.size() < kReadPage) return changes;
      from = page.back().event.stream_version() + 1;
    }
  }

  storage::EventLog* const log_;
  std::map<std::string, Changes> changes_;
};

// One case's part of a return file: its records, in file order.
struct CaseImport {
  std::string case_id;
  int first_line = 0;
  std::vector<const agency::ReturnRecord*> records;
};

}  // namespace

AgencyHandoff::AgencyHandoff(storage::EventLog* log, storage::LogTree* tree,
                             CaseReader* cases, CaseCommands* commands,
                             CaseWriter* writer, audit::TreeHeadSigner* signer,
                             security::PersonalDataVault* vault)
    : log_(log),
      tree_(tree),
      cases_(cases),
      commands_(commands),
      writer_(writer),
      signer_(signer),
      vault_(vault) {}

absl::StatusOr<v1::RegisterAgencyKeyResponse> AgencyHandoff::RegisterAgencyKey(
    const v1::RegisterAgencyKeyRequest& request, const v1::Actor& actor,
    absl::Time now) {
  COLLECTIONS_RETURN_IF_ERROR(
      domain::CheckId("agency_id", request.agency_id()));
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckRequestId(request.request_id()));
  absl::StatusOr<std::string> raw =
      security::X25519PublicKeyFromPem(request.public_key_pem());
  if (!raw.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("public_key_pem: ", raw.status().message()));
  }
  v1::EventPayload payload;
  v1::AgencyKeyRegistered* registered = payload.mutable_agency_key_registered();
  registered->set_agency_id(request.agency_id());
  registered->set_public_key_pem(request.public_key_pem());
  registered->set_fingerprint(security::PublicKeyFingerprint(*raw));
  std::vector<DraftEvent> events;
  events.push_back(DraftEvent{std::move(payload),
                              absl::StrCat(request.request_id(), "/0"),
                              std::nullopt});
  Envelope envelope;
  envelope.occurred_at = now;
  envelope.actor = actor;
  envelope.correlation_id = request.request_id();
  AttachCurrentTrace(envelope);
  COLLECTIONS_ASSIGN_OR_RETURN(
      Written written,
      writer_->WriteToAgency(request.agency_id(), envelope, std::move(events)));
  v1::RegisterAgencyKeyResponse response;
  response.set_fingerprint(security::PublicKeyFingerprint(*raw));
  response.set_position(written.last_position);
  return response;
}

absl::StatusOr<std::optional<AgencyHandoff::AgencyKey>>
AgencyHandoff::FindAgencyKey(const std::string& agency_id,
                             const std::string& fingerprint) {
  std::optional<AgencyKey> found;
  const std::string stream = domain::AgencyStreamId(agency_id);
  for (uint64_t from = 1;;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        auto page,
        log_->ReadStream(stream, from, storage::ReadDirection::kForward,
                         kReadPage));
    for (const auto& recorded : page) {
      if (!recorded.event.payload().has_agency_key_registered()) continue;
      const v1::AgencyKeyRegistered& key =
          recorded.event.payload().agency_key_registered();
      if (!fingerprint.empty() && key.fingerprint() != fingerprint) continue;
      absl::StatusOr<std::string> raw =
          security::X25519PublicKeyFromPem(key.public_key_pem());
      if (!raw.ok()) {
        return absl::DataLossError(absl::StrCat(
            "the recorded key ", key.fingerprint(), " of agency ", agency_id,
            " is unreadable: ", raw.status().message()));
      }
      found = AgencyKey{*std::move(raw), key.fingerprint()};
    }
    if (page.size() < kReadPage) return found;
    from = page.back().event.stream_version() + 1;
  }
}

absl::StatusOr<AgencyHandoff::PersonalPart> AgencyHandoff::PersonalFor(
    const v1::HandedToAgency& placement, const domain::CaseState& state,
    const std::vector<v1::Event>& case_events) {
  PersonalPart part;
  part.statement = agency::kPersonalNoneRecorded;
  if (vault_ == nullptr) return part;
  if (placement.package_recipient_key().empty()) {
    part.statement = agency::kPersonalNoAgencyKey;
    return part;
  }
  COLLECTIONS_ASSIGN_OR_RETURN(
      std::optional<AgencyKey> key,
      FindAgencyKey(placement.agency_id(), placement.package_recipient_key()));
  if (!key.has_value()) {
    return absl::DataLossError(
        absl::StrCat("placement ", placement.package_id(), " names agency key ",
                     placement.package_recipient_key(), " that agency ",
                     placement.agency_id(), " never registered"));
  }
  // Everything that determines the plaintext is in the seed's label, so one
  // seed never seals two different texts (recipient_sealing.h).
  const std::string label =
      absl::StrCat("collections.v1.package-personal\n", placement.package_id(),
                   "\n", placement.agency_id(), "\n", key->fingerprint, "\n",
                   state.version, "\n", placement.package_debtor_version());
  COLLECTIONS_ASSIGN_OR_RETURN(std::optional<std::string> seed,
                               vault_->DerivedSecret(state.debtor_id, label));
  if (!seed.has_value()) {
    COLLECTIONS_ASSIGN_OR_RETURN(const bool erased,
                                 vault_->WasErased(state.debtor_id));
    if (erased) part.statement = agency::kPersonalErased;
    return part;
  }
  v1::PackagePersonalData data;
  data.set_debtor_id(state.debtor_id);
  auto readable = [&part](const std::string& value) {
    if (value == security::kErased) part.some_erased = true;
    return !value.empty() && value != security::kErased;
  };
  for (const v1::Event& stored : case_events) {
    if (!stored.payload().has_case_opened()) continue;
    v1::Event event = stored;
    COLLECTIONS_RETURN_IF_ERROR(vault_->Reveal(event));
    if (readable(event.payload().case_opened().debtor_name()))
      data.set_name(event.payload().case_opened().debtor_name());
  }
  // The debtor stream as of the placement: contact points in force and
  // representation.
  const std::string debtor_stream = domain::DebtorStreamId(state.debtor_id);
  std::vector<v1::PackagePersonalData::ContactPoint> points;
  for (uint64_t from = 1; from <= placement.package_debtor_version();) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        auto page,
        log_->ReadStream(debtor_stream, from, storage::ReadDirection::kForward,
                         kReadPage));
    for (auto& recorded : page) {
      if (recorded.event.stream_version() > placement.package_debtor_version())
        break;
      v1::Event& event = recorded.event;
      const v1::EventPayload& p = event.payload();
      if (p.has_contact_point_invalidated()) {
        const std::string& id =
            p.contact_point_invalidated().contact_point_id();
        points.erase(std::remove_if(points.begin(), points.end(),
                                    [&id](const auto& point) {
                                      return point.contact_point_id() == id;
                                    }),
                     points.end());
        continue;
      }
      if (!p.has_contact_point_added() && !p.has_representation_noticed())
        continue;
      COLLECTIONS_RETURN_IF_ERROR(vault_->Reveal(event));
      if (p.has_contact_point_added() &&
          readable(p.contact_point_added().value())) {
        v1::PackagePersonalData::ContactPoint point;
        point.set_contact_point_id(p.contact_point_added().contact_point_id());
        point.set_kind(p.contact_point_added().kind());
        point.set_value(p.contact_point_added().value());
        points.push_back(std::move(point));
      } else if (p.has_representation_noticed() &&
                 readable(p.representation_noticed().representative())) {
        v1::PackagePersonalData::Representation* representation =
            data.add_representation();
        representation->set_representative(
            p.representation_noticed().representative());
        representation->set_kind(p.representation_noticed().kind());
      }
    }
    if (page.size() < kReadPage) break;
    from = page.back().event.stream_version() + 1;
  }
  for (auto& point : points) *data.add_contact_points() = std::move(point);
  part.categories = agency::DisclosedCategories(data);
  if (part.categories.empty()) return part;
  COLLECTIONS_ASSIGN_OR_RETURN(
      part.file,
      agency::SealPersonalFile(data, placement.package_id(),
                               placement.agency_id(), key->raw, *seed));
  part.statement = agency::kPersonalSealed;
  return part;
}

absl::StatusOr<std::vector<v1::Event>> AgencyHandoff::CaseEvents(
    const std::string& case_id, uint64_t last_version) {
  const std::string stream = domain::CaseStreamId(case_id);
  std::vector<v1::Event> events;
  for (uint64_t from = 1; from <= last_version;) {
    COLLECTIONS_ASSIGN_OR_RETURN(
        auto page,
        log_->ReadStream(stream, from, storage::ReadDirection::kForward,
                         kReadPage));
    for (auto& recorded : page) {
      if (recorded.event.stream_version() > last_version) return events;
      events.push_back(std::move(recorded.event));
    }
    if (page.size() < kReadPage) break;
    from = events.back().stream_version() + 1;
  }
  return events;
}

absl::StatusOr<v1::PlacementPackage> AgencyHandoff::Cut(
    const v1::HandedToAgency& placement, std::vector<v1::Event> events,
    const v1::SignedTreeHead& head, PersonalPart* personal) {
  agency::PackageInput input;
  input.placement = placement;
  for (const v1::Event& event : events) domain::Evolve(input.state, event);
  if (!input.state.exists) {
    return absl::NotFoundError("the case has no events to package");
  }
  COLLECTIONS_ASSIGN_OR_RETURN(PersonalPart part,
                               PersonalFor(placement, input.state, events));
  input.personal_data = part.statement;
  input.personal_file = part.file;
  if (personal != nullptr) *personal = std::move(part);
  input.events = std::move(events);
  input.head = head;
  // The bundle's creation time is the head's, so a rebuilt package is the
  // same bytes.
  COLLECTIONS_ASSIGN_OR_RETURN(
      input.bundle, audit::BuildEvidenceBundle(
                        *log_, *tree_, head, signer_->key().public_key(),
                        {domain::CaseStreamId(input.state.case_id)},
                        absl::StrCat("case ", input.state.case_id),
                        ToTime(head.timestamp())));
  return agency::BuildPlacementPackage(input);
}

void AgencyHandoff::Place(const v1::HandToAgencyRequest& request,
                          const v1::Actor& actor, PlaceDone done) {
  auto fail = [&done](absl::Status status) {
    std::move(done)(std::move(status));
  };
  const std::string& case_id = request.case_id();
  absl::Status checked = domain::CheckId("case_id", case_id);
  if (checked.ok())
    checked = domain::CheckRequestId(request.context().request_id());
  if (!checked.ok()) return fail(checked);
  const std::string stream = domain::CaseStreamId(case_id);

  // A retry: answer with what the first attempt recorded.
  auto earlier = log_->FindEvent(
      stream, absl::StrCat(request.context().request_id(), "/0"));
  if (!earlier.ok()) return fail(earlier.status());
  if (earlier->has_value()) {
    auto recorded = log_->ReadStream(stream, (*earlier)->stream_version,
                                     storage::ReadDirection::kForward, 1);
    if (!recorded.ok()) return fail(recorded.status());
    if (recorded->empty() ||
        !recorded->front().event.payload().has_handed_to_agency()) {
      return fail(absl::AlreadyExistsError(
          absl::StrCat("request id ", request.context().request_id(),
                       " was used for another command on case ", case_id)));
    }
    v1::HandToAgencyRequest again = request;
    *again.mutable_placement() =
        recorded->front().event.payload().handed_to_agency();
    commands_->HandToAgency(
        again, actor,
        [placement = again.placement(),
         done = std::move(done)](CaseCommands::Result r) mutable {
          if (!r.ok()) return std::move(done)(r.status());
          std::move(done)(ResponseOf(*std::move(r), placement));
        });
    return;
  }

  checked = domain::CheckPlacementRequest(request.placement());
  if (!checked.ok()) return fail(checked);
  absl::StatusOr<domain::CaseState> state = cases_->Load(case_id);
  if (!state.ok()) return fail(state.status());
  if (!state->exists) {
    return fail(absl::NotFoundError(
        absl::StrCat("case ", case_id, " does not exist; open it first")));
  }
  const v1::CommandContext& context = request.context();
  if (context.has_expected_version() &&
      context.expected_version() != state->version) {
    return fail(absl::AbortedError(
        absl::StrCat("case ", case_id, " is at version ", state->version,
                     ", not the expected ", context.expected_version(),
                     "; reload it and decide again")));
  }
  v1::HandToAgencyRequest placing = request;
  v1::HandedToAgency* placement = placing.mutable_placement();
  if (placement->package_id().empty()) {
    placement->set_package_id(
        agency::DefaultPackageId(case_id, state->placements + 1));
  }
  // Refused placements get no package: judge the rules first.
  if (context.has_occurred_at()) {
    domain::CommandInput input;
    input.at = ToTime(context.occurred_at());
    input.actor_id = actor.id();
    input.overrides.assign(context.overrides().begin(),
                           context.overrides().end());
    domain::DecisionOr decided =
        domain::DecideHandToAgency(*state, *placement, input);
    if (!decided.ok()) return fail(decided.status());
  }

  // The personal data goes to the agency's latest key, as the debtor
  // stream stands now.
  absl::StatusOr<std::optional<AgencyKey>> agency_key =
      FindAgencyKey(placement->agency_id(), "");
  if (!agency_key.ok()) return fail(agency_key.status());
  if (agency_key->has_value()) {
    placement->set_package_recipient_key((*agency_key)->fingerprint);
    absl::StatusOr<v1::DebtorProfile> debtor =
        cases_->LoadDebtor(state->debtor_id);
    if (!debtor.ok()) return fail(debtor.status());
    placement->set_package_debtor_version(debtor->version());
  }
  absl::StatusOr<v1::SignedTreeHead> head = signer_->SignLatest();
  if (!head.ok()) return fail(head.status());
  absl::StatusOr<std::vector<v1::Event>> events =
      CaseEvents(case_id, state->version);
  if (!events.ok()) return fail(events.status());
  PersonalPart personal;
  absl::StatusOr<v1::PlacementPackage> package =
      Cut(*placement, *std::move(events), *head, &personal);
  if (!package.ok()) return fail(package.status());
  std::optional<v1::PersonalDataDisclosed> disclosure;
  if (!personal.file.empty()) {
    disclosure.emplace();
    disclosure->set_recipient(placement->agency_id());
    disclosure->set_recipient_key_fingerprint(
        placement->package_recipient_key());
    disclosure->set_case_id(case_id);
    disclosure->set_package_id(placement->package_id());
    for (const std::string& category : personal.categories)
      disclosure->add_categories(category);
    disclosure->set_basis(kDisclosureBasis);
  }

  placement->set_package_manifest_sha256(
      absl::HexStringToBytes(package->manifest_sha256_hex()));
  placement->set_package_tree_size(head->tree_size());
  // The package shows the case at this version: if the case moves before
  // the placement lands, the placement is refused (ABORTED), not recorded
  // with a package that misses the newest events.
  placing.mutable_context()->set_expected_version(state->version);
  commands_->HandToAgencyWithDisclosure(
      placing, actor,
      [placement = *placement,
       done = std::move(done)](CaseCommands::Result r) mutable {
        if (!r.ok()) return std::move(done)(r.status());
        std::move(done)(ResponseOf(*std::move(r), placement));
      },
      std::move(disclosure));
}

AgencyHandoff::PlaceResult AgencyHandoff::PlaceAndWait(
    const v1::HandToAgencyRequest& request, const v1::Actor& actor) {
  PlaceResult result = absl::InternalError("not answered");
  absl::Notification answered;
  Place(request, actor, [&](PlaceResult r) {
    result = std::move(r);
    answered.Notify();
  });
  answered.WaitForNotification();
  return result;
}

absl::StatusOr<v1::PlacementPackage> AgencyHandoff::Package(
    const std::string& case_id, const std::string& package_id,
    const std::string& for_agency) {
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("case_id", case_id));
  COLLECTIONS_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                               CaseEvents(case_id, UINT64_MAX));
  const v1::Event* found =
      events.empty() ? nullptr : FindPlacement(events, package_id);
  // An agency gets only the packages built for it, and one answer for
  // "another agency's" and "none".
  if (!for_agency.empty() &&
      (found == nullptr ||
       found->payload().handed_to_agency().agency_id() != for_agency)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agency ", for_agency, " has no package ",
        package_id.empty() ? "(latest)" : package_id, " of case ", case_id));
  }
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat("case ", case_id, " not found"));
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        package_id.empty()
            ? absl::StrCat("case ", case_id, " was never placed")
            : absl::StrCat("case ", case_id, " has no package ", package_id));
  }
  const v1::HandedToAgency placement = found->payload().handed_to_agency();
  if (placement.package_tree_size() == 0 ||
      placement.package_manifest_sha256().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("placement ", placement.package_id(), " of case ", case_id,
                     " was recorded without a package"));
  }
  COLLECTIONS_ASSIGN_OR_RETURN(auto head,
                               signer_->At(placement.package_tree_size()));
  if (!head.has_value()) {
    return absl::DataLossError(absl::StrCat(
        "the signed head of size ", placement.package_tree_size(),
        " that package ", placement.package_id(), " was cut at is not kept"));
  }
  events.resize(found->stream_version() - 1);  // `found` is invalid now
  PersonalPart personal;
  COLLECTIONS_ASSIGN_OR_RETURN(
      v1::PlacementPackage package,
      Cut(placement, std::move(events), *head, &personal));
  const std::string recorded =
      absl::BytesToHexString(placement.package_manifest_sha256());
  // The one rebuild that may differ: the debtor was erased since, and the
  // package now carries no personal data and says so.
  const bool erased_since =
      !placement.package_recipient_key().empty() &&
      (personal.statement == agency::kPersonalErased || personal.some_erased);
  if (package.manifest_sha256_hex() != recorded && !erased_since) {
    return absl::DataLossError(absl::StrCat(
        "package ", placement.package_id(), " rebuilds to manifest ",
        package.manifest_sha256_hex(), ", not the recorded ", recorded));
  }
  return package;
}

absl::Status AgencyHandoff::Delivery(
    const v1::ExportDeliveryRequest& request,
    absl::FunctionRef<bool(const v1::DeliveryPart&)> emit) {
  const std::string& agency_id = request.agency_id();
  COLLECTIONS_RETURN_IF_ERROR(domain::CheckId("agency_id", agency_id));
  const uint64_t head = log_->HeadPosition();
  const uint64_t through =
      request.through_position() == 0 ? head : request.through_position();
  if (through > head) {
    return absl::OutOfRangeError(absl::StrCat(
        "through_position ", through, " is beyond the log's head ", head));
  }
  const uint64_t since = request.since_position();
  if (since > through) {
    return absl::InvalidArgumentError(absl::StrCat(
        "since_position ", since, " is after through_position ", through));
  }
  v1::DeliveryPart part;
  v1::DeliveryHeader* header = part.mutable_header();
  header->set_delivery_id(absl::StrCat(agency_id, "-", since, "-", through));
  header->set_agency_id(agency_id);
  header->set_since_position(since);
  header->set_through_position(through);
  if (!emit(part)) return absl::OkStatus();

  v1::DeliveryTrailer trailer;
  std::map<std::string, int64_t> placed, paid;
  PlacementHistory history(log_);
  storage::LogRead read;
  read.from_position = since + 1;
  read.max_events = kReadPage;
  read.filter.stream_prefix = domain::kCaseStreamPrefix;
  read.filter.event_types = {"HandedToAgency", "RecallRequested",
                             "PaymentReceived", "PaymentReversed"};
  while (read.from_position <= through) {
    COLLECTIONS_ASSIGN_OR_RETURN(storage::LogReadResult page,
                                 log_->ReadAll(read));
    for (const storage::RecordedEvent& recorded : page.events) {
      const v1::Event& event = recorded.event;
      if (event.global_position() > through) break;
      const v1::EventPayload& p = event.payload();
      const std::string case_id = domain::CaseIdOfStream(event.stream_id());
      part.Clear();
      if (p.has_handed_to_agency()) {
        if (p.handed_to_agency().agency_id() != agency_id) continue;
        v1::DeliveryPlacement* placement = part.mutable_placement();
        placement->set_position(event.global_position());
        *placement->mutable_occurred_at() = event.occurred_at();
        absl::StatusOr<v1::PlacementPackage> package =
            Package(case_id, p.handed_to_agency().package_id());
        if (package.ok()) {
          *placement->mutable_package() = *std::move(package);
          const v1::BucketTotals& balance = placement->package().balance();
          AddTo(placed, balance.currency(), balance.total_minor());
        } else if (absl::IsFailedPrecondition(package.status())) {
          // Placed before packages were cut: listed, without files.
          placement->mutable_package()->set_package_id(
              p.handed_to_agency().package_id());
          placement->mutable_package()->set_case_id(case_id);
        } else {
          return package.status();
        }
        trailer.set_placements(trailer.placements() + 1);
      } else if (p.has_recall_requested()) {
        if (p.recall_requested().agency_id() != agency_id) continue;
        v1::DeliveryRecall* recall = part.mutable_recall();
        recall->set_position(event.global_position());
        recall->set_case_id(case_id);
        *recall->mutable_occurred_at() = event.occurred_at();
        recall->set_reason(p.recall_requested().reason());
        recall->set_final(p.recall_requested().final());
        trailer.set_recalls(trailer.recalls() + 1);
      } else {
        COLLECTIONS_ASSIGN_OR_RETURN(
            std::string placed_with,
            history.AgencyBefore(event.stream_id(), event.stream_version()));
        if (placed_with != agency_id) continue;
        v1::DeliveryPaymentNotice* notice = part.mutable_payment_notice();
        notice->set_position(event.global_position());
        notice->set_case_id(case_id);
        *notice->mutable_occurred_at() = event.occurred_at();
        if (p.has_payment_received()) {
          notice->set_payment_id(p.payment_received().payment_id());
          *notice->mutable_amount() = p.payment_received().amount();
          *notice->mutable_allocation() = p.payment_received().allocation();
        } else {
          const v1::Allocation& back = p.payment_reversed().allocation();
          notice->set_payment_id(p.payment_reversed().payment_id());
          notice->set_reversal(true);
          notice->mutable_amount()->set_currency(back.principal().currency());
          notice->mutable_amount()->set_amount_minor(
              -(back.costs().amount_minor() + back.interest().amount_minor() +
                back.principal().amount_minor() + back.fees().amount_minor()));
          *notice->mutable_allocation() = back;
        }
        AddTo(paid, notice->amount().currency(),
              notice->amount().amount_minor());
        trailer.set_payment_notices(trailer.payment_notices() + 1);
      }
      if (!emit(part)) return absl::OkStatus();
    }
    if (page.next_position <= read.from_position) break;  // nothing more
    read.from_position = page.next_position;
  }
  trailer.set_records(trailer.placements() + trailer.recalls() +
                      trailer.payment_notices());
  Totals(placed, trailer.mutable_placed_balance());
  Totals(paid, trailer.mutable_payment_total());
  trailer.set_through_position(through);
  part.Clear();
  *part.mutable_trailer() = std::move(trailer);
  emit(part);
  return absl::OkStatus();
}

absl::StatusOr<v1::ImportReturnFileResponse> AgencyHandoff::Import(
    const v1::ImportReturnFileRequest& request, const v1::Actor& actor,
    const std::string& agency_id) {
  const std::string name =
      request.file_name().empty() ? "the file" : request.file_name();
  absl::StatusOr<agency::ReturnFile> parsed =
      agency::ParseReturnFile(request.content());
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat(name, " rejected whole, nothing applied: ",
                                     parsed.status().message()));
  }
  const agency::ReturnFile& file = *parsed;
  if (!agency_id.empty() && file.header.agency_id() != agency_id) {
    return absl::PermissionDeniedError(
        absl::StrCat(name, " is agency ", file.header.agency_id(),
                     "'s; agency ", agency_id, " may import only its own"));
  }
  // Each case's records, cases in the order they first appear.
  std::vector<CaseImport> cases;
  std::map<std::string, size_t> case_index;
  for (const agency::ReturnRecord& record : file.records) {
    auto [it, added] =
        case_index.try_emplace(record.request.case_id(), cases.size());
    if (added) {
      cases.emplace_back();
      cases.back().case_id = record.request.case_id();
      cases.back().first_line = record.line;
    }
    cases[it->second].records.push_back(&record);
  }

  v1::ImportReturnFileResponse response;
  response.set_file_sha256_hex(file.sha256_hex);
  response.set_records(file.records.size());
  response.set_cases(cases.size());
  const std::string request_id =
      absl::StrCat("agency-file-", file.sha256_hex.substr(0, 32));
  auto rejected = [&name](const absl::Status& status, int line,
                          const std::string& case_id) {
    return absl::Status(
        status.code(),
        absl::StrCat(name, " rejected whole, nothing applied: line ", line,
                     " (case ", case_id, "): ", status.message()));
  };
  // Every case's records are decided on the case as the earlier records
  // leave it, before anything is written; the writer writes all cases
  // together, or none.
  std::vector<CaseWrite> writes;
  // Per case: the reconciliation flags of its latest decision (a decision
  // runs again when a case moved before the write).
  std::vector<std::vector<std::string>> flags(cases.size());
  bool refused = false;  // a record was refused: the file is rejected
  for (size_t i = 0; i < cases.size(); ++i) {
    const CaseImport& import = cases[i];
    COLLECTIONS_ASSIGN_OR_RETURN(domain::CaseState state,
                                 cases_->Load(import.case_id));
    // An agency learns nothing of cases it does not hold: not whether they
    // exist, nor whose they are.
    if (!agency_id.empty() && (!state.exists || state.agency_id != agency_id)) {
      return absl::PermissionDeniedError(absl::StrCat(
          name, " rejected whole, nothing applied: line ", import.first_line,
          ": case ", import.case_id, " is not placed with agency ", agency_id));
    }
    if (!state.exists) {
      return absl::NotFoundError(absl::StrCat(
          name, " rejected whole, nothing applied: line ", import.first_line,
          ": case ", import.case_id, " does not exist"));
    }
    CaseWrite& write = writes.emplace_back();
    write.case_id = import.case_id;
    write.envelope.request_id = request_id;
    write.envelope.actor = actor;
    write.envelope.correlation_id = request_id;
    write.envelope.causation_id = file.header.file_id();
    write.decide = [&import, &actor, &rejected, &refused,
                    &case_flags = flags[i]](
                       domain::CaseState working) -> absl::StatusOr<Draft> {
      Draft draft;
      case_flags.clear();
      for (const agency::ReturnRecord* record : import.records) {
        domain::CommandInput input;
        input.at = ToTime(record->request.context().occurred_at());
        input.actor_id = actor.id();
        domain::DecisionOr decided =
            domain::DecideAgencyReport(working, record->report, input);
        const absl::Status refusal =
            decided.ok() ? decided->refusal : decided.status();
        if (!refusal.ok()) {
          refused = true;
          return rejected(refusal, record->line, import.case_id);
        }
        for (v1::EventPayload& payload : decided->events) {
          // Fold the event with the version it will get, so the next record
          // is judged on the case as this one leaves it.
          v1::Event folded;
          folded.set_stream_version(working.version + 1);
          *folded.mutable_occurred_at() = ToTimestamp(input.at);
          *folded.mutable_payload() = payload;
          domain::Evolve(working, folded);
          if (payload.has_placement_acknowledged() &&
              payload.placement_acknowledged().reconciliation_required()) {
            const auto& ack = payload.placement_acknowledged();
            case_flags.push_back(absl::StrCat(
                "case ", import.case_id, ": agency balance ",
                ack.balance_acknowledged().amount_minor(), ", case balance ",
                ack.balance_expected().amount_minor(), " ",
                ack.balance_expected().currency()));
          }
          draft.events.push_back(DraftEvent{std::move(payload), "", input.at});
        }
      }
      return draft;
    };
  }
  absl::StatusOr<std::vector<Written>> written =
      writer_->WriteTogether(std::move(writes));
  if (!written.ok()) {
    if (refused) return written.status();
    return absl::Status(
        written.status().code(),
        absl::StrCat(
            name, " not applied, nothing of it: ", written.status().message(),
            ". Import the same file again: it is decided anew "
            "and never applied twice"));
  }
  bool wrote = false;
  for (const Written& result : *written) {
    if (result.already_applied) continue;
    wrote = wrote || result.events > 0;
    response.set_last_position(
        std::max(response.last_position(), result.last_position));
  }
  for (std::vector<std::string>& case_flags : flags) {
    for (std::string& flag : case_flags)
      response.add_reconciliation_flags(std::move(flag));
  }
  response.set_already_imported(!wrote);
  return response;
}

}  // namespace collections::app
