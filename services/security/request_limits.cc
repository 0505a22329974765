#include "services/security/request_limits.h"

#include <algorithm>
#include <cstring>
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

// Whether `s` is well-formed UTF-8 (RFC 3629: shortest forms only, no
// surrogates, nothing above U+10FFFF). Runs of ASCII are passed eight
// bytes at a time: free text is mostly ASCII, and a byte-at-a-time loop
// over a call's notes was a third of the request walk's time.
bool ValidUtf8(const std::string& s) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      uint64_t eight;
      std::memcpy(&eight, s.data() + i, sizeof(eight));
      if ((eight & kHighBits) == 0) {
        i += 8;
        continue;
      }
    }
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

struct TypePlan;

struct FieldCheck {
  const FieldDescriptor* field;
  Check check;
  // kMessage: the plan of the field's type, so the walk passes plans down
  // instead of looking one up for every message it visits.
  const TypePlan* child = nullptr;
  // kEnum: which numbers from enum_min on the enum defines (empty for an
  // enum spread too wide; then the descriptor is asked).
  int enum_min = 0;
  std::vector<bool> enum_defined;

  bool DefinesEnumValue(int number) const {
    if (enum_defined.empty())
      return field->enum_type()->FindValueByNumber(number) != nullptr;
    const int64_t at = int64_t{number} - enum_min;
    return at >= 0 && at < static_cast<int64_t>(enum_defined.size()) &&
           enum_defined[at];
  }
};

struct TypePlan {
  Shape shape = Shape::kNone;
  const FieldDescriptor* shape_fields[3] = {nullptr, nullptr, nullptr};
  // The generated type's reflection (null for a type with none): asking
  // each message for it passes protobuf's descriptor-assignment check, a
  // thread-local lookup, every time.
  const Reflection* reflection = nullptr;
  // Every repeated field (their sizes are limited) and every singular
  // string, bytes, enum and message field, in field-number order: the
  // order ListFields reports them in, so the first breach found is the
  // one it would find.
  std::vector<FieldCheck> fields;
  // The message-typed fields alone, in field-number order.
  std::vector<const FieldCheck*> message_fields;
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

void PlanEnum(FieldCheck* check) {
  const google::protobuf::EnumDescriptor& type = *check->field->enum_type();
  if (type.value_count() == 0) return;
  int low = type.value(0)->number(), high = low;
  for (int i = 1; i < type.value_count(); ++i) {
    low = std::min(low, type.value(i)->number());
    high = std::max(high, type.value(i)->number());
  }
  if (int64_t{high} - low >= 4096) return;  // sparse: ask the descriptor
  check->enum_min = low;
  check->enum_defined.assign(high - low + 1, false);
  for (int i = 0; i < type.value_count(); ++i)
    check->enum_defined[type.value(i)->number() - low] = true;
}

// The plan of one type, its children not yet linked.
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
  if (const Message* prototype =
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(
              &type)) {
    plan->reflection = prototype->GetReflection();
  }
  std::vector<const FieldDescriptor*> fields;
  for (int i = 0; i < type.field_count(); ++i) fields.push_back(type.field(i));
  std::sort(fields.begin(), fields.end(),
            [](const FieldDescriptor* a, const FieldDescriptor* b) {
              return a->number() < b->number();
            });
  for (const FieldDescriptor* field : fields) {
    const Check check = CheckOf(*field);
    if (check != Check::kNone || field->is_repeated()) {
      FieldCheck& planned = plan->fields.emplace_back();
      planned.field = field;
      planned.check = check;
      if (check == Check::kEnum) PlanEnum(&planned);
    }
  }
  // After the last push_back: the pointers stay valid.
  for (const FieldCheck& field : plan->fields) {
    if (field.check == Check::kMessage) plan->message_fields.push_back(&field);
  }
  return plan;
}

// The plan of `type` with the plans of every type below it linked in,
// built on first use and kept for the process's life (descriptors are
// never freed). Each thread keeps its own index of the request types it
// has walked, so a walk takes one lookup and no lock.
const TypePlan& PlanOf(const Descriptor* type) {
  thread_local absl::flat_hash_map<const Descriptor*, const TypePlan*> seen;
  if (auto it = seen.find(type); it != seen.end()) return *it->second;
  static absl::Mutex mu(absl::kConstInit);
  static auto* plans =
      new absl::flat_hash_map<const Descriptor*, std::unique_ptr<TypePlan>>();
  const TypePlan* plan;
  {
    absl::MutexLock lock(&mu);
    // Every type reachable from `type` gets a plan (types may nest each
    // other), then the new plans' message fields are linked to them.
    std::vector<TypePlan*> added;
    std::vector<const Descriptor*> pending = {type};
    while (!pending.empty()) {
      const Descriptor* next = pending.back();
      pending.pop_back();
      auto [it, fresh] = plans->try_emplace(next);
      if (!fresh) continue;
      it->second = BuildPlan(*next);
      added.push_back(it->second.get());
      for (const FieldCheck* field : it->second->message_fields)
        pending.push_back(field->field->message_type());
    }
    for (TypePlan* fresh : added) {
      for (FieldCheck& field : fresh->fields) {
        if (field.check == Check::kMessage)
          field.child = plans->at(field.field->message_type()).get();
      }
    }
    plan = plans->at(type).get();
  }
  seen.emplace(type, plan);
  return *plan;
}

// One walk: whether the request is of a generated type (then so is every
// message below it, and each plan's reflection serves), else each message
// is asked for its own (a dynamic message's).
struct Walk {
  bool generated = false;

  static Walk Of(const Message& request, const TypePlan& plan) {
    return Walk{plan.reflection != nullptr &&
                plan.reflection == request.GetReflection()};
  }
  const Reflection& ReflectionOf(const Message& message,
                                 const TypePlan& plan) const {
    return generated ? *plan.reflection : *message.GetReflection();
  }
};

absl::Status CheckMessage(const Walk& walk, const Message& message,
                          const TypePlan& plan, const FieldPath& path);

// The well-known shapes: money, calendar dates, instants.
absl::Status CheckShape(const Reflection* r, const Message& message,
                        const TypePlan& plan, const FieldPath& path) {
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

absl::Status CheckValue(const Walk& walk, const Reflection* r,
                        const Message& message, const FieldCheck& planned,
                        int index, const FieldPath& path) {
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
      if (!planned.DefinesEnumValue(number)) {
        return Refuse(path, absl::StrCat("holds ", number, ", not a value of ",
                                         field.enum_type()->name()));
      }
      return absl::OkStatus();
    }
    case Check::kMessage: {
      const Message& child =
          index < 0 ? r->GetMessage(message, &field)
                    : r->GetRepeatedMessage(message, &field, index);
      return CheckMessage(walk, child, *planned.child, path);
    }
    case Check::kNone:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status CheckMessage(const Walk& walk, const Message& message,
                          const TypePlan& plan, const FieldPath& path) {
  const Reflection* r = &walk.ReflectionOf(message, plan);
  if (absl::Status shape = CheckShape(r, message, plan, path); !shape.ok())
    return shape;
  for (const FieldCheck& planned : plan.fields) {
    const FieldDescriptor* field = planned.field;
    const FieldPath here{&path, field, -1};
    if (!field->is_repeated()) {
      // An unset message is not walked (ListFields would not report it);
      // an unset string or enum holds its default, which always passes.
      if (planned.check == Check::kMessage && !r->HasField(message, field))
        continue;
      if (absl::Status s = CheckValue(walk, r, message, planned, -1, here);
          !s.ok())
        return s;
      continue;
    }
    const int size = r->FieldSize(message, field);
    if (size > kMaxRepeated) {
      return Refuse(
          here, absl::StrCat("has ", size, " entries; at most ", kMaxRepeated));
    }
    for (int i = 0; i < size; ++i) {
      if (absl::Status s = CheckValue(walk, r, message, planned, i,
                                      FieldPath{&path, field, i});
          !s.ok())
        return s;
    }
  }
  return absl::OkStatus();
}

std::string UnknownFieldsBelow(const Walk& walk, const Message& message,
                               const TypePlan& plan, const FieldPath& path) {
  const Reflection* reflection = &walk.ReflectionOf(message, plan);
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
  for (const FieldCheck* planned : plan.message_fields) {
    const FieldDescriptor* field = planned->field;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        std::string found = UnknownFieldsBelow(
            walk, reflection->GetRepeatedMessage(message, field, i),
            *planned->child, FieldPath{&path, field, i});
        if (!found.empty()) return found;
      }
    } else if (reflection->HasField(message, field)) {
      std::string found =
          UnknownFieldsBelow(walk, reflection->GetMessage(message, field),
                             *planned->child, FieldPath{&path, field, -1});
      if (!found.empty()) return found;
    }
  }
  return "";
}

}  // namespace

std::string UnknownFieldsIn(const Message& request) {
  const TypePlan& plan = PlanOf(request.GetDescriptor());
  return UnknownFieldsBelow(Walk::Of(request, plan), request, plan,
                            FieldPath{});
}

absl::Status CheckRequestLimits(const Message& request) {
  const TypePlan& plan = PlanOf(request.GetDescriptor());
  return CheckMessage(Walk::Of(request, plan), request, plan, FieldPath{});
}

}  // namespace collections::security
