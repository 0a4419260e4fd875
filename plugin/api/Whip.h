// WHIP ingest (RFC 9725): POST /whip/<room> with an SDP offer makes a publishing peer of that room, without a
// Janus session; DELETE of the Location it answers removes it. Each WHIP resource is a peer of the rooms
// layer under a session id of its own (from the same counter as Janus handles'), that joins with the
// request's token and publishes with publishSdp, so access control, limits and SDP mapping are the API's.
//
// HTTP threads call handle(); the rooms are reached on the loop only. The loop also tells onEvent() every event
// meant for a session: a WHIP peer's are not sent anywhere, and a WHIP peer whose encoder is gone (DTLS
// closed or failed), kicked, moved (an encoder cannot publish again by itself) or whose room closed is removed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "api/HttpServer.h"
#include "base/Json.h"
#include "config/Config.h"
#include "messages/ApiError.h"

namespace msp {

class RoomManager;

class WhipEndpoint {
 public:
  using RunOnLoop = std::function<Json(std::function<void(Reply)> work)>;
  using PostToLoop = std::function<void(std::function<void()> task)>;

  // rooms: valid on the loop thread while the endpoint is used; newSessionId: a session id no Janus handle has.
  WhipEndpoint(const Settings& settings, RunOnLoop runOnLoop, PostToLoop post, std::function<RoomManager&()> rooms,
               std::function<uint64_t()> newSessionId);

  // HTTP threads. nullopt: not a /whip/ path.
  std::optional<HttpDocument> handle(const HttpRequest& request);
  // Loop thread: true when the event was a WHIP peer's (it goes nowhere else).
  bool onEvent(uint64_t sessionId, const Json& event);

 private:
  struct Resource {
    uint64_t sessionId;
    std::string room;
  };
  std::optional<HttpDocument> publish(const std::string& room, const HttpRequest& request);
  HttpDocument remove(const std::string& room, const std::string& resourceId);
  void forget(uint64_t sessionId);

  const Settings& settings_;
  RunOnLoop runOnLoop_;
  PostToLoop post_;
  std::function<RoomManager&()> rooms_;
  std::function<uint64_t()> newSessionId_;
  std::map<std::string, Resource> resources_;          // by resource id; loop thread only
  std::map<uint64_t, std::string> resourceOfSession_;  // loop thread only
};

// The HTTP status of an API error answer from a WHIP request (tokenGiven: whether it carried a token).
unsigned whipStatusOf(int errorCode, bool tokenGiven);

}  // namespace msp
