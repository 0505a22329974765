#include "services/security/request_limits.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/const_init.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace collections::security {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Free-text fields get the larger limit.
bool IsFreeText(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "notes" || name == "summary" || name == "text" ||
         name == "reason" || name == "description";
}

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // cut short
    uint32_t code = c & (0x3f >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += extra + 1;
  }
  return true;
}

// Where a value sits in the request ("calls[0].notes"): a chain of the
// fields walked, rendered only when a check refuses the value (the walk
// runs for every request; building each path eagerly cost an allocation
// per field).
struct FieldPath {
  const FieldPath* parent = nullptr;
  const FieldDescriptor* field = nullptr;  // null: the request itself
  int index = -1;                          // an entry of a repeated field

  std::string Render() const {
    if (field == nullptr) return std::string();
    std::string out = parent != nullptr ? parent->Render() : std::string();
    if (!out.empty()) out.push_back('.');
    absl::StrAppend(&out, field->name());
    if (index >= 0) absl::StrAppend(&out, "[", index, "]");
    return out;
  }
};

absl::Status Refuse(const FieldPath& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path.Render(), " ", what));
}

// What the walk checks in one message type, worked out once per type:
// looking fields up by name, comparing type names and asking reflection
// for the fields that are set (ListFields tests every field's presence)
// was most of the walk's cost, for every message of every request.
enum class Shape { kNone, kMoney, kLocalDate, kTimestamp };
enum class Check { kString, kText, kBytes, kContent, kEnum, kMessage, kNone };

struct FieldCheck {
  const FieldDescriptor* field;
  Check check;
};

struct TypePlan {
  Shape shape = Shape::kNone;
  const FieldDescriptor* shape_fields[3] = {nullptr, nullptr, nullptr};
  // Every repeated field (their sizes are limited) and every singular
  // string, bytes, enum and message field, in field-number order: the
  // order ListFields reports them in, so the first breach found is the
  // one it would find.
  std::vector<FieldCheck> fields;
  // The message-typed fields alone, in field-number order.
  std::vector<const FieldDescriptor*> message_fields;
};

Check CheckOf(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        return field.name() == "content" ? Check::kContent : Check::kBytes;
      }
      return IsFreeText(field) ? Check::kText : Check::kString;
    case FieldDescriptor::CPPTYPE_ENUM:
      return Check::kEnum;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return Check::kMessage;
    default:
      return Check::kNone;
  }
}

std::unique_ptr<TypePlan> BuildPlan(const Descriptor& type) {
  auto plan = std::make_unique<TypePlan>();
  const std::string& name = type.full_name();
  if (name == "collections.v1.Money") {
    plan->shape = Shape::kMoney;
    plan->shape_fields[0] = type.FindFieldByName("amount_minor");
    plan->shape_fields[1] = type.FindFieldByName("currency");
  } else if (name == "collections.v1.LocalDate") {
    plan->shape = Shape::kLocalDate;
    plan->shape_fields[0] = type.FindFieldByName("year");
    plan->shape_fields[1] = type.FindFieldByName("month");
    plan->shape_fields[2] = type.FindFieldByName("day");
  } else if (name == "google.protobuf.Timestamp") {
    plan->shape = Shape::kTimestamp;
    plan->shape_fields[0] = type.FindFieldByName("seconds");
    plan->shape_fields[1] = type.FindFieldByName("nanos");
  }
  std::vector<const FieldDescriptor*> fields;
  for (int i = 0; i < type.field_count(); ++i) fields.push_back(type.field(i));
  std::sort(fields.begin(), fields.end(),
            [](const FieldDescriptor* a, const FieldDescriptor* b) {
              return a->number() < b->number();
            });
  for (const FieldDescriptor* field : fields) {
    const Check check = CheckOf(*field);
    if (check == Check::kMessage) plan->message_fields.push_back(field);
    if (check != Check::kNone || field->is_repeated()) {
      plan->fields.push_back({field, check});
    }
  }
  return plan;
}

// The plan of `type`, built on first use and kept for the process's life
// (descriptors are never freed). Each thread keeps its own index of the
// plans it has used, so the walk takes no lock.
const TypePlan& PlanOf(const Descriptor* type) {
  thread_local absl::flat_hash_map<const Descriptor*, const TypePlan*> seen;
  if (auto it = seen.find(type); it != seen.end()) return *it->second;
  static absl::Mutex mu(absl::kConstInit);
  static auto* plans =
      new absl::flat_hash_map<const Descriptor*, std::unique_ptr<TypePlan>>();
  const TypePlan* plan;
  {
    absl::MutexLock lock(&mu);
    auto [it, added] = plans->try_emplace(type);
    if (added) it->second = BuildPlan(*type);
    plan = it->second.get();
  }
  seen.emplace(type, plan);
  return *plan;
}

absl::Status CheckMessage(const Message& message, const FieldPath& path);

// The well-known shapes: money, calendar dates, instants.
absl::Status CheckShape(const Message& message, const TypePlan& plan,
                        const FieldPath& path) {
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* const* f = plan.shape_fields;
  switch (plan.shape) {
    case Shape::kNone:
      return absl::OkStatus();
    case Shape::kMoney: {
      const int64_t amount = r->GetInt64(message, f[0]);
      std::string scratch;
      const std::string& currency =
          r->GetStringReference(message, f[1], &scratch);
      if (amount > kMaxAmountMinor || amount < -kMaxAmountMinor) {
        return Refuse(path, absl::StrCat("amount_minor ", amount,
                                         " is beyond ±", kMaxAmountMinor));
      }
      const bool code =
          currency.size() == 3 && absl::ascii_isupper(currency[0]) &&
          absl::ascii_isupper(currency[1]) && absl::ascii_isupper(currency[2]);
      if (!code && !(currency.empty() && amount == 0)) {
        return Refuse(path,
                      absl::StrCat("currency '", currency,
                                   "' is not an ISO 4217 code (e.g. EUR)"));
      }
      return absl::OkStatus();
    }
    case Shape::kLocalDate: {
      const int year = r->GetInt32(message, f[0]);
      const int month = r->GetInt32(message, f[1]);
      const int day = r->GetInt32(message, f[2]);
      if (year == 0 && month == 0 && day == 0) return absl::OkStatus();
      const absl::CivilDay civil(year, month, day);
      if (year < 1900 || year > 9999 || civil.year() != year ||
          civil.month() != month || civil.day() != day) {
        return Refuse(path, absl::StrCat(year, "-", month, "-", day,
                                         " is not a date in 1900..9999"));
      }
      return absl::OkStatus();
    }
    case Shape::kTimestamp: {
      const int64_t seconds = r->GetInt64(message, f[0]);
      const int32_t nanos = r->GetInt32(message, f[1]);
      if (seconds < 0 || seconds > 253402300799 || nanos < 0 ||
          nanos > 999999999) {
        return Refuse(path, "is outside 1970-01-01..9999-12-31");
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(const std::string& value, size_t limit,
                       const FieldPath& path) {
  if (value.size() > limit) {
    return Refuse(path,
                  absl::StrCat("is ", value.size(), " bytes; at most ", limit));
  }
  if (!ValidUtf8(value)) return Refuse(path, "is not valid UTF-8");
  return absl::OkStatus();
}

absl::Status CheckValue(const Message& message, const FieldCheck& planned,
                        int index, const FieldPath& path) {
  const Reflection* r = message.GetReflection();
  const FieldDescriptor& field = *planned.field;
  switch (planned.check) {
    case Check::kString:
    case Check::kText:
    case Check::kBytes:
    case Check::kContent: {
      std::string scratch;
      const std::string& value =
          index < 0
              ? r->GetStringReference(message, &field, &scratch)
              : r->GetRepeatedStringReference(message, &field, index, &scratch);
      switch (planned.check) {
        case Check::kString:
          return CheckText(value, kMaxStringBytes, path);
        case Check::kText:
          return CheckText(value, kMaxTextBytes, path);
        default: {
          const size_t limit = planned.check == Check::kContent
                                   ? kMaxContentBytes
                                   : kMaxBytesField;
          if (value.size() > limit) {
            return Refuse(path, absl::StrCat("is ", value.size(),
                                             " bytes; at most ", limit));
          }
          return absl::OkStatus();
        }
      }
    }
    case Check::kEnum: {
      const int number = index < 0
                             ? r->GetEnumValue(message, &field)
                             : r->GetRepeatedEnumValue(message, &field, index);
      if (field.enum_type()->FindValueByNumber(number) == nullptr) {
        return Refuse(path, absl::StrCat("holds ", number, ", not a value of ",
                                         field.enum_type()->name()));
      }
      return absl::OkStatus();
    }
    case Check::kMessage: {
      const Message& child =
          index < 0 ? r->GetMessage(message, &field)
                    : r->GetRepeatedMessage(message, &field, index);
      return CheckMessage(child, path);
    }
    case Check::kNone:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Message& message, const FieldPath& path) {
  const TypePlan& plan = PlanOf(message.GetDescriptor());
  if (absl::Status shape = CheckShape(message, plan, path); !shape.ok())
    return shape;
  const Reflection* r = message.GetReflection();
  for (const FieldCheck& planned : plan.fields) {
    const FieldDescriptor* field = planned.field;
    const FieldPath here{&path, field, -1};
    if (!field->is_repeated()) {
      // An unset message is not walked (ListFields would not report it);
      // an unset string or enum holds its default, which always passes.
      if (planned.check == Check::kMessage && !r->HasField(message, field))
        continue;
      if (absl::Status s = CheckValue(message, planned, -1, here); !s.ok())
        return s;
      continue;
    }
    const int size = r->FieldSize(message, field);
    if (size > kMaxRepeated) {
      return Refuse(
          here, absl::StrCat("has ", size, " entries; at most ", kMaxRepeated));
    }
    for (int i = 0; i < size; ++i) {
      if (absl::Status s =
              CheckValue(message, planned, i, FieldPath{&path, field, i});
          !s.ok())
        return s;
    }
  }
  return absl::OkStatus();
}

std::string UnknownFieldsBelow(const Message& message, const FieldPath& path) {
  const Reflection* reflection = message.GetReflection();
  const google::protobuf::UnknownFieldSet& unknown =
      reflection->GetUnknownFields(message);
  if (!unknown.empty()) {
    std::string numbers;
    for (int i = 0; i < unknown.field_count(); ++i) {
      absl::StrAppend(&numbers, i == 0 ? "" : ", ", unknown.field(i).number());
    }
    const std::string at = path.Render();
    return absl::StrCat("request", at.empty() ? "" : ".", at, " (",
                        message.GetDescriptor()->full_name(),
                        "): field number(s) ", numbers);
  }
  for (const FieldDescriptor* field :
       PlanOf(message.GetDescriptor()).message_fields) {
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        std::string found = UnknownFieldsBelow(
            reflection->GetRepeatedMessage(message, field, i),
            FieldPath{&path, field, i});
        if (!found.empty()) return found;
      }
    } else if (reflection->HasField(message, field)) {
      std::string found = UnknownFieldsBelow(
          reflection->GetMessage(message, field), FieldPath{&path, field, -1});
      if (!found.empty()) return found;
    }
  }
  return "";
}

}  // namespace

std::string UnknownFieldsIn(const Message& request) {
  return UnknownFieldsBelow(request, FieldPath{});
}

absl::Status CheckRequestLimits(const Message& request) {
  return CheckMessage(request, FieldPath{});
}

}  // namespace collections::security
