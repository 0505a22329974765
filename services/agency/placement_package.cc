#include "services/agency/placement_package.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "nlohmann/json.hpp"
#include "services/agency/file_formats.h"
#include "services/agency/personal_file.h"
#include "services/audit/evidence_bundle.h"
#include "services/observability/json_text.h"
#include "services/projections/event_summary.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;
using ::collections::v1::EventPayload;

std::string Date(const v1::LocalDate& date) {
  if (date.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string Date(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string Hex(const std::string& bytes) {
  return absl::BytesToHexString(bytes);
}

std::string Minor(const v1::Money& money) {
  return absl::StrCat(money.amount_minor());
}

// Enum value names without their prefix: "CASE_HOLD_DISPUTE" → "DISPUTE".
std::string Bare(const std::string& name, absl::string_view prefix) {
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

struct PackageFiles {
  std::vector<v1::PackageFile> files;
  std::vector<uint64_t> records;

  void Add(std::string name, std::string content, uint64_t record_count) {
    v1::PackageFile file;
    file.set_name(std::move(name));
    file.set_sha256_hex(Sha256Hex(content));
    file.set_content(std::move(content));
    files.push_back(std::move(file));
    records.push_back(record_count);
  }
};

std::string DebtorLine(const PackageInput& in) {
  const domain::CaseState& s = in.state;
  std::vector<std::string> flags;
  for (v1::CaseHold hold : s.Holds()) {
    if (hold == v1::CASE_HOLD_PLACED_WITH_AGENCY) continue;
    flags.push_back(Bare(v1::CaseHold_Name(hold), "CASE_HOLD_"));
  }
  // nlohmann-json, fields in this order (ordered_json): the line's bytes
  // are hashed into the package's manifest.
  const nlohmann::ordered_json line = {
      {"debtor_id", s.debtor_id},
      {"debtor_kind", Bare(v1::DebtorKind_Name(s.debtor_kind), "DEBTOR_KIND_")},
      {"jurisdiction", s.jurisdiction},
      {"time_zone", s.time_zone},
      {"case_id", s.case_id},
      {"creditor_id", s.creditor_id},
      {"rule_pack", s.rule_pack},
      {"flags", flags},
      {"personal_data", in.personal_data}};
  return observability::JsonText(line) + "\n";
}

CsvWriter ClaimLines(const domain::CaseState& s) {
  CsvWriter csv({"invoice_number", "issue_date", "due_date", "net_minor",
                 "vat_minor", "gross_minor", "currency",
                 "consumer_purchase_price", "limitation_deadline"});
  for (const auto& invoice : s.invoices) {
    const v1::ClaimLine& line = invoice.line;
    csv.Row({line.invoice_number(), Date(line.issue_date()),
             Date(line.due_date()), Minor(line.net()), Minor(line.vat()),
             Minor(line.gross()), s.currency,
             line.consumer_purchase_price() ? "true" : "false",
             Date(invoice.limitation_deadline)});
  }
  return csv;
}

CsvWriter Balance(const domain::CaseState& s) {
  CsvWriter csv({"bucket", "amount_minor", "currency"});
  const std::pair<const char*, int64_t> buckets[] = {
      {"principal", s.owed.principal},
      {"interest", s.owed.interest},
      {"costs", s.owed.costs},
      {"fees", s.owed.fees},
      {"total", s.owed.total()}};
  for (const auto& [name, amount] : buckets) {
    csv.Row({name, absl::StrCat(amount), s.currency});
  }
  return csv;
}

// Letters in the order they were issued, with what became of them.
CsvWriter Letters(const std::vector<v1::Event>& events) {
  enum Column {
    kId,
    kLevel,
    kChannel,
    kIssuedAt,
    kDeadline,
    kAssumedReceipt,
    kDocument,
    kDeliveredOn,
    kTermLastDay,
    kUndeliverable,
    kLapsedOn,
    kCount
  };
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, size_t> row_of;
  auto find = [&](const std::string& id) -> std::vector<std::string>* {
    auto it = row_of.find(id);
    return it == row_of.end() ? nullptr : &rows[it->second];
  };
  for (const v1::Event& event : events) {
    const EventPayload& p = event.payload();
    if (p.has_letter_issued()) {
      const v1::LetterIssued& letter = p.letter_issued();
      std::vector<std::string> row(kCount);
      row[kId] = letter.letter_id();
      row[kLevel] = Bare(v1::LetterLevel_Name(letter.level()), "LETTER_LEVEL_");
      row[kChannel] =
          Bare(v1::LetterChannel_Name(letter.channel()), "LETTER_CHANNEL_");
      row[kIssuedAt] = Rfc3339(event.occurred_at());
      row[kDeadline] = Date(letter.deadline());
      row[kAssumedReceipt] = Date(letter.assumed_receipt());
      row[kDocument] = Hex(letter.document_sha256());
      row[kTermLastDay] = Date(letter.term_last_day());
      row_of[letter.letter_id()] = rows.size();
      rows.push_back(std::move(row));
    } else if (p.has_letter_delivered()) {
      if (auto* row = find(p.letter_delivered().letter_id())) {
        (*row)[kDeliveredOn] = Date(p.letter_delivered().delivered_on());
        (*row)[kTermLastDay] = Date(p.letter_delivered().term_last_day());
      }
    } else if (p.has_letter_undeliverable()) {
      if (auto* row = find(p.letter_undeliverable().letter_id()))
        (*row)[kUndeliverable] = p.letter_undeliverable().reason();
    } else if (p.has_letter_deadline_lapsed()) {
      if (auto* row = find(p.letter_deadline_lapsed().letter_id()))
        (*row)[kLapsedOn] = Date(p.letter_deadline_lapsed().lapsed_on());
    }
  }
  CsvWriter csv({"letter_id", "level", "channel", "issued_at", "deadline",
                 "assumed_receipt", "document_sha256", "delivered_on",
                 "term_last_day", "undeliverable_reason", "lapsed_on"});
  for (const auto& row : rows) csv.Row(row);
  return csv;
}

// Every document the case refers to by content hash.
CsvWriter Documents(const std::vector<v1::Event>& events) {
  CsvWriter csv({"kind", "reference", "sha256", "position", "occurred_at"});
  for (const v1::Event& event : events) {
    const EventPayload& p = event.payload();
    std::string kind, reference, digest;
    if (p.has_letter_issued()) {
      kind = "letter";
      reference = p.letter_issued().letter_id();
      digest = p.letter_issued().document_sha256();
    } else if (p.has_payment_plan_agreed()) {
      kind = "signed_payment_plan";
      reference = p.payment_plan_agreed().plan_id();
      digest = p.payment_plan_agreed().signed_document_sha256();
    } else if (p.has_verification_sent()) {
      kind = "dispute_verification";
      reference = p.verification_sent().dispute_id();
      digest = p.verification_sent().document_sha256();
    }
    if (digest.empty()) continue;
    csv.Row({kind, reference, Hex(digest),
             absl::StrCat(event.global_position()),
             Rfc3339(event.occurred_at())});
  }
  return csv;
}

// The agency an agency event is about ("" for every other event): the
// package for one agency carries none of another's placements, terms,
// reports or recalls (issue 25).
const std::string& AgencyOf(const v1::Event& event) {
  static const std::string kNone;
  const v1::EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kHandedToAgency:
      return p.handed_to_agency().agency_id();
    case v1::EventPayload::kPlacementAcknowledged:
      return p.placement_acknowledged().agency_id();
    case v1::EventPayload::kAgencyPaymentReported:
      return p.agency_payment_reported().agency_id();
    case v1::EventPayload::kAgencyUpdateReceived:
      return p.agency_update_received().agency_id();
    case v1::EventPayload::kRecallRequested:
      return p.recall_requested().agency_id();
    case v1::EventPayload::kRecallObjected:
      return p.recall_objected().agency_id();
    case v1::EventPayload::kRecallCompleted:
      return p.recall_completed().agency_id();
    case v1::EventPayload::kReturnedByAgency:
      return p.returned_by_agency().agency_id();
    case v1::EventPayload::kAgencyPaymentReversed:
      return p.agency_payment_reversed().agency_id();
    default:
      return kNone;
  }
}

// Which events the package withholds from `agency_id`: every event about
// another agency, and every other event that names one (a suppression
// record saying the case was with it, say) — the package tells an agency
// nothing of the agencies before it.
class OtherAgencies {
 public:
  OtherAgencies(const std::vector<v1::Event>& events,
                const std::string& agency_id)
      : agency_id_(agency_id) {
    for (const v1::Event& event : events) {
      const std::string& about = AgencyOf(event);
      if (!about.empty() && about != agency_id) others_.insert(about);
    }
  }

  bool Withhold(const v1::Event& event) const {
    if (others_.empty()) return false;
    const std::string& about = AgencyOf(event);
    if (!about.empty()) return about != agency_id_;
    const std::string bytes = event.SerializeAsString();
    for (const std::string& other : others_) {
      if (bytes.find(other) != std::string::npos) return true;
    }
    return false;
  }

 private:
  const std::string agency_id_;
  std::set<std::string> others_;
};

CsvWriter HistoryCsv(const std::vector<const v1::Event*>& events) {
  CsvWriter csv({"position", "version", "occurred_at", "recorded_at", "type",
                 "actor", "summary"});
  for (const v1::Event* shown : events) {
    const v1::Event& event = *shown;
    csv.Row({absl::StrCat(event.global_position()),
             absl::StrCat(event.stream_version()), Rfc3339(event.occurred_at()),
             Rfc3339(event.recorded_at()), event.type(), event.actor().id(),
             projections::SummarizeEvent(event)});
  }
  return csv;
}

}  // namespace

std::string DefaultPackageId(const std::string& case_id, uint32_t placement) {
  return absl::StrCat("PKG-", case_id, "-", placement);
}

v1::PlacementPackage BuildPlacementPackage(const PackageInput& in) {
  const domain::CaseState& s = in.state;
  PackageFiles out;
  out.Add("debtor.jsonl", DebtorLine(in), 1);
  if (!in.personal_file.empty()) out.Add(kPersonalFile, in.personal_file, 1);
  const CsvWriter claim_lines = ClaimLines(s);
  out.Add("claim_lines.csv", claim_lines.text(), claim_lines.rows());
  const CsvWriter balance = Balance(s);
  out.Add("balance.csv", balance.text(), balance.rows());
  // The history as this agency may see it: another agency's events are
  // left out here and withheld in the bundle (their leaf hashes keep the
  // chain provable).
  const OtherAgencies others(in.events, in.placement.agency_id());
  std::vector<const v1::Event*> shown;
  std::string history;
  for (const v1::Event& event : in.events) {
    if (others.Withhold(event)) continue;
    shown.push_back(&event);
    absl::StrAppend(&history, MessageJsonLine(event), "\n");
  }
  out.Add("history.jsonl", std::move(history), shown.size());
  const CsvWriter history_csv = HistoryCsv(shown);
  out.Add("history.csv", history_csv.text(), history_csv.rows());
  const CsvWriter letters = Letters(in.events);
  out.Add("letters.csv", letters.text(), letters.rows());
  const CsvWriter documents = Documents(in.events);
  out.Add("documents.csv", documents.text(), documents.rows());
  v1::EvidenceBundle visible = in.bundle;
  for (v1::BundleEvent& event : *visible.mutable_events()) {
    if (others.Withhold(event.event())) audit::WithholdEvent(event);
  }
  std::string bundle;
  {
    google::protobuf::io::StringOutputStream stream(&bundle);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    visible.SerializeToCodedStream(&coded);
  }
  out.Add(kBundleFile, std::move(bundle), visible.events_size());

  v1::PackageManifest manifest;
  manifest.set_schema(kPackageSchema);
  manifest.set_package_id(in.placement.package_id());
  manifest.set_case_id(s.case_id);
  manifest.set_creditor_id(s.creditor_id);
  manifest.set_debtor_id(s.debtor_id);
  manifest.set_agency_id(in.placement.agency_id());
  manifest.set_agency_registration(in.placement.agency_registration());
  manifest.set_placement_type(in.placement.placement_type());
  manifest.set_commission_basis_points(in.placement.commission_basis_points());
  manifest.set_case_version(s.version);
  v1::BucketTotals* totals = manifest.mutable_balance();
  totals->set_currency(s.currency);
  totals->set_principal_minor(s.owed.principal);
  totals->set_interest_minor(s.owed.interest);
  totals->set_costs_minor(s.owed.costs);
  totals->set_fees_minor(s.owed.fees);
  totals->set_total_minor(s.owed.total());
  for (size_t i = 0; i < out.files.size(); ++i) {
    v1::ManifestFile* listed = manifest.add_files();
    listed->set_name(out.files[i].name());
    listed->set_sha256_hex(out.files[i].sha256_hex());
    listed->set_records(out.records[i]);
    listed->set_bytes(out.files[i].content().size());
  }
  *manifest.mutable_tree_head() = in.head;

  v1::PlacementPackage package;
  package.set_package_id(in.placement.package_id());
  package.set_case_id(s.case_id);
  v1::PackageFile* manifest_file = package.add_files();
  manifest_file->set_name(kManifestFile);
  manifest_file->set_content(MessageJsonLine(manifest) + "\n");
  manifest_file->set_sha256_hex(Sha256Hex(manifest_file->content()));
  package.set_manifest_sha256_hex(manifest_file->sha256_hex());
  *package.mutable_balance() = manifest.balance();
  for (auto& file : out.files) *package.add_files() = std::move(file);
  return package;
}

}  // namespace collections::agency
