// The client API's error codes (docs: api.md) and the error answer's shape.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/Json.h"

namespace msp {

enum ErrorCode : int {
  kInvalidElement = 440,
  kMissingElement = 441,
  kUnknownRequest = 442,
  kNoSuchRoom = 443,
  kRoomExists = 444,
  kJoinState = 445,
  kNoSuchEntity = 446,
  kInvalidParameters = 447,
  kWorkerUnavailable = 448,
  kUnauthorized = 449,
  kLimitReached = 450,
};

struct ApiError {
  int code;
  std::string message;
};

inline Json errorAnswer(int code, const std::string& message) {
  Json answer = Json::object();
  answer.set("mediasoup", "event").set("error_code", code).set("error", message);
  return answer;
}
inline Json errorAnswer(const ApiError& error) { return errorAnswer(error.code, error.message); }

// How a request's answer goes back (exactly once), and how an event reaches a Janus session (if still alive).
using Reply = std::function<void(Json answer)>;
using EventSink = std::function<void(uint64_t sessionId, Json event)>;

// {"mediasoup":"event","event":name}: an event pushed to a peer (fields added by the caller).
inline Json apiEvent(const char* name) {
  Json event = Json::object();
  event.set("mediasoup", "event").set("event", name);
  return event;
}

}  // namespace msp
