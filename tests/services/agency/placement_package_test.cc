// The placement package is a pure function of its input: the same events,
// terms and head give the same bytes, and the manifest lists every file
// with its hash.
#include "services/agency/placement_package.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/agency/file_formats.h"

namespace collections::agency {
namespace {

namespace v1 = ::collections::v1;
using ::testing::HasSubstr;

v1::Money Eur(int64_t minor) {
  v1::Money money;
  money.set_amount_minor(minor);
  money.set_currency("EUR");
  return money;
}

v1::Event Event(uint64_t version, v1::EventPayload payload) {
  v1::Event event;
  event.set_event_id(absl::StrCat("e", version));
  event.set_stream_id("case-c-1");
  event.set_stream_version(version);
  event.set_global_position(100 + version);
  event.set_type(payload.GetDescriptor()
                     ->FindFieldByNumber(payload.kind_case())
                     ->message_type()
                     ->name());
  event.mutable_occurred_at()->set_seconds(1767258000 + version * 86400);
  event.mutable_actor()->set_id("collector-7");
  *event.mutable_payload() = std::move(payload);
  return event;
}

PackageInput Input() {
  PackageInput input;
  v1::EventPayload opened;
  v1::CaseOpened* open = opened.mutable_case_opened();
  open->set_case_id("c-1");
  open->set_debtor_id("d-1");
  open->set_creditor_id("acme");
  open->set_debtor_kind(v1::DEBTOR_KIND_CONSUMER);
  open->set_currency("EUR");
  open->set_rule_pack("nl-consumer");
  open->set_jurisdiction("NL");
  v1::ClaimLine* line = open->add_claim_lines();
  line->set_invoice_number("INV, \"1\"");  // needs quoting in CSV
  *line->mutable_gross() = Eur(12100);
  *line->mutable_net() = Eur(10000);
  *line->mutable_vat() = Eur(2100);
  line->mutable_due_date()->set_year(2026);
  line->mutable_due_date()->set_month(1);
  line->mutable_due_date()->set_day(1);
  input.events.push_back(Event(1, opened));
  v1::EventPayload letter;
  letter.mutable_letter_issued()->set_letter_id("L1");
  letter.mutable_letter_issued()->set_level(v1::LETTER_LEVEL_REMINDER);
  letter.mutable_letter_issued()->set_document_sha256(std::string(32, '\x11'));
  input.events.push_back(Event(2, letter));
  v1::EventPayload delivered;
  delivered.mutable_letter_delivered()->set_letter_id("L1");
  delivered.mutable_letter_delivered()->mutable_delivered_on()->set_year(2026);
  delivered.mutable_letter_delivered()->mutable_delivered_on()->set_month(1);
  delivered.mutable_letter_delivered()->mutable_delivered_on()->set_day(5);
  input.events.push_back(Event(3, delivered));
  for (const auto& event : input.events) domain::Evolve(input.state, event);
  input.placement.set_agency_id("ag-1");
  input.placement.set_package_id("PKG-c-1-1");
  input.placement.set_placement_type(v1::PLACEMENT_TYPE_CONTINGENCY);
  input.head.set_tree_size(103);
  return input;
}

std::map<std::string, std::string> FilesOf(const v1::PlacementPackage& p) {
  std::map<std::string, std::string> files;
  for (const auto& file : p.files()) files[file.name()] = file.content();
  return files;
}

TEST(PlacementPackageTest, SameInputSameBytes) {
  const v1::PlacementPackage one = BuildPlacementPackage(Input());
  const v1::PlacementPackage two = BuildPlacementPackage(Input());
  EXPECT_EQ(one.SerializeAsString(), two.SerializeAsString());
  EXPECT_EQ(one.files(0).name(), kManifestFile);
  EXPECT_EQ(one.manifest_sha256_hex(), Sha256Hex(one.files(0).content()));

  // One more event: another history, another manifest.
  PackageInput more = Input();
  v1::EventPayload call;
  call.mutable_call_logged()->set_outcome(v1::CALL_OUTCOME_NO_ANSWER);
  more.events.push_back(Event(4, call));
  domain::Evolve(more.state, more.events.back());
  EXPECT_NE(BuildPlacementPackage(more).manifest_sha256_hex(),
            one.manifest_sha256_hex());
}

TEST(PlacementPackageTest, ManifestListsEveryFileWithItsHashAndCount) {
  const v1::PlacementPackage package = BuildPlacementPackage(Input());
  v1::PackageManifest manifest;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  package.files(0).content(), &manifest)
                  .ok());
  EXPECT_EQ(manifest.schema(), kPackageSchema);
  EXPECT_EQ(manifest.case_version(), 3u);
  EXPECT_EQ(manifest.balance().principal_minor(), 12100);
  EXPECT_EQ(manifest.tree_head().tree_size(), 103u);
  const auto files = FilesOf(package);
  ASSERT_EQ(static_cast<size_t>(manifest.files_size()), files.size() - 1);
  for (const auto& listed : manifest.files()) {
    ASSERT_TRUE(files.count(listed.name())) << listed.name();
    EXPECT_EQ(listed.sha256_hex(), Sha256Hex(files.at(listed.name())));
    EXPECT_EQ(listed.bytes(), files.at(listed.name()).size());
  }
  EXPECT_EQ(manifest.files(3).name(), "history.jsonl");
  EXPECT_EQ(manifest.files(3).records(), 3u);

  EXPECT_THAT(files.at("claim_lines.csv"), HasSubstr("\"INV, \"\"1\"\"\""));
  EXPECT_THAT(files.at("letters.csv"),
              HasSubstr("L1,REMINDER,UNSPECIFIED,2026-01-03T09:00:00Z,,,"
                        "1111111111111111111111111111111111111111111111111111"
                        "111111111111,2026-01-05"));
  EXPECT_THAT(files.at("documents.csv"), HasSubstr("letter,L1,1111"));
  EXPECT_THAT(files.at("debtor.jsonl"), HasSubstr("\"debtor_id\":\"d-1\""));
  // One JSON line, fields in their documented order (its bytes are hashed).
  EXPECT_EQ(files.at("debtor.jsonl")
                .rfind("{\"debtor_id\":\"d-1\",\"debtor_kind\":", 0),
            0u);
  EXPECT_EQ(files.at("debtor.jsonl").back(), '\n');
}

}  // namespace
}  // namespace collections::agency
