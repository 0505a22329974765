#include "services/security/request_limits.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace collections::security {
namespace {

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

absl::Status CheckMessage(const Message& message, const FieldPath& path);

// The well-known shapes: money, calendar dates, instants.
absl::Status CheckShape(const Message& message, const FieldPath& path) {
  const std::string& type = message.GetDescriptor()->full_name();
  const Reflection* r = message.GetReflection();
  const auto* d = message.GetDescriptor();
  if (type == "collections.v1.Money") {
    const int64_t amount =
        r->GetInt64(message, d->FindFieldByName("amount_minor"));
    const std::string currency =
        r->GetString(message, d->FindFieldByName("currency"));
    if (amount > kMaxAmountMinor || amount < -kMaxAmountMinor) {
      return Refuse(path, absl::StrCat("amount_minor ", amount, " is beyond ±",
                                       kMaxAmountMinor));
    }
    const bool code =
        currency.size() == 3 && absl::ascii_isupper(currency[0]) &&
        absl::ascii_isupper(currency[1]) && absl::ascii_isupper(currency[2]);
    if (!code && !(currency.empty() && amount == 0)) {
      return Refuse(path, absl::StrCat("currency '", currency,
                                       "' is not an ISO 4217 code (e.g. EUR)"));
    }
  } else if (type == "collections.v1.LocalDate") {
    const int year = r->GetInt32(message, d->FindFieldByName("year"));
    const int month = r->GetInt32(message, d->FindFieldByName("month"));
    const int day = r->GetInt32(message, d->FindFieldByName("day"));
    if (year == 0 && month == 0 && day == 0) return absl::OkStatus();
    const absl::CivilDay civil(year, month, day);
    if (year < 1900 || year > 9999 || civil.year() != year ||
        civil.month() != month || civil.day() != day) {
      return Refuse(path, absl::StrCat(year, "-", month, "-", day,
                                       " is not a date in 1900..9999"));
    }
  } else if (type == "google.protobuf.Timestamp") {
    const int64_t seconds = r->GetInt64(message, d->FindFieldByName("seconds"));
    const int32_t nanos = r->GetInt32(message, d->FindFieldByName("nanos"));
    if (seconds < 0 || seconds > 253402300799 || nanos < 0 ||
        nanos > 999999999) {
      return Refuse(path, "is outside 1970-01-01..9999-12-31");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckValue(const Message& message, const FieldDescriptor& field,
                        int index, const FieldPath& path) {
  const Reflection* r = message.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value =
          index < 0
              ? r->GetStringReference(message, &field, &scratch)
              : r->GetRepeatedStringReference(message, &field, index, &scratch);
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        const size_t limit =
            field.name() == "content" ? kMaxContentBytes : kMaxBytesField;
        if (value.size() > limit) {
          return Refuse(path, absl::StrCat("is ", value.size(),
                                           " bytes; at most ", limit));
        }
        return absl::OkStatus();
      }
      const size_t limit = IsFreeText(field) ? kMaxTextBytes : kMaxStringBytes;
      if (value.size() > limit) {
        return Refuse(
            path, absl::StrCat("is ", value.size(), " bytes; at most ", limit));
      }
      if (!ValidUtf8(value)) return Refuse(path, "is not valid UTF-8");
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = index < 0
                             ? r->GetEnumValue(message, &field)
                             : r->GetRepeatedEnumValue(message, &field, index);
      if (field.enum_type()->FindValueByNumber(number) == nullptr) {
        return Refuse(path, absl::StrCat("holds ", number, ", not a value of ",
                                         field.enum_type()->name()));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& child =
          index < 0 ? r->GetMessage(message, &field)
                    : r->GetRepeatedMessage(message, &field, index);
      return CheckMessage(child, path);
    }
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckMessage(const Message& message, const FieldPath& path) {
  if (absl::Status shape = CheckShape(message, path); !shape.ok()) return shape;
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);  // the fields that are set
  for (const FieldDescriptor* field : fields) {
    const FieldPath here{&path, field, -1};
    if (!field->is_repeated()) {
      if (absl::Status s = CheckValue(message, *field, -1, here); !s.ok())
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
              CheckValue(message, *field, i, FieldPath{&path, field, i});
          !s.ok())
        return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestLimits(const Message& request) {
  return CheckMessage(request, FieldPath{});
}

}  // namespace collections::security
