// RAII ownership of Jansson values (Jansson is the one JSON library: Janus hands us json_t*).
#pragma once

#include <jansson.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace msp {

class Json {
 public:
  Json() = default;
  // Takes ownership of a new reference (what json_object(), json_loads() … return).
  static Json adopt(json_t* value) {
    Json json;
    json.value_ = value;
    return json;
  }
  // Shares a borrowed reference.
  static Json borrow(json_t* value) { return adopt(json_incref(value)); }
  static Json object() { return adopt(json_object()); }
  static Json array() { return adopt(json_array()); }
  static Json parse(std::string_view text);  // null Json when invalid

  Json(const Json& other) : value_(json_incref(other.value_)) {}
  Json(Json&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
  Json& operator=(Json other) noexcept {
    std::swap(value_, other.value_);
    return *this;
  }
  ~Json() { json_decref(value_); }

  json_t* get() const { return value_; }
  json_t* release() { return std::exchange(value_, nullptr); }
  explicit operator bool() const { return value_ != nullptr; }

  // Builders: each returns *this so answers read as one expression.
  Json& set(const char* key, Json value);
  Json& set(const char* key, const std::string& value);
  Json& set(const char* key, const char* value);
  Json& set(const char* key, long long value);
  Json& set(const char* key, int value) { return set(key, static_cast<long long>(value)); }
  Json& set(const char* key, unsigned value) { return set(key, static_cast<long long>(value)); }
  Json& set(const char* key, unsigned long value) { return set(key, static_cast<long long>(value)); }
  Json& set(const char* key, double value);
  Json& set(const char* key, bool value);
  Json& append(Json value);

  Json at(const char* key) const { return borrow(json_object_get(value_, key)); }
  std::optional<std::string> string(const char* key) const;
  std::string dump() const;

 private:
  json_t* value_ = nullptr;
};

}  // namespace msp
