#include "api/Whip.h"

#include <memory>

#include "base/Ids.h"
#include "base/Log.h"
#include "messages/Requests.h"
#include "rooms/RoomManager.h"

namespace msp {
namespace {

const char* const kAllowed = "POST, DELETE, OPTIONS";

HttpDocument text(unsigned status, const std::string& message) {
  HttpDocument document{status, message + "\n", "text/plain; charset=utf-8", {}};
  if (status == 405) document.headers.emplace_back("Allow", kAllowed);
  if (status == 401) document.headers.emplace_back("WWW-Authenticate", "Bearer");
  return document;
}

int errorCodeOf(const Json& answer) { return static_cast<int>(json_integer_value(json_object_get(answer.get(), "error_code"))); }

std::string errorTextOf(const Json& answer) { return answer.string("error").value_or("error"); }

}  // namespace

unsigned whipStatusOf(int errorCode, bool tokenGiven) {
  switch (errorCode) {
    case kInvalidElement:
    case kMissingElement:
    case kInvalidParameters:
      return 400;  // SDP that cannot be mapped, with why
    case kNoSuchRoom:
      return 404;
    case kUnauthorized:
      return tokenGiven ? 403 : 401;
    case kLimitReached:
      return 429;
    case kWorkerUnavailable:
      return 503;
    default:
      return 500;
  }
}

WhipEndpoint::WhipEndpoint(const Settings& settings, RunOnLoop runOnLoop, PostToLoop post, std::function<RoomManager&()> rooms,
                           std::function<uint64_t()> newSessionId)
    : settings_(settings), runOnLoop_(std::move(runOnLoop)), post_(std::move(post)), rooms_(std::move(rooms)),
      newSessionId_(std::move(newSessionId)) {}

std::optional<HttpDocument> WhipEndpoint::handle(const HttpRequest& request) {
  static const std::string kPrefix = "/whip/";
  if (request.path.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  std::string rest = request.path.substr(kPrefix.size());
  size_t slash = rest.find('/');
  std::string room = rest.substr(0, slash);
  std::string resourceId = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (request.method == "OPTIONS") {
    // CORS preflight: browsers' WHIP clients (and the page on another origin) may POST and DELETE.
    HttpDocument preflight{204, "", "", {}};
    preflight.headers = {{"Access-Control-Allow-Methods", kAllowed},
                         {"Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match"},
                         {"Access-Control-Expose-Headers", "Location"},
                         {"Access-Control-Max-Age", "86400"},
                         {"Allow", kAllowed}};
    return preflight;
  }
  Json roomJson = Json::adopt(json_string(room.c_str()));
  if (room.empty() || !roomJson || std::holds_alternative<ApiError>(parseRoomId(roomJson.get()))) {
    return text(404, "no such room: the path is /whip/<room>, a room id of at most 128 bytes");
  }
  if (request.method == "POST" && resourceId.empty()) return publish(room, request);
  if (request.method == "DELETE" && !resourceId.empty() && resourceId.find('/') == std::string::npos) return remove(room, resourceId);
  // PATCH (trickle ICE, ICE restart) is not implemented: an ICE-lite server needs no remote candidates.
  return text(405, "method not allowed here: POST /whip/<room>, DELETE /whip/<room>/<resource>");
}

std::optional<HttpDocument> WhipEndpoint::publish(const std::string& room, const HttpRequest& request) {
  if (request.bodyTooLarge) return text(413, "the offer is larger than " + std::to_string(HttpServer::kMaxRequestBody) + " bytes");
  if (request.contentType.compare(0, 15, "application/sdp") != 0) return text(415, "the offer must be Content-Type: application/sdp");
  if (request.body.empty()) return text(400, "no SDP offer in the body");
  std::string token;
  if (request.authorization.compare(0, 7, "Bearer ") == 0) token = request.authorization.substr(7);
  else if (!request.authorization.empty()) return text(401, "Authorization must be: Bearer <token>");
  if (!settings_.tokenSecret.empty() && token.empty()) return text(401, "this server needs an access token: Authorization: Bearer <token>");
  if (request.display.size() > kMaxDisplayBytes) return text(400, "display longer than " + std::to_string(kMaxDisplayBytes) + " bytes");

  request::Join join;
  join.room = room;
  join.display = request.display.empty() ? "whip" : request.display;
  join.token = token;
  request::PublishSdp publish{request.body, ""};
  bool roomsMayBeCreated = settings_.adminKey.empty();
  Json answer = runOnLoop_([this, join, publish, roomsMayBeCreated](Reply reply) {
    RoomManager& rooms = rooms_();
    if (!roomsMayBeCreated && !rooms.rooms().count(join.room)) {
      return reply(errorAnswer(kNoSuchRoom, "no such room '" + join.room + "' (rooms are created with admin_key)"));
    }
    uint64_t sessionId = newSessionId_();
    // Each step goes on from a later loop turn, not from inside the rooms' reply: a step may remove the peer
    // the rooms are still working on.
    rooms.handle(sessionId, join, [this, sessionId, publish, reply](Json joined) {
      post_([this, sessionId, publish, reply, joined] {
        if (json_object_get(joined.get(), "error_code")) {
          rooms_().sessionGone(sessionId);
          return reply(joined);
        }
        rooms_().handle(sessionId, publish, [this, sessionId, room = joined.string("room").value_or(""), reply](Json published) {
          post_([this, sessionId, room, reply, published]() mutable {
            if (json_object_get(published.get(), "error_code")) {
              rooms_().sessionGone(sessionId);
              return reply(published);
            }
            std::string resourceId = newUuid();
            resources_[resourceId] = {sessionId, room};
            resourceOfSession_[sessionId] = resourceId;
            published.set("resource", resourceId);
            reply(published);
          });
        });
      });
    });
  });
  if (json_object_get(answer.get(), "error_code")) {
    return text(whipStatusOf(errorCodeOf(answer), !token.empty()), errorTextOf(answer));
  }
  std::string location = "/whip/" + room + "/" + answer.string("resource").value_or("");
  HttpDocument created{201, answer.string("sdp").value_or(""), "application/sdp", {}};
  created.headers = {{"Location", location}, {"Access-Control-Expose-Headers", "Location"}};
  MSP_VERB("WHIP: a publisher joined room %s (%s)", room.c_str(), location.c_str());
  return created;
}

HttpDocument WhipEndpoint::remove(const std::string& room, const std::string& resourceId) {
  Json answer = runOnLoop_([this, room, resourceId](Reply reply) {
    auto it = resources_.find(resourceId);
    if (it == resources_.end() || it->second.room != room) return reply(errorAnswer(kNoSuchEntity, "no such WHIP resource"));
    uint64_t sessionId = it->second.sessionId;
    forget(sessionId);
    rooms_().sessionGone(sessionId);
    reply(Json::object());
  });
  if (json_object_get(answer.get(), "error_code")) {
    return text(errorCodeOf(answer) == kNoSuchEntity ? 404 : 503, errorTextOf(answer));
  }
  return text(200, "the publisher left the room");
}

void WhipEndpoint::forget(uint64_t sessionId) {
  auto it = resourceOfSession_.find(sessionId);
  if (it == resourceOfSession_.end()) return;
  resources_.erase(it->second);
  resourceOfSession_.erase(it);
}

bool WhipEndpoint::onEvent(uint64_t sessionId, const Json& event) {
  if (!resourceOfSession_.count(sessionId)) return false;
  std::string name = event.string("event").value_or("");
  std::string dtls = event.string("dtlsState").value_or("");
  if (name == "kicked" || name == "roomClosed") {
    forget(sessionId);  // already out of the room
  } else if (name == "moved" || (name == "transportState" && (dtls == "closed" || dtls == "failed"))) {
    forget(sessionId);
    // Not from inside the rooms' own event: on the next loop turn.
    post_([this, sessionId] { rooms_().sessionGone(sessionId); });
  }
  return true;
}

}  // namespace msp
