#include "messages/Requests.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include <arpa/inet.h>

#include <cstring>
#include <optional>

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

// A mandatory entity id (transportId, producerId, …): a non-empty string of at most 64 bytes.
std::variant<std::string, ApiError> requiredId(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value) return ApiError{kMissingElement, std::string("missing mandatory element (") + key + ")"};
  if (!json_is_string(value) || json_string_length(value) == 0 || json_string_length(value) > kMaxEntityIdBytes) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be a non-empty string of at most " +
                                         std::to_string(kMaxEntityIdBytes) + " bytes)"};
  }
  return std::string(json_string_value(value));
}

// A mandatory object, deep-copied so validation may normalise it.
std::variant<Json, ApiError> requiredObject(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value) return ApiError{kMissingElement, std::string("missing mandatory element (") + key + ")"};
  if (!json_is_object(value)) return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be an object)"};
  return Json::adopt(json_deep_copy(value));
}

// appData: an object of at most kMaxAppDataBytes as compact JSON (it is stored and sent to every other peer).
std::variant<Json, ApiError> optionalAppData(json_t* body) {
  json_t* value = json_object_get(body, "appData");
  if (!value || json_is_null(value)) return Json();
  if (!json_is_object(value)) return ApiError{kInvalidElement, "invalid element (appData should be an object)"};
  size_t size = json_dumpb(value, nullptr, 0, JSON_COMPACT);
  if (size == 0 || size > kMaxAppDataBytes) {
    return ApiError{kInvalidElement, "invalid element (appData larger than " + std::to_string(kMaxAppDataBytes) + " bytes as JSON)"};
  }
  return Json::adopt(json_deep_copy(value));
}

std::variant<Json, ApiError> optionalObject(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value || json_is_null(value)) return Json();
  if (!json_is_object(value)) return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be an object)"};
  return Json::adopt(json_deep_copy(value));
}

std::variant<int, ApiError> layer(json_t* body, const char* key, bool required) {
  json_t* value = json_object_get(body, key);
  if (!value) {
    if (required) return ApiError{kMissingElement, std::string("missing mandatory element (") + key + ")"};
    return -1;
  }
  if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 255) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be an integer from 0 to 255)"};
  }
  return static_cast<int>(json_integer_value(value));
}

std::variant<bool, ApiError> optionalBool(json_t* body, const char* key, bool fallback) {
  json_t* value = json_object_get(body, key);
  if (!value) return fallback;
  if (!json_is_boolean(value)) return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be a boolean)"};
  return json_is_true(value);
}

// A UDP port, 1…65535 (0: not given).
std::variant<int, ApiError> optionalPort(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value) return 0;
  if (!json_is_integer(value) || json_integer_value(value) < 1 || json_integer_value(value) > 65535) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be an integer from 1 to 65535)"};
  }
  return static_cast<int>(json_integer_value(value));
}

std::variant<std::string, ApiError> optionalIp(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value) return std::string();
  unsigned char address[sizeof(struct in6_addr)];
  if (!json_is_string(value) || (inet_pton(AF_INET, json_string_value(value), address) != 1 &&
                                 inet_pton(AF_INET6, json_string_value(value), address) != 1)) {
    return ApiError{kInvalidElement, std::string("invalid element (") + key + " should be an IPv4 or IPv6 address)"};
  }
  return std::string(json_string_value(value));
}

const SrtpCryptoSuite* findSrtpCryptoSuite(json_t* value) {
  if (!json_is_string(value)) return nullptr;
  auto it = std::find_if(std::begin(kSrtpCryptoSuites), std::end(kSrtpCryptoSuites),
                         [&](const SrtpCryptoSuite& s) { return std::strcmp(s.name, json_string_value(value)) == 0; });
  return it == std::end(kSrtpCryptoSuites) ? nullptr : &*it;
}

const std::string kSuiteNames = "AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32";

// The length of standard base64 (with padding) once decoded; nullopt if it is not base64.
std::optional<size_t> base64DecodedLength(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alphabet = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    if (c == '=' && i >= text.size() - 2) {
      ++padding;
    } else if (!alphabet || padding > 0) {
      return std::nullopt;
    }
  }
  return text.size() / 4 * 3 - padding;
}

// {cryptoSuite, keyBase64}: a supported suite and a key of its length (a wrong length is 447: the client's
// SRTP parameters cannot work).
std::variant<std::optional<request::SrtpParameters>, ApiError> optionalSrtpParameters(json_t* body) {
  json_t* value = json_object_get(body, "srtpParameters");
  if (!value) return std::optional<request::SrtpParameters>();
  if (!json_is_object(value)) return ApiError{kInvalidElement, "invalid element (srtpParameters should be an object)"};
  json_t* suite = json_object_get(value, "cryptoSuite");
  json_t* key = json_object_get(value, "keyBase64");
  if (!suite) return ApiError{kMissingElement, "missing mandatory element (srtpParameters.cryptoSuite)"};
  if (!key) return ApiError{kMissingElement, "missing mandatory element (srtpParameters.keyBase64)"};
  const SrtpCryptoSuite* known = findSrtpCryptoSuite(suite);
  if (!known) return ApiError{kInvalidElement, "invalid element (srtpParameters.cryptoSuite should be " + kSuiteNames + ")"};
  if (!json_is_string(key) || json_string_length(key) > 128) {
    return ApiError{kInvalidElement, "invalid element (srtpParameters.keyBase64 should be a base64 string)"};
  }
  std::string keyBase64 = json_string_value(key);
  auto length = base64DecodedLength(keyBase64);
  if (!length) return ApiError{kInvalidElement, "invalid element (srtpParameters.keyBase64 is not base64)"};
  if (*length != known->masterLength) {
    return ApiError{kInvalidParameters, "invalid SRTP parameters: a " + std::string(known->name) + " key is " +
                                            std::to_string(known->masterLength) + " bytes, this one " + std::to_string(*length)};
  }
  return std::optional<request::SrtpParameters>(request::SrtpParameters{known->name, keyBase64});
}

std::variant<bool, ApiError> requiredDirection(json_t* body) {
  json_t* direction = json_object_get(body, "direction");
  if (!direction) return ApiError{kMissingElement, "missing mandatory element (direction)"};
  if (!json_is_string(direction) || (std::strcmp(json_string_value(direction), "send") != 0 &&
                                     std::strcmp(json_string_value(direction), "recv") != 0)) {
    return ApiError{kInvalidElement, "invalid element (direction should be \"send\" or \"recv\")"};
  }
  return std::strcmp(json_string_value(direction), "send") == 0;
}

// A mandatory SDP: a non-empty string (its lines end in CR LF, so not optionalString's control-character check).
std::variant<std::string, ApiError> requiredSdp(json_t* body) {
  json_t* value = json_object_get(body, "sdp");
  if (!value) return ApiError{kMissingElement, "missing mandatory element (sdp)"};
  if (!json_is_string(value) || json_string_length(value) == 0) return ApiError{kInvalidElement, "invalid element (sdp should be a non-empty string)"};
  return std::string(json_string_value(value), json_string_length(value));
}

// An optional list of ids (producerIds, mids): strings of 1 to 64 bytes, at most kMaxListedIds.
std::variant<std::optional<std::vector<std::string>>, ApiError> optionalIds(json_t* body, const char* key) {
  json_t* value = json_object_get(body, key);
  if (!value) return std::optional<std::vector<std::string>>();
  std::string invalid = std::string("invalid element (") + key + " should be an array of at most " + std::to_string(kMaxListedIds) +
                        " non-empty strings of at most " + std::to_string(kMaxEntityIdBytes) + " bytes)";
  if (!json_is_array(value) || json_array_size(value) > kMaxListedIds) return ApiError{kInvalidElement, invalid};
  std::vector<std::string> ids;
  size_t i;
  json_t* id;
  json_array_foreach(value, i, id) {
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > kMaxEntityIdBytes) return ApiError{kInvalidElement, invalid};
    ids.emplace_back(json_string_value(id));
  }
  return std::optional<std::vector<std::string>>(std::move(ids));
}

// audioLevels / activeSpeaker at create: true, false, or an object of settings (which turns it on).
std::optional<ApiError> roomAudioField(json_t* body, const char* key, std::optional<bool>& on, std::optional<uint32_t>& intervalMs,
                                       uint32_t minIntervalMs, std::optional<int>* thresholdDbov) {
  json_t* value = json_object_get(body, key);
  if (!value) return std::nullopt;
  if (json_is_boolean(value)) {
    on = json_is_true(value);
    return std::nullopt;
  }
  const std::string shape = std::string("invalid element (") + key + " should be true, false or {\"interval\"" +
                            (thresholdDbov ? ", \"threshold\"" : "") + "})";
  if (!json_is_object(value)) return ApiError{kInvalidElement, shape};
  const char* field;
  json_t* item;
  json_object_foreach(value, field, item) {
    bool isInterval = std::strcmp(field, "interval") == 0;
    bool isThreshold = thresholdDbov && std::strcmp(field, "threshold") == 0;
    if (!isInterval && !isThreshold) return ApiError{kInvalidElement, shape};
    json_int_t n = json_is_integer(item) ? json_integer_value(item) : -1000000;
    if (isInterval && (n < minIntervalMs || n > kMaxObserverIntervalMs)) {
      return ApiError{kInvalidElement, std::string("invalid element (") + key + ".interval should be an integer from " +
                                           std::to_string(minIntervalMs) + " to " + std::to_string(kMaxObserverIntervalMs) + " ms)"};
    }
    if (isThreshold && (n < -127 || n > 0)) {
      return ApiError{kInvalidElement, std::string("invalid element (") + key + ".threshold should be an integer from -127 to 0 dBov)"};
    }
    if (isInterval) intervalMs = static_cast<uint32_t>(n);
    else *thresholdDbov = static_cast<int>(n);
  }
  on = true;
  return std::nullopt;
}

// Collects fields, stopping at the first error: parse.id("transportId", r.transportId) && …
class Fields {
 public:
  explicit Fields(json_t* body) : body_(body) {}
  bool id(const char* key, std::string& out) { return take(requiredId(body_, key), out); }
  bool object(const char* key, Json& out) { return take(requiredObject(body_, key), out); }
  bool optionalObj(const char* key, Json& out) { return take(optionalObject(body_, key), out); }
  bool appData(Json& out) { return take(optionalAppData(body_), out); }
  bool text(const char* key, size_t maxBytes, std::string& out) { return take(optionalString(body_, key, maxBytes), out); }
  bool integer(const char* key, bool required, int& out) { return take(layer(body_, key, required), out); }
  bool boolean(const char* key, bool fallback, bool& out) { return take(optionalBool(body_, key, fallback), out); }
  bool port(const char* key, int& out) { return take(optionalPort(body_, key), out); }
  bool ip(const char* key, std::string& out) { return take(optionalIp(body_, key), out); }
  bool direction(bool& send) { return take(requiredDirection(body_), send); }
  bool srtp(std::optional<request::SrtpParameters>& out) { return take(optionalSrtpParameters(body_), out); }
  bool sdp(std::string& out) { return take(requiredSdp(body_), out); }
  bool ids(const char* key, std::optional<std::vector<std::string>>& out) { return take(optionalIds(body_, key), out); }
  std::optional<ApiError> error;

 private:
  template <typename T>
  bool take(std::variant<T, ApiError> value, T& out) {
    if (auto* e = std::get_if<ApiError>(&value)) {
      error = *e;
      return false;
    }
    out = std::get<T>(std::move(value));
    return true;
  }
  json_t* body_;
};

// Call with ok computed beforehand: the order in which arguments are evaluated is unspecified.
template <typename T>
std::variant<Request, ApiError> result(Fields& fields, bool ok, T value) {
  if (!ok) return *fields.error;
  return value;
}

std::variant<Request, ApiError> parseMediaRequest(const std::string& request, json_t* body) {
  Fields f(body);
  if (request == "createWebRtcTransport") {
    request::CreateWebRtcTransport r;
    const bool ok = f.direction(r.send) && f.optionalObj("sctpCapabilities", r.sctpCapabilities);
    return result(f, ok, r);
  }
  if (request == "createPlainTransport") {
    request::CreatePlainTransport r;
    bool ok = f.direction(r.send) && f.boolean("comedia", false, r.comedia) && f.boolean("rtcpMux", true, r.rtcpMux) &&
              f.boolean("enableSrtp", false, r.enableSrtp);
    if (ok) {
      if (json_t* suite = json_object_get(body, "srtpCryptoSuite")) {
        const SrtpCryptoSuite* known = findSrtpCryptoSuite(suite);
        if (!known) return ApiError{kInvalidElement, "invalid element (srtpCryptoSuite should be " + kSuiteNames + ")"};
        r.srtpCryptoSuite = known->name;
      }
    }
    return result(f, ok, r);
  }
  if (request == "connectPlainTransport") {
    request::ConnectPlainTransport r;
    const bool ok = f.id("transportId", r.transportId) && f.ip("ip", r.ip) && f.port("port", r.port) &&
                    f.port("rtcpPort", r.rtcpPort) && f.srtp(r.srtpParameters);
    return result(f, ok, r);
  }
  if (request == "connectWebRtcTransport") {
    request::ConnectWebRtcTransport r;
    const bool ok = f.id("transportId", r.transportId) && f.object("dtlsParameters", r.dtlsParameters);
    return result(f, ok, r);
  }
  if (request == "restartIce") {
    request::RestartIce r;
    const bool ok = f.id("transportId", r.transportId);
    return result(f, ok, r);
  }
  if (request == "closeTransport") {
    request::CloseTransport r;
    const bool ok = f.id("transportId", r.transportId);
    return result(f, ok, r);
  }
  if (request == "produce") {
    request::Produce r;
    bool haveId = f.id("transportId", r.transportId);
    if (haveId) {
      json_t* kind = json_object_get(body, "kind");
      if (!kind) return ApiError{kMissingElement, "missing mandatory element (kind)"};
      if (!json_is_string(kind) || (std::strcmp(json_string_value(kind), "audio") != 0 && std::strcmp(json_string_value(kind), "video") != 0)) {
        return ApiError{kInvalidElement, "invalid element (kind should be \"audio\" or \"video\")"};
      }
      r.kind = json_string_value(kind);
    }
    const bool ok = haveId && f.object("rtpParameters", r.rtpParameters) && f.appData(r.appData);
    return result(f, ok, r);
  }
  using PA = request::ProducerAction;
  if (request == "pauseProducer" || request == "resumeProducer" || request == "closeProducer") {
    PA r{request == "pauseProducer" ? PA::Kind::Pause : request == "resumeProducer" ? PA::Kind::Resume : PA::Kind::Close, ""};
    const bool ok = f.id("producerId", r.producerId);
    return result(f, ok, r);
  }
  if (request == "consume") {
    request::Consume r;
    const bool ok = f.id("transportId", r.transportId) && f.id("producerId", r.producerId) &&
                         f.object("rtpCapabilities", r.rtpCapabilities);
    return result(f, ok, r);
  }
  using CA = request::ConsumerAction;
  if (request == "pauseConsumer" || request == "resumeConsumer") {
    CA r{request == "pauseConsumer" ? CA::Kind::Pause : CA::Kind::Resume, ""};
    const bool ok = f.id("consumerId", r.consumerId);
    return result(f, ok, r);
  }
  if (request == "setPreferredLayers") {
    request::SetPreferredLayers r;
    const bool ok = f.id("consumerId", r.consumerId) && f.integer("spatialLayer", true, r.spatialLayer) &&
                         f.integer("temporalLayer", false, r.temporalLayer);
    return result(f, ok, r);
  }
  if (request == "produceData") {
    request::ProduceData r;
    const bool ok = f.id("transportId", r.transportId) && f.object("sctpStreamParameters", r.sctpStreamParameters) &&
                         f.text("label", kMaxLabelBytes, r.label) && f.text("protocol", kMaxLabelBytes, r.protocol) &&
                         f.appData(r.appData);
    return result(f, ok, r);
  }
  if (request == "consumeData") {
    request::ConsumeData r;
    const bool ok = f.id("transportId", r.transportId) && f.id("dataProducerId", r.dataProducerId);
    return result(f, ok, r);
  }
  if (request == "publishSdp") {
    request::PublishSdp r;
    bool ok = f.sdp(r.sdp);
    if (ok && json_object_get(body, "transportId")) ok = f.id("transportId", r.transportId);
    return result(f, ok, r);
  }
  if (request == "subscribeSdp") {
    request::SubscribeSdp r;
    const bool ok = f.ids("producerIds", r.producerIds) && f.boolean("autoUpdate", true, r.autoUpdate);
    return result(f, ok, r);
  }
  if (request == "sdpAnswer") {
    request::SdpAnswer r;
    const bool ok = f.id("transportId", r.transportId) && f.sdp(r.sdp);
    return result(f, ok, r);
  }
  if (request == "unpublishSdp" || request == "unsubscribeSdp") {
    request::UnpublishSdp r;
    r.subscriber = request == "unsubscribeSdp";
    std::optional<std::vector<std::string>> mids;
    const bool ok = f.id("transportId", r.transportId) && f.ids("mids", mids);
    if (mids) r.mids = *mids;
    return result(f, ok, r);
  }
  if (request == "getStats") {
    using Of = request::GetStats::Of;
    static const std::pair<const char*, Of> keys[] = {{"transportId", Of::Transport}, {"producerId", Of::Producer},
                                                      {"consumerId", Of::Consumer}, {"dataProducerId", Of::DataProducer},
                                                      {"dataConsumerId", Of::DataConsumer}};
    std::optional<request::GetStats> found;
    for (const auto& [key, of] : keys) {
      if (!json_object_get(body, key)) continue;
      if (found) return ApiError{kInvalidElement, "invalid element (getStats takes exactly one id)"};
      request::GetStats r{of, ""};
      if (!f.id(key, r.id)) return *f.error;
      found = r;
    }
    if (!found) return ApiError{kMissingElement, "missing mandatory element (one of transportId, producerId, consumerId, dataProducerId, dataConsumerId)"};
    return *found;
  }
  return ApiError{kUnknownRequest, "unknown request '" + request + "'"};
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

  // A token's own checks (size, form, signature) answer 449 later: here it only has to be a string.
  constexpr size_t kAnyLength = static_cast<size_t>(-1);
  if (request == "create") {
    request::Create r;
    if (json_object_get(body, "room")) {
      auto room = parseRoomId(json_object_get(body, "room"));
      if (auto* error = std::get_if<ApiError>(&room)) return *error;
      r.room = std::get<std::string>(room);
    }
    Fields f(body);
    bool ok = f.text("pin", kMaxSecretBytes, r.pin) && f.text("secret", kMaxSecretBytes, r.secret) &&
              f.text("admin_key", kMaxSecretBytes, r.adminKey);
    if (!ok) return *f.error;
    request::RoomAudio& a = r.audio;
    if (auto e = roomAudioField(body, "audioLevels", a.audioLevels, a.audioLevelIntervalMs, kMinAudioLevelIntervalMs, &a.audioLevelThreshold)) return *e;
    if (auto e = roomAudioField(body, "activeSpeaker", a.activeSpeaker, a.activeSpeakerIntervalMs, kMinActiveSpeakerIntervalMs, nullptr)) return *e;
    return r;
  }
  if (request == "destroy" || request == "kick") {
    auto room = requiredRoom(body);
    if (auto* error = std::get_if<ApiError>(&room)) return *error;
    std::string secret, adminKey, token, peerId;
    Fields f(body);
    bool ok = (request == "destroy" || f.id("peerId", peerId)) && f.text("secret", kMaxSecretBytes, secret) &&
              f.text("admin_key", kMaxSecretBytes, adminKey) && f.text("token", kAnyLength, token);
    if (!ok) return *f.error;
    if (request == "kick") return request::Kick{std::get<std::string>(room), peerId, secret, adminKey, token};
    return request::Destroy{std::get<std::string>(room), secret, adminKey, token};
  }
  if (request == "exists") return withRoom<request::Exists>(body);
  if (request == "list") return request::List{};
  if (request == "join") {
    auto room = requiredRoom(body);
    if (auto* error = std::get_if<ApiError>(&room)) return *error;
    request::Join r;
    r.room = std::get<std::string>(room);
    Fields f(body);
    bool ok = f.text("display", kMaxDisplayBytes, r.display) && f.text("pin", kMaxSecretBytes, r.pin) &&
              f.text("token", kAnyLength, r.token) && f.text("admin_key", kMaxSecretBytes, r.adminKey) && f.appData(r.appData);
    if (!ok) return *f.error;
    return r;
  }
  if (request == "leave") return request::Leave{};
  if (request == "setDisplay") {
    json_t* display = json_object_get(body, "display");
    if (!display) return ApiError{kMissingElement, "missing mandatory element (display)"};
    request::SetDisplay r;
    Fields f(body);
    if (!f.text("display", kMaxDisplayBytes, r.display)) return *f.error;
    return r;
  }
  return parseMediaRequest(request, body);
}

std::variant<AdminRequest, ApiError> parseAdminRequest(json_t* body) {
  json_t* name = json_object_get(body, "request");
  if (!name) return ApiError{kMissingElement, "missing mandatory element (request)"};
  if (!json_is_string(name)) return ApiError{kInvalidElement, "invalid element (request should be a string)"};
  using Kind = AdminRequest::Kind;
  static const std::pair<const char*, Kind> kinds[] = {
      {"stats", Kind::Stats}, {"workers", Kind::Workers}, {"addWorker", Kind::AddWorker},
      {"drainWorker", Kind::DrainWorker}, {"resumeWorker", Kind::ResumeWorker},
      {"drainHost", Kind::DrainHost}, {"resumeHost", Kind::ResumeHost},
  };
  AdminRequest request;
  auto known = std::find_if(std::begin(kinds), std::end(kinds),
                            [&](const auto& k) { return std::strcmp(json_string_value(name), k.first) == 0; });
  if (known == std::end(kinds)) return ApiError{kUnknownRequest, std::string("unknown request '") + json_string_value(name) + "'"};
  request.kind = known->second;
  if (request.kind == Kind::DrainWorker || request.kind == Kind::ResumeWorker) {
    json_t* id = json_object_get(body, "workerId");
    if (!id) return ApiError{kMissingElement, "missing mandatory element (workerId)"};
    if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > 1023) {
      return ApiError{kInvalidElement, "invalid element (workerId should be a worker slot number)"};
    }
    request.workerId = static_cast<uint32_t>(json_integer_value(id));
  }
  return request;
}

}  // namespace msp
