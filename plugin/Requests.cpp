#include "Requests.h"

#include <cstring>

namespace msp {
namespace {

bool hasControlCharacters(const char* text, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// The mandatory room id of a request.
std::variant<std::string, ApiError> requiredRoom(json_t* body) {
  json_t* room = json_object_get(body, "room");
  if (!room) return ApiError{kMissingElement, "missing mandatory element (room)"};
  return parseRoomId(room);
}

std::variant<std::string, ApiError> optionalString(json_t* body, const char* key, size_t maxBytes) {
  json_t* value = json_object_get(body, key);
  if (!value) return std::string();
  if (!json_is_string(value)) return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be a string)"};
  size_t length = json_string_length(value);
  if (length > maxBytes) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " longer than " + std::to_string(maxBytes) + " bytes)"};
  }
  if (hasControlCharacters(json_string_value(value), length)) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " has control characters)"};
  }
  return std::string(json_string_value(value), length);
}

template <typename T>
std::variant<Request, ApiError> withRoom(json_t* body) {
  auto room = requiredRoom(body);
  if (auto* error = std::get_if<ApiError>(&room)) return *error;
  return T{std::get<std::string>(room)};
}

}  // namespace

std::variant<std::string, ApiError> parseRoomId(json_t* value) {
  if (json_is_integer(value)) return std::to_string(json_integer_value(value));
  if (!json_is_string(value)) return ApiError{kInvalidElement, "invalid element (room should be a string or an integer)"};
  size_t length = json_string_length(value);
  if (length == 0) return ApiError{kInvalidElement, "invalid element (room is empty)"};
  if (length > kMaxRoomIdBytes) {
    return ApiError{kInvalidElement, "invalid element (room longer than " + std::to_string(kMaxRoomIdBytes) + " bytes)"};
  }
  if (hasControlCharacters(json_string_value(value), length)) {
    return ApiError{kInvalidElement, "invalid element (room has control characters)"};
  }
  return std::string(json_string_value(value), length);
}

std::variant<Request, ApiError> parseRequest(json_t* body) {
  if (!json_is_object(body)) return ApiError{kInvalidElement, "invalid element (the message body should be an object)"};
  json_t* name = json_object_get(body, "request");
  if (!name) return ApiError{kMissingElement, "missing mandatory element (request)"};
  if (!json_is_string(name)) return ApiError{kInvalidElement, "invalid element (request should be a string)"};
  const std::string request = json_string_value(name);

  if (request == "create") {
    if (!json_object_get(body, "room")) return request::Create{};
    auto room = parseRoomId(json_object_get(body, "room"));
    if (auto* error = std::get_if<ApiError>(&room)) return *error;
    return request::Create{std::get<std::string>(room)};
  }
  if (request == "destroy") return withRoom<request::Destroy>(body);
  if (request == "exists") return withRoom<request::Exists>(body);
  if (request == "list") return request::List{};
  if (request == "join") {
    auto room = requiredRoom(body);
    if (auto* error = std::get_if<ApiError>(&room)) return *error;
    auto display = optionalString(body, "display", kMaxDisplayBytes);
    if (auto* error = std::get_if<ApiError>(&display)) return *error;
    return request::Join{std::get<std::string>(room), std::get<std::string>(display)};
  }
  if (request == "leave") return request::Leave{};
  return ApiError{kUnknownRequest, "unknown request '" + request + "'"};
}

std::variant<AdminRequest, ApiError> parseAdminRequest(json_t* body) {
  json_t* name = json_object_get(body, "request");
  if (!name) return ApiError{kMissingElement, "missing mandatory element (request)"};
  if (!json_is_string(name)) return ApiError{kInvalidElement, "invalid element (request should be a string)"};
  if (std::strcmp(json_string_value(name), "stats") == 0) return AdminRequest::Stats;
  if (std::strcmp(json_string_value(name), "workers") == 0) return AdminRequest::Workers;
  return ApiError{kUnknownRequest, std::string("unknown request '") + json_string_value(name) + "'"};
}

}  // namespace msp
