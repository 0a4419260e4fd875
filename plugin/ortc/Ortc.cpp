#include "ortc/Ortc.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

#include "ortc/H264ProfileLevelId.h"

namespace msp::ortc {
namespace {

[[noreturn]] void typeError(const std::string& message) { throw OrtcError(message, false); }
[[noreturn]] void unsupportedError(const std::string& message) { throw OrtcError(message, true); }

json_t* get(json_t* object, const char* key) { return json_object_get(object, key); }

// JavaScript truthiness of a JSON value (missing = undefined).
bool truthy(json_t* v) {
  if (!v) return false;
  switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE: return false;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0 && !std::isnan(json_real_value(v));
    case JSON_STRING: return json_string_length(v) > 0;
    default: return true;
  }
}

// JavaScript ===, with a missing value as undefined.
bool strictEquals(json_t* a, json_t* b) {
  if (!a || !b) return !a && !b;
  if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
  if (json_typeof(a) != json_typeof(b)) return false;
  if (json_is_object(a) || json_is_array(a)) return a == b;
  return json_equal(a, b);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string mimeTypeOf(json_t* codec) {
  json_t* mime = get(codec, "mimeType");
  return json_is_string(mime) ? json_string_value(mime) : "";
}

// "audio" or "video" from ^(audio|video)/(.+) (case-insensitive), else "".
std::string kindOfMimeType(const std::string& mimeType) {
  std::string l = lower(mimeType);
  if (l.size() > 6 && (l.compare(0, 6, "audio/") == 0 || l.compare(0, 6, "video/") == 0)) return l.substr(0, 5);
  return "";
}

bool isRtxCodec(json_t* codec) {
  std::string l = lower(mimeTypeOf(codec));
  return l.size() > 4 && l.compare(l.size() - 4, 4, "/rtx") == 0;
}

void setNew(json_t* object, const char* key, json_t* value) { json_object_set_new(object, key, value); }

// Beyond mediasoup's ortc.js: values the wire cannot carry are refused here with a clear error, rather
// than truncated by the worker (payloadType 300 would become 44).
void requireIntegerIn(json_t* value, double min, double max, const std::string& what) {
  if (!json_is_number(value)) return;  // type checks are the caller's
  double v = json_number_value(value);
  if (v != std::floor(v) || v < min || v > max) {
    typeError("invalid " + what + " (expected an integer from " + std::to_string(static_cast<long long>(min)) + " to " +
              std::to_string(static_cast<long long>(max)) + ")");
  }
}

// Codec parameters: an object whose values are strings or numbers ("apt" a number); undefined becomes "".
void validateCodecParametersObject(json_t* codec, const char* what) {
  json_t* parameters = get(codec, "parameters");
  if (!truthy(parameters) || !json_is_object(parameters)) {
    setNew(codec, "parameters", json_object());
    return;
  }
  const char* key;
  json_t* value;
  json_object_foreach(parameters, key, value) {
    if (json_is_null(value)) {
      json_object_set_new(parameters, key, json_string(""));
      continue;
    }
    if (!json_is_string(value) && !json_is_number(value)) {
      typeError(std::string("invalid ") + what + " parameter [key:" + key + "]");
    }
    if (std::strcmp(key, "apt") == 0 && !json_is_number(value)) typeError("invalid codec apt parameter");
  }
}

void validateRtcpFeedbackList(json_t* codec) {
  json_t* list = get(codec, "rtcpFeedback");
  if (!truthy(list) || !json_is_array(list)) {
    setNew(codec, "rtcpFeedback", json_array());
    return;
  }
  size_t i;
  json_t* fb;
  json_array_foreach(list, i, fb) validateRtcpFeedback(fb);
}

// channels: audio defaults to 1; video has none.
void normaliseChannels(json_t* codec, const std::string& kind) {
  if (kind == "audio") {
    if (!json_is_number(get(codec, "channels"))) setNew(codec, "channels", json_integer(1));
  } else {
    json_object_del(codec, "channels");
  }
}

json_t* parameterOrZero(json_t* parameters, const char* key) {
  static json_t* zero = json_integer(0);
  json_t* value = get(parameters, key);
  return truthy(value) ? value : zero;
}

bool matchCodecs(json_t* a, json_t* b, bool strict, bool modify) {
  std::string aMime = lower(mimeTypeOf(a));
  if (aMime != lower(mimeTypeOf(b))) return false;
  if (!strictEquals(get(a, "clockRate"), get(b, "clockRate"))) return false;
  if (!strictEquals(get(a, "channels"), get(b, "channels"))) return false;
  json_t* aParams = get(a, "parameters");
  json_t* bParams = get(b, "parameters");

  if (aMime == "audio/multiopus") {
    if (!strictEquals(get(aParams, "num_streams"), get(bParams, "num_streams"))) return false;
    if (!strictEquals(get(aParams, "coupled_streams"), get(bParams, "coupled_streams"))) return false;
  } else if (aMime == "video/h264" || aMime == "video/h264-svc") {
    if (strict) {
      if (!strictEquals(parameterOrZero(aParams, "packetization-mode"), parameterOrZero(bParams, "packetization-mode"))) {
        return false;
      }
      if (!h264::isSameProfile(aParams, bParams)) return false;
      std::optional<std::string> selected;
      try {
        selected = h264::generateProfileLevelIdForAnswer(aParams, bParams);
      } catch (const h264::NegotiationError&) {
        return false;
      }
      if (modify && aParams) {
        if (selected) json_object_set_new(aParams, "profile-level-id", json_string(selected->c_str()));
        else json_object_del(aParams, "profile-level-id");
      }
    }
  } else if (aMime == "video/vp9") {
    if (strict && !strictEquals(parameterOrZero(aParams, "profile-id"), parameterOrZero(bParams, "profile-id"))) return false;
  }
  return true;
}

json_t* findCodec(json_t* codecs, const std::function<bool(json_t*)>& predicate) {
  size_t i;
  json_t* codec;
  json_array_foreach(codecs, i, codec) {
    if (predicate(codec)) return codec;
  }
  return nullptr;
}

const int kDynamicPayloadTypes[] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115,
                                    116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 96,  97,  98,  99};

const char* const kSupportedRtpCapabilities = R"JSON({
  "codecs": [
    {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"rtcpFeedback":[{"type":"nack"},{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/multiopus","clockRate":48000,"channels":4,"parameters":{"channel_mapping":"0,1,2,3","num_streams":2,"coupled_streams":2},"rtcpFeedback":[{"type":"nack"},{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/multiopus","clockRate":48000,"channels":6,"parameters":{"channel_mapping":"0,4,1,2,3,5","num_streams":4,"coupled_streams":2},"rtcpFeedback":[{"type":"nack"},{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/multiopus","clockRate":48000,"channels":8,"parameters":{"channel_mapping":"0,6,1,2,3,4,5,7","num_streams":5,"coupled_streams":3},"rtcpFeedback":[{"type":"nack"},{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/PCMU","preferredPayloadType":0,"clockRate":8000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/PCMA","preferredPayloadType":8,"clockRate":8000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/ISAC","clockRate":32000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/ISAC","clockRate":16000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/G722","preferredPayloadType":9,"clockRate":8000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/iLBC","clockRate":8000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/SILK","clockRate":24000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/SILK","clockRate":16000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/SILK","clockRate":12000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/SILK","clockRate":8000,"rtcpFeedback":[{"type":"transport-cc"}]},
    {"kind":"audio","mimeType":"audio/CN","preferredPayloadType":13,"clockRate":32000},
    {"kind":"audio","mimeType":"audio/CN","preferredPayloadType":13,"clockRate":16000},
    {"kind":"audio","mimeType":"audio/CN","preferredPayloadType":13,"clockRate":8000},
    {"kind":"audio","mimeType":"audio/telephone-event","clockRate":48000},
    {"kind":"audio","mimeType":"audio/telephone-event","clockRate":32000},
    {"kind":"audio","mimeType":"audio/telephone-event","clockRate":16000},
    {"kind":"audio","mimeType":"audio/telephone-event","clockRate":8000},
    {"kind":"video","mimeType":"video/VP8","clockRate":90000,"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb"},{"type":"transport-cc"}]},
    {"kind":"video","mimeType":"video/VP9","clockRate":90000,"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb"},{"type":"transport-cc"}]},
    {"kind":"video","mimeType":"video/H264","clockRate":90000,"parameters":{"level-asymmetry-allowed":1},"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb"},{"type":"transport-cc"}]},
    {"kind":"video","mimeType":"video/H264-SVC","clockRate":90000,"parameters":{"level-asymmetry-allowed":1},"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb"},{"type":"transport-cc"}]},
    {"kind":"video","mimeType":"video/H265","clockRate":90000,"parameters":{"level-asymmetry-allowed":1},"rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"goog-remb"},{"type":"transport-cc"}]}
  ],
  "headerExtensions": [
    {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","preferredId":2,"preferredEncrypt":false,"direction":"recvonly"},
    {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","preferredId":3,"preferredEncrypt":false,"direction":"recvonly"},
    {"kind":"audio","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","preferredId":4,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","preferredId":4,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"audio","uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","preferredId":5,"preferredEncrypt":false,"direction":"recvonly"},
    {"kind":"video","uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","preferredId":5,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07","preferredId":6,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:framemarking","preferredId":7,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","preferredId":10,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"urn:3gpp:video-orientation","preferredId":11,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:toffset","preferredId":12,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"audio","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time","preferredId":13,"preferredEncrypt":false,"direction":"sendrecv"},
    {"kind":"video","uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time","preferredId":13,"preferredEncrypt":false,"direction":"sendrecv"}
  ]
})JSON";

}  // namespace

// ---- validation -----------------------------------------------------------------------------------------

void validateRtpCapabilities(json_t* caps) {
  if (!json_is_object(caps)) typeError("caps is not an object");
  json_t* codecs = get(caps, "codecs");
  if (truthy(codecs) && !json_is_array(codecs)) typeError("caps.codecs is not an array");
  if (!truthy(codecs)) setNew(caps, "codecs", codecs = json_array());
  size_t i;
  json_t* item;
  json_array_foreach(codecs, i, item) validateRtpCodecCapability(item);

  json_t* exts = get(caps, "headerExtensions");
  if (truthy(exts) && !json_is_array(exts)) typeError("caps.headerExtensions is not an array");
  if (!truthy(exts)) setNew(caps, "headerExtensions", exts = json_array());
  json_array_foreach(exts, i, item) validateRtpHeaderExtension(item);
}

void validateRtpCodecCapability(json_t* codec) {
  if (!json_is_object(codec)) typeError("codec is not an object");
  json_t* mime = get(codec, "mimeType");
  if (!truthy(mime) || !json_is_string(mime)) typeError("missing codec.mimeType");
  std::string kind = kindOfMimeType(json_string_value(mime));
  if (kind.empty()) typeError("invalid codec.mimeType");
  setNew(codec, "kind", json_string(kind.c_str()));  // kind follows the mimeType
  json_t* pt = get(codec, "preferredPayloadType");
  if (truthy(pt) && !json_is_number(pt)) typeError("invalid codec.preferredPayloadType");
  if (!json_is_number(get(codec, "clockRate"))) typeError("missing codec.clockRate");
  normaliseChannels(codec, kind);
  validateCodecParametersObject(codec, "codec");
  validateRtcpFeedbackList(codec);
}

void validateRtcpFeedback(json_t* fb) {
  if (!json_is_object(fb)) typeError("fb is not an object");
  json_t* type = get(fb, "type");
  if (!truthy(type) || !json_is_string(type)) typeError("missing fb.type");
  json_t* parameter = get(fb, "parameter");
  if (!truthy(parameter) || !json_is_string(parameter)) setNew(fb, "parameter", json_string(""));
}

void validateRtpHeaderExtension(json_t* ext) {
  if (!json_is_object(ext)) typeError("ext is not an object");
  json_t* kind = get(ext, "kind");
  if (!json_is_string(kind) || (std::strcmp(json_string_value(kind), "audio") != 0 && std::strcmp(json_string_value(kind), "video") != 0)) {
    typeError("invalid ext.kind");
  }
  json_t* uri = get(ext, "uri");
  if (!truthy(uri) || !json_is_string(uri)) typeError("missing ext.uri");
  if (!json_is_number(get(ext, "preferredId"))) typeError("missing ext.preferredId");
  json_t* encrypt = get(ext, "preferredEncrypt");
  if (truthy(encrypt) && !json_is_boolean(encrypt)) typeError("invalid ext.preferredEncrypt");
  if (!truthy(encrypt)) setNew(ext, "preferredEncrypt", json_false());
  json_t* direction = get(ext, "direction");
  if (truthy(direction) && !json_is_string(direction)) typeError("invalid ext.direction");
  if (!truthy(direction)) setNew(ext, "direction", json_string("sendrecv"));
}

void validateRtpParameters(json_t* params) {
  if (!json_is_object(params)) typeError("params is not an object");
  json_t* mid = get(params, "mid");
  if (truthy(mid) && !json_is_string(mid)) typeError("params.mid is not a string");
  json_t* codecs = get(params, "codecs");
  if (!json_is_array(codecs)) typeError("missing params.codecs");
  size_t i;
  json_t* item;
  json_array_foreach(codecs, i, item) validateRtpCodecParameters(item);

  json_t* exts = get(params, "headerExtensions");
  if (truthy(exts) && !json_is_array(exts)) typeError("params.headerExtensions is not an array");
  if (!truthy(exts)) setNew(params, "headerExtensions", exts = json_array());
  json_array_foreach(exts, i, item) validateRtpHeaderExtensionParameters(item);

  json_t* encodings = get(params, "encodings");
  if (truthy(encodings) && !json_is_array(encodings)) typeError("params.encodings is not an array");
  if (!truthy(encodings)) setNew(params, "encodings", encodings = json_array());
  json_array_foreach(encodings, i, item) validateRtpEncodingParameters(item);

  json_t* rtcp = get(params, "rtcp");
  if (truthy(rtcp) && !json_is_object(rtcp)) typeError("params.rtcp is not an object");
  if (!truthy(rtcp)) setNew(params, "rtcp", rtcp = json_object());
  validateRtcpParameters(rtcp);
}

void validateRtpCodecParameters(json_t* codec) {
  if (!json_is_object(codec)) typeError("codec is not an object");
  json_t* mime = get(codec, "mimeType");
  if (!truthy(mime) || !json_is_string(mime)) typeError("missing codec.mimeType");
  std::string kind = kindOfMimeType(json_string_value(mime));
  if (kind.empty()) typeError("invalid codec.mimeType");
  if (!json_is_number(get(codec, "payloadType"))) typeError("missing codec.payloadType");
  if (!json_is_number(get(codec, "clockRate"))) typeError("missing codec.clockRate");
  requireIntegerIn(get(codec, "payloadType"), 0, 127, "codec.payloadType");
  requireIntegerIn(get(codec, "clockRate"), 1, 4294967295.0, "codec.clockRate");
  requireIntegerIn(get(codec, "channels"), 1, 255, "codec.channels");
  normaliseChannels(codec, kind);
  validateCodecParametersObject(codec, "codec");
  validateRtcpFeedbackList(codec);
}

void validateRtpHeaderExtensionParameters(json_t* ext) {
  if (!json_is_object(ext)) typeError("ext is not an object");
  json_t* uri = get(ext, "uri");
  if (!truthy(uri) || !json_is_string(uri)) typeError("missing ext.uri");
  if (!json_is_number(get(ext, "id"))) typeError("missing ext.id");
  requireIntegerIn(get(ext, "id"), 1, 255, "ext.id");
  json_t* encrypt = get(ext, "encrypt");
  if (truthy(encrypt) && !json_is_boolean(encrypt)) typeError("invalid ext.encrypt");
  if (!truthy(encrypt)) setNew(ext, "encrypt", json_false());
  validateCodecParametersObject(ext, "header extension");
}

void validateRtpEncodingParameters(json_t* encoding) {
  if (!json_is_object(encoding)) typeError("encoding is not an object");
  json_t* ssrc = get(encoding, "ssrc");
  if (truthy(ssrc) && !json_is_number(ssrc)) typeError("invalid encoding.ssrc");
  requireIntegerIn(ssrc, 0, 4294967295.0, "encoding.ssrc");
  json_t* rid = get(encoding, "rid");
  if (truthy(rid) && !json_is_string(rid)) typeError("invalid encoding.rid");
  json_t* rtx = get(encoding, "rtx");
  if (truthy(rtx) && !json_is_object(rtx)) typeError("invalid encoding.rtx");
  if (truthy(rtx) && !json_is_number(get(rtx, "ssrc"))) typeError("missing encoding.rtx.ssrc");
  if (truthy(rtx)) requireIntegerIn(get(rtx, "ssrc"), 0, 4294967295.0, "encoding.rtx.ssrc");
  json_t* maxBitrate = get(encoding, "maxBitrate");
  if (maxBitrate && !json_is_number(maxBitrate)) typeError("invalid encoding.maxBitrate");
  requireIntegerIn(maxBitrate, 0, 4294967295.0, "encoding.maxBitrate");
  json_t* dtx = get(encoding, "dtx");
  if (!truthy(dtx) || !json_is_boolean(dtx)) setNew(encoding, "dtx", json_false());
  json_t* mode = get(encoding, "scalabilityMode");
  if (truthy(mode) && !json_is_string(mode)) typeError("invalid encoding.scalabilityMode");
}

void validateRtcpParameters(json_t* rtcp) {
  if (!json_is_object(rtcp)) typeError("rtcp is not an object");
  json_t* cname = get(rtcp, "cname");
  if (truthy(cname) && !json_is_string(cname)) typeError("invalid rtcp.cname");
  json_t* reduced = get(rtcp, "reducedSize");
  if (!truthy(reduced) || !json_is_boolean(reduced)) setNew(rtcp, "reducedSize", json_true());
}

void validateSctpCapabilities(json_t* caps) {
  if (!json_is_object(caps)) typeError("caps is not an object");
  json_t* numStreams = get(caps, "numStreams");
  if (!truthy(numStreams) || !json_is_object(numStreams)) typeError("missing caps.numStreams");
  validateNumSctpStreams(numStreams);
}

void validateNumSctpStreams(json_t* numStreams) {
  if (!json_is_object(numStreams)) typeError("numStreams is not an object");
  if (!json_is_number(get(numStreams, "OS"))) typeError("missing numStreams.OS");
  if (!json_is_number(get(numStreams, "MIS"))) typeError("missing numStreams.MIS");
  requireIntegerIn(get(numStreams, "OS"), 1, 65535, "numStreams.OS");
  requireIntegerIn(get(numStreams, "MIS"), 1, 65535, "numStreams.MIS");
}

void validateSctpStreamParameters(json_t* params) {
  if (!json_is_object(params)) typeError("params is not an object");
  if (!json_is_number(get(params, "streamId"))) typeError("missing params.streamId");
  requireIntegerIn(get(params, "streamId"), 0, 65534, "params.streamId");
  bool orderedGiven = json_is_boolean(get(params, "ordered"));
  if (!orderedGiven) setNew(params, "ordered", json_true());
  json_t* lifetime = get(params, "maxPacketLifeTime");
  json_t* retransmits = get(params, "maxRetransmits");
  if (truthy(lifetime) && !json_is_number(lifetime)) typeError("invalid params.maxPacketLifeTime");
  if (truthy(retransmits) && !json_is_number(retransmits)) typeError("invalid params.maxRetransmits");
  requireIntegerIn(lifetime, 0, 65535, "params.maxPacketLifeTime");
  requireIntegerIn(retransmits, 0, 65535, "params.maxRetransmits");
  if (truthy(lifetime) && truthy(retransmits)) typeError("cannot provide both maxPacketLifeTime and maxRetransmits");
  bool partial = truthy(lifetime) || truthy(retransmits);
  if (orderedGiven && json_is_true(get(params, "ordered")) && partial) {
    typeError("cannot be ordered with maxPacketLifeTime or maxRetransmits");
  } else if (!orderedGiven && partial) {
    setNew(params, "ordered", json_false());
  }
}

// ---- capabilities and mapping ---------------------------------------------------------------------------

Json supportedRtpCapabilities() {
  static const Json normalised = [] {
    Json caps = Json::parse(kSupportedRtpCapabilities);
    validateRtpCapabilities(caps.get());
    return caps;
  }();
  return Json::adopt(json_deep_copy(normalised.get()));
}

Json generateRouterRtpCapabilities(json_t* mediaCodecs) {
  Json supported = supportedRtpCapabilities();
  if (mediaCodecs && !json_is_array(mediaCodecs)) typeError("mediaCodecs must be an Array");
  std::vector<int> dynamicPayloadTypes(std::begin(kDynamicPayloadTypes), std::end(kDynamicPayloadTypes));
  auto takeDynamic = [&]() {
    if (dynamicPayloadTypes.empty()) typeError("cannot allocate more dynamic codec payload types");
    int pt = dynamicPayloadTypes.front();
    dynamicPayloadTypes.erase(dynamicPayloadTypes.begin());
    return pt;
  };

  Json codecs = Json::array();
  size_t i;
  json_t* mediaCodec;
  json_array_foreach(mediaCodecs, i, mediaCodec) {
    validateRtpCodecCapability(mediaCodec);
    json_t* matched = findCodec(get(supported.get(), "codecs"), [&](json_t* s) { return matchCodecs(mediaCodec, s, false, false); });
    if (!matched) unsupportedError("media codec not supported [mimeType:" + mimeTypeOf(mediaCodec) + "]");
    Json codec = Json::adopt(json_deep_copy(matched));

    json_t* wantedPt = get(mediaCodec, "preferredPayloadType");
    if (json_is_number(wantedPt)) {
      json_object_set(codec.get(), "preferredPayloadType", wantedPt);
      auto it = std::find(dynamicPayloadTypes.begin(), dynamicPayloadTypes.end(), static_cast<int>(json_number_value(wantedPt)));
      if (it != dynamicPayloadTypes.end()) dynamicPayloadTypes.erase(it);
    } else if (!json_is_number(get(codec.get(), "preferredPayloadType"))) {
      setNew(codec.get(), "preferredPayloadType", json_integer(takeDynamic()));
    }
    json_t* pt = get(codec.get(), "preferredPayloadType");
    if (findCodec(codecs.get(), [&](json_t* c) { return strictEquals(get(c, "preferredPayloadType"), pt); })) {
      typeError("duplicated codec.preferredPayloadType");
    }
    // The media codec's parameters win over the supported codec's.
    json_object_update(get(codec.get(), "parameters"), get(mediaCodec, "parameters"));
    std::string kind = json_string_value(get(codec.get(), "kind"));
    int mediaPt = static_cast<int>(json_number_value(pt));
    codecs.append(codec);

    if (kind == "video") {
      Json rtx = Json::object();
      Json parameters = Json::object();
      parameters.set("apt", mediaPt);
      rtx.set("kind", kind).set("mimeType", kind + "/rtx").set("preferredPayloadType", takeDynamic())
          .set("clockRate", Json::borrow(get(codec.get(), "clockRate"))).set("parameters", parameters)
          .set("rtcpFeedback", Json::array());
      codecs.append(rtx);
    }
  }
  Json caps = Json::object();
  caps.set("codecs", codecs).set("headerExtensions", supported.at("headerExtensions"));
  return caps;
}

Json getProducerRtpParametersMapping(json_t* params, json_t* caps) {
  json_t* capCodecs = get(caps, "codecs");
  json_t* codecs = get(params, "codecs");
  // Ordered as params.codecs: media codecs first, then RTX ones (as the reference's Map insertion order).
  std::vector<std::pair<json_t*, json_t*>> codecToCapCodec;
  auto capCodecOf = [&](json_t* codec) -> json_t* {
    for (auto& [c, cap] : codecToCapCodec) {
      if (c == codec) return cap;
    }
    return nullptr;
  };
  size_t i;
  json_t* codec;
  json_array_foreach(codecs, i, codec) {
    if (isRtxCodec(codec)) continue;
    json_t* matched = findCodec(capCodecs, [&](json_t* cap) { return matchCodecs(codec, cap, true, true); });
    if (!matched) {
      unsupportedError("unsupported codec [mimeType:" + mimeTypeOf(codec) + ", payloadType:" +
                       std::to_string(static_cast<long long>(json_number_value(get(codec, "payloadType")))) + "]");
    }
    codecToCapCodec.emplace_back(codec, matched);
  }
  json_array_foreach(codecs, i, codec) {
    if (!isRtxCodec(codec)) continue;
    json_t* apt = get(get(codec, "parameters"), "apt");
    json_t* media = findCodec(codecs, [&](json_t* c) { return strictEquals(get(c, "payloadType"), apt); });
    if (!media) {
      typeError("missing media codec found for RTX PT " +
                std::to_string(static_cast<long long>(json_number_value(get(codec, "payloadType")))));
    }
    json_t* capMedia = capCodecOf(media);
    if (!capMedia) typeError("RTX codec associated with another RTX codec");
    json_t* capRtx = findCodec(capCodecs, [&](json_t* cap) {
      return isRtxCodec(cap) && strictEquals(get(get(cap, "parameters"), "apt"), get(capMedia, "preferredPayloadType"));
    });
    if (!capRtx) {
      unsupportedError("no RTX codec for capability codec PT " +
                       std::to_string(static_cast<long long>(json_number_value(get(capMedia, "preferredPayloadType")))));
    }
    codecToCapCodec.emplace_back(codec, capRtx);
  }

  Json mappingCodecs = Json::array();
  for (auto& [c, cap] : codecToCapCodec) {
    Json entry = Json::object();
    entry.set("payloadType", Json::borrow(get(c, "payloadType"))).set("mappedPayloadType", Json::borrow(get(cap, "preferredPayloadType")));
    mappingCodecs.append(entry);
  }
  Json mappingEncodings = Json::array();
  uint32_t mappedSsrc = generateRandomNumber();
  json_t* encoding;
  json_array_foreach(get(params, "encodings"), i, encoding) {
    Json mapped = Json::object();
    mapped.set("mappedSsrc", static_cast<long long>(mappedSsrc++));
    if (truthy(get(encoding, "rid"))) mapped.set("rid", Json::borrow(get(encoding, "rid")));
    if (truthy(get(encoding, "ssrc"))) mapped.set("ssrc", Json::borrow(get(encoding, "ssrc")));
    if (truthy(get(encoding, "scalabilityMode"))) mapped.set("scalabilityMode", Json::borrow(get(encoding, "scalabilityMode")));
    mappingEncodings.append(mapped);
  }
  Json mapping = Json::object();
  mapping.set("codecs", mappingCodecs).set("encodings", mappingEncodings);
  return mapping;
}

Json getConsumableRtpParameters(const std::string& kind, json_t* params, json_t* caps, json_t* rtpMapping) {
  json_t* capCodecs = get(caps, "codecs");
  Json codecs = Json::array();
  size_t i;
  json_t* codec;
  json_array_foreach(get(params, "codecs"), i, codec) {
    if (isRtxCodec(codec)) continue;
    json_t* entry = findCodec(get(rtpMapping, "codecs"), [&](json_t* e) { return strictEquals(get(e, "payloadType"), get(codec, "payloadType")); });
    json_t* consumablePt = get(entry, "mappedPayloadType");
    json_t* matched = findCodec(capCodecs, [&](json_t* cap) { return strictEquals(get(cap, "preferredPayloadType"), consumablePt); });
    if (!matched) typeError("no capability codec for a mapped payload type");
    Json consumable = Json::object();
    consumable.set("mimeType", Json::borrow(get(matched, "mimeType")))
        .set("payloadType", Json::borrow(get(matched, "preferredPayloadType")))
        .set("clockRate", Json::borrow(get(matched, "clockRate")));
    if (get(matched, "channels")) consumable.set("channels", Json::borrow(get(matched, "channels")));
    consumable.set("parameters", Json::adopt(json_deep_copy(get(codec, "parameters"))))
        .set("rtcpFeedback", Json::adopt(json_deep_copy(get(matched, "rtcpFeedback"))));
    json_t* consumablePayloadType = get(consumable.get(), "payloadType");
    codecs.append(consumable);

    json_t* capRtx = findCodec(capCodecs, [&](json_t* cap) {
      return isRtxCodec(cap) && strictEquals(get(get(cap, "parameters"), "apt"), consumablePayloadType);
    });
    if (capRtx) {
      Json rtx = Json::object();
      rtx.set("mimeType", Json::borrow(get(capRtx, "mimeType")))
          .set("payloadType", Json::borrow(get(capRtx, "preferredPayloadType")))
          .set("clockRate", Json::borrow(get(capRtx, "clockRate")))
          .set("parameters", Json::adopt(json_deep_copy(get(capRtx, "parameters"))))
          .set("rtcpFeedback", Json::adopt(json_deep_copy(get(capRtx, "rtcpFeedback"))));
      codecs.append(rtx);
    }
  }

  Json headerExtensions = Json::array();
  json_t* capExt;
  json_array_foreach(get(caps, "headerExtensions"), i, capExt) {
    json_t* extKind = get(capExt, "kind");
    std::string direction = json_is_string(get(capExt, "direction")) ? json_string_value(get(capExt, "direction")) : "";
    if (!json_is_string(extKind) || kind != json_string_value(extKind) || (direction != "sendrecv" && direction != "sendonly")) continue;
    Json ext = Json::object();
    ext.set("uri", Json::borrow(get(capExt, "uri"))).set("id", Json::borrow(get(capExt, "preferredId")))
        .set("encrypt", Json::borrow(get(capExt, "preferredEncrypt"))).set("parameters", Json::object());
    headerExtensions.append(ext);
  }

  Json encodings = Json::array();
  json_t* encoding;
  json_array_foreach(get(params, "encodings"), i, encoding) {
    Json consumable = Json::adopt(json_deep_copy(encoding));
    json_object_del(consumable.get(), "rid");
    json_object_del(consumable.get(), "rtx");
    json_object_del(consumable.get(), "codecPayloadType");
    consumable.set("ssrc", Json::borrow(get(json_array_get(get(rtpMapping, "encodings"), i), "mappedSsrc")));
    encodings.append(consumable);
  }

  Json rtcp = Json::object();
  if (json_t* cname = get(get(params, "rtcp"), "cname")) rtcp.set("cname", Json::borrow(cname));
  rtcp.set("reducedSize", true).set("mux", true);

  Json consumable = Json::object();
  consumable.set("codecs", codecs).set("headerExtensions", headerExtensions).set("encodings", encodings).set("rtcp", rtcp);
  return consumable;
}

bool canConsume(json_t* consumableParams, json_t* caps) {
  validateRtpCapabilities(caps);
  std::vector<json_t*> matching;
  size_t i;
  json_t* codec;
  json_array_foreach(get(consumableParams, "codecs"), i, codec) {
    if (findCodec(get(caps, "codecs"), [&](json_t* cap) { return matchCodecs(cap, codec, true, false); })) matching.push_back(codec);
  }
  return !matching.empty() && !isRtxCodec(matching.front());
}

// A pipe consumer's encodings: the consumable ones, each with a fresh SSRC (and RTX SSRC when wanted).
static Json pipeEncodings(json_t* consumableEncodings, bool withRtx) {
  Json encodings = Json::array();
  uint32_t baseSsrc = generateRandomNumber();
  uint32_t baseRtxSsrc = generateRandomNumber();
  size_t i;
  json_t* e;
  json_array_foreach(consumableEncodings, i, e) {
    Json encoding = Json::adopt(json_deep_copy(e));
    encoding.set("ssrc", static_cast<long long>(baseSsrc + i));
    if (withRtx) {
      Json rtx = Json::object();
      rtx.set("ssrc", static_cast<long long>(baseRtxSsrc + i));
      encoding.set("rtx", rtx);
    } else {
      json_object_del(encoding.get(), "rtx");
    }
    encodings.append(encoding);
  }
  return encodings;
}

Json getConsumerRtpParameters(json_t* consumableParams, json_t* remoteCaps, bool enableRtx) {
  size_t i;
  json_t* item;
  json_array_foreach(get(remoteCaps, "codecs"), i, item) validateRtpCodecCapability(item);

  Json codecs = Json::array();
  Json consumableCodecs = Json::adopt(json_deep_copy(get(consumableParams, "codecs")));
  json_t* codec;
  json_array_foreach(consumableCodecs.get(), i, codec) {
    if (!enableRtx && isRtxCodec(codec)) continue;
    json_t* matched = findCodec(get(remoteCaps, "codecs"), [&](json_t* cap) { return matchCodecs(cap, codec, true, false); });
    if (!matched) continue;
    Json feedback = Json::array();
    json_t* fb;
    size_t j;
    json_array_foreach(get(matched, "rtcpFeedback"), j, fb) {
      bool plainNack = json_is_string(get(fb, "type")) && std::strcmp(json_string_value(get(fb, "type")), "nack") == 0 && !truthy(get(fb, "parameter"));
      if (enableRtx || !plainNack) feedback.append(Json::adopt(json_deep_copy(fb)));
    }
    json_object_set_new(codec, "rtcpFeedback", feedback.release());
    codecs.append(Json::borrow(codec));
  }
  // Drop RTX codecs whose media codec did not survive.
  bool rtxSupported = false;
  for (size_t idx = json_array_size(codecs.get()); idx-- > 0;) {
    json_t* c = json_array_get(codecs.get(), idx);
    if (!isRtxCodec(c)) continue;
    json_t* apt = get(get(c, "parameters"), "apt");
    if (findCodec(codecs.get(), [&](json_t* m) { return strictEquals(get(m, "payloadType"), apt); })) rtxSupported = true;
    else json_array_remove(codecs.get(), idx);
  }
  if (json_array_size(codecs.get()) == 0 || isRtxCodec(json_array_get(codecs.get(), 0))) {
    unsupportedError("no compatible media codecs");
  }

  Json headerExtensions = Json::array();
  json_t* ext;
  json_array_foreach(get(consumableParams, "headerExtensions"), i, ext) {
    json_t* capExt;
    size_t j;
    json_array_foreach(get(remoteCaps, "headerExtensions"), j, capExt) {
      if (strictEquals(get(capExt, "preferredId"), get(ext, "id")) && strictEquals(get(capExt, "uri"), get(ext, "uri"))) {
        headerExtensions.append(Json::adopt(json_deep_copy(ext)));
        break;
      }
    }
  }
  // Transport-CC if negotiated, else REMB (abs-send-time), else neither.
  auto hasExt = [&](const char* uri) {
    json_t* e;
    size_t j;
    json_array_foreach(headerExtensions.get(), j, e) {
      if (json_is_string(get(e, "uri")) && std::strcmp(json_string_value(get(e, "uri")), uri) == 0) return true;
    }
    return false;
  };
  std::vector<std::string> dropFeedback;
  if (hasExt("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01")) dropFeedback = {"goog-remb"};
  else if (hasExt("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")) dropFeedback = {"transport-cc"};
  else dropFeedback = {"transport-cc", "goog-remb"};
  json_array_foreach(codecs.get(), i, codec) {
    json_t* list = get(codec, "rtcpFeedback");
    for (size_t idx = json_array_size(list); idx-- > 0;) {
      json_t* type = get(json_array_get(list, idx), "type");
      if (json_is_string(type) && std::find(dropFeedback.begin(), dropFeedback.end(), json_string_value(type)) != dropFeedback.end()) {
        json_array_remove(list, idx);
      }
    }
  }

  json_t* consumableEncodings = get(consumableParams, "encodings");
  Json encodings = Json::array();
  // One encoding: what the worker sends this consumer (simulcast layers become its spatial layers).
  Json encoding = Json::object();
  uint32_t ssrc = generateRandomNumber();
  encoding.set("ssrc", static_cast<long long>(ssrc));
  if (rtxSupported) {
    Json rtx = Json::object();
    rtx.set("ssrc", static_cast<long long>(ssrc) + 1);
    encoding.set("rtx", rtx);
  }
  std::string scalabilityMode;
  json_t* e;
  json_array_foreach(consumableEncodings, i, e) {
    if (truthy(get(e, "scalabilityMode")) && json_is_string(get(e, "scalabilityMode"))) {
      scalabilityMode = json_string_value(get(e, "scalabilityMode"));
      break;
    }
  }
  // Simulcast: the consumer sees the streams as spatial layers.
  if (json_array_size(consumableEncodings) > 1) {
    scalabilityMode = "L" + std::to_string(json_array_size(consumableEncodings)) + "T" +
                      std::to_string(parseScalabilityMode(scalabilityMode).temporalLayers);
  }
  if (!scalabilityMode.empty()) encoding.set("scalabilityMode", scalabilityMode);
  double maxBitrate = 0;
  json_array_foreach(consumableEncodings, i, e) {
    json_t* bitrate = get(e, "maxBitrate");
    if (truthy(bitrate) && json_is_number(bitrate) && json_number_value(bitrate) > maxBitrate) maxBitrate = json_number_value(bitrate);
  }
  if (maxBitrate > 0) encoding.set("maxBitrate", static_cast<long long>(maxBitrate));
  encodings.append(encoding);

  Json consumer = Json::object();
  consumer.set("codecs", codecs).set("headerExtensions", headerExtensions).set("encodings", encodings)
      .set("rtcp", Json::borrow(get(consumableParams, "rtcp")));
  return consumer;
}

// As mediasoup's ortc.getPipeConsumerRtpParameters(): the consumable codecs with only the keyframe feedback
// (and NACK with RTX), no MID or bandwidth-estimation extensions, one fresh SSRC per encoding.
Json getPipeConsumerRtpParameters(json_t* consumableParams, bool enableRtx) {
  Json codecs = Json::array();
  size_t i;
  json_t* codec;
  json_array_foreach(get(consumableParams, "codecs"), i, codec) {
    if (!enableRtx && isRtxCodec(codec)) continue;
    Json copy = Json::adopt(json_deep_copy(codec));
    Json feedback = Json::array();
    size_t j;
    json_t* fb;
    json_array_foreach(get(codec, "rtcpFeedback"), j, fb) {
      const char* type = json_string_value(get(fb, "type"));
      const char* parameter = json_string_value(get(fb, "parameter"));
      bool keep = type && ((std::strcmp(type, "nack") == 0 && parameter && std::strcmp(parameter, "pli") == 0) ||
                           (std::strcmp(type, "ccm") == 0 && parameter && std::strcmp(parameter, "fir") == 0) ||
                           (enableRtx && std::strcmp(type, "nack") == 0 && (!parameter || !*parameter)));
      if (keep) feedback.append(Json::adopt(json_deep_copy(fb)));
    }
    copy.set("rtcpFeedback", feedback);
    codecs.append(copy);
  }
  Json headerExtensions = Json::array();
  json_t* ext;
  json_array_foreach(get(consumableParams, "headerExtensions"), i, ext) {
    const char* uri = json_string_value(get(ext, "uri"));
    if (uri && (std::strcmp(uri, "urn:ietf:params:rtp-hdrext:sdes:mid") == 0 ||
                std::strcmp(uri, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time") == 0 ||
                std::strcmp(uri, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01") == 0)) {
      continue;
    }
    headerExtensions.append(Json::adopt(json_deep_copy(ext)));
  }
  Json encodings = pipeEncodings(get(consumableParams, "encodings"), enableRtx);
  Json consumer = Json::object();
  consumer.set("codecs", codecs).set("headerExtensions", headerExtensions).set("encodings", encodings)
      .set("rtcp", Json::borrow(get(consumableParams, "rtcp")));
  return consumer;
}

ScalabilityMode parseScalabilityMode(const std::string& mode) {
  // ^[LS]([1-9]\d{0,1})T([1-9]\d{0,1})(_KEY)?
  ScalabilityMode result;
  size_t pos = 0;
  auto number = [&](int& out) {
    if (pos >= mode.size() || mode[pos] < '1' || mode[pos] > '9') return false;
    out = mode[pos++] - '0';
    if (pos < mode.size() && std::isdigit(static_cast<unsigned char>(mode[pos]))) out = out * 10 + (mode[pos++] - '0');
    return true;
  };
  if (mode.empty() || (mode[0] != 'L' && mode[0] != 'S')) return result;
  pos = 1;
  int spatial = 0, temporal = 0;
  if (!number(spatial) || pos >= mode.size() || mode[pos] != 'T') return result;
  ++pos;
  if (!number(temporal)) return result;
  result.spatialLayers = spatial;
  result.temporalLayers = temporal;
  result.ksvc = mode.compare(pos, 4, "_KEY") == 0;
  return result;
}

bool codecsMatch(json_t* codec, json_t* capability) { return matchCodecs(codec, capability, true, false); }

uint32_t generateRandomNumber() {
  uint32_t value = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof value);
  return 100000000u + value % 900000000u;
}

}  // namespace msp::ortc
