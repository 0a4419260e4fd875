#include "base/Json.h"

#include <memory>

namespace msp {

Json Json::parse(std::string_view text) {
  json_error_t error;
  return adopt(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error));
}

Json& Json::set(const char* key, Json value) {
  json_object_set_new(value_, key, value.release());
  return *this;
}
Json& Json::set(const char* key, const std::string& value) {
  json_object_set_new(value_, key, json_stringn(value.data(), value.size()));
  return *this;
}
Json& Json::set(const char* key, const char* value) {
  json_object_set_new(value_, key, json_string(value));
  return *this;
}
Json& Json::set(const char* key, long long value) {
  json_object_set_new(value_, key, json_integer(value));
  return *this;
}
Json& Json::set(const char* key, double value) {
  json_object_set_new(value_, key, json_real(value));
  return *this;
}
Json& Json::set(const char* key, bool value) {
  json_object_set_new(value_, key, json_boolean(value));
  return *this;
}
Json& Json::append(Json value) {
  json_array_append_new(value_, value.release());
  return *this;
}

std::optional<std::string> Json::string(const char* key) const {
  json_t* item = json_object_get(value_, key);
  if (!json_is_string(item)) return std::nullopt;
  return std::string(json_string_value(item), json_string_length(item));
}

std::string Json::dump() const {
  if (!value_) return "null";
  std::unique_ptr<char, decltype(&free)> text(json_dumps(value_, JSON_COMPACT | JSON_ENCODE_ANY), free);
  return text ? std::string(text.get()) : std::string("null");
}

}  // namespace msp
