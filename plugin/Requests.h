// Every client message is parsed here, at the boundary, into one typed request; the logic never touches
// raw JSON. A bad message becomes an ApiError before anything changes.
#pragma once

#include <jansson.h>

#include <optional>
#include <string>
#include <variant>

#include "ApiError.h"

namespace msp {
namespace request {

struct Create { std::optional<std::string> room; };
struct Destroy { std::string room; };
struct Exists { std::string room; };
struct List {};
struct Join {
  std::string room;
  std::string display;
};
struct Leave {};

}  // namespace request

using Request = std::variant<request::Create, request::Destroy, request::Exists, request::List, request::Join,
                             request::Leave>;

std::variant<Request, ApiError> parseRequest(json_t* body);

enum class AdminRequest { Stats, Workers };
std::variant<AdminRequest, ApiError> parseAdminRequest(json_t* body);

constexpr size_t kMaxRoomIdBytes = 128;
constexpr size_t kMaxDisplayBytes = 256;

// A room id: a non-empty string of at most 128 bytes without control characters, or an integer (turned
// into its decimal string).
std::variant<std::string, ApiError> parseRoomId(json_t* value);

}  // namespace msp
