#include "sdp/SdpMapping.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "ortc/Ortc.h"

namespace msp::sdp {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<long long> number(std::string_view text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "<first token> <rest>" of an attribute value.
std::pair<std::string_view, std::string_view> headAndRest(std::string_view value) {
  size_t space = value.find(' ');
  if (space == std::string_view::npos) return {value, {}};
  return {value.substr(0, space), trim(value.substr(space + 1))};
}

const char* directionOf(const MediaSection& media, const SessionDescription& session) {
  for (const char* direction : {"sendrecv", "sendonly", "recvonly", "inactive"}) {
    if (media.attributes.has(direction)) return direction;
  }
  for (const char* direction : {"sendrecv", "sendonly", "recvonly", "inactive"}) {
    if (session.attributes.has(direction)) return direction;
  }
  return "sendrecv";
}

// fmtp parameters as mediasoup-client's parser gives them: integers as numbers, the rest as strings.
Json fmtpParameters(std::string_view text) {
  Json parameters = Json::object();
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(';', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = trim(text.substr(at, end - at));
    at = end + 1;
    size_t equals = pair.find('=');
    if (pair.empty() || equals == std::string_view::npos || equals == 0) continue;
    std::string key(trim(pair.substr(0, equals)));
    std::string_view value = trim(pair.substr(equals + 1));
    if (auto n = number(value); n && (value.size() == 1 || value[0] != '0')) parameters.set(key.c_str(), *n);
    else parameters.set(key.c_str(), std::string(value));
  }
  return parameters;
}

std::string fmtpText(json_t* parameters) {
  std::string text;
  const char* key;
  json_t* value;
  json_object_foreach(parameters, key, value) {
    if (!text.empty()) text += ";";
    text += key;
    text += "=";
    if (json_is_integer(value)) text += std::to_string(json_integer_value(value));
    else if (json_is_real(value)) text += std::to_string(static_cast<long long>(json_real_value(value)));
    else if (json_is_string(value)) text += json_string_value(value);
  }
  return text;
}

// The codecs of an m-line, by payload type, as mediasoup codec parameters.
struct OfferedCodec {
  std::string payloadType;
  Json codec;  // {mimeType, payloadType, clockRate, channels?, parameters, rtcpFeedback}
  std::string name;  // lower case
};

std::vector<OfferedCodec> codecsOf(const MediaSection& media) {
  std::map<std::string, Json> rtpmaps;
  for (std::string_view value : media.attributes.all("rtpmap")) {
    auto [pt, encoding] = headAndRest(value);
    std::string_view name = encoding.substr(0, encoding.find('/'));
    std::string_view rest = encoding.find('/') == std::string_view::npos ? std::string_view() : encoding.substr(encoding.find('/') + 1);
    std::optional<long long> clock = number(rest.substr(0, rest.find('/')));
    std::optional<long long> payloadType = number(pt);
    if (name.empty() || !clock || *clock <= 0 || !payloadType || *payloadType < 0 || *payloadType > 127) continue;
    Json codec = Json::object();
    codec.set("mimeType", media.kind + "/" + std::string(name)).set("payloadType", *payloadType).set("clockRate", *clock);
    if (media.kind == "audio") {
      std::optional<long long> channels = rest.find('/') == std::string_view::npos ? 1 : number(rest.substr(rest.find('/') + 1));
      codec.set("channels", channels && *channels > 0 && *channels <= 8 ? *channels : 1);
    }
    codec.set("parameters", Json::object()).set("rtcpFeedback", Json::array());
    rtpmaps.emplace(std::string(pt), codec);
  }
  for (std::string_view value : media.attributes.all("fmtp")) {
    auto [pt, text] = headAndRest(value);
    if (auto it = rtpmaps.find(std::string(pt)); it != rtpmaps.end()) it->second.set("parameters", fmtpParameters(text));
  }
  for (std::string_view value : media.attributes.all("rtcp-fb")) {
    auto [pt, feedback] = headAndRest(value);
    auto [type, parameter] = headAndRest(feedback);
    if (type.empty()) continue;
    for (auto& [payloadType, codec] : rtpmaps) {
      if (pt != "*" && pt != payloadType) continue;
      Json fb = Json::object();
      fb.set("type", std::string(type));
      if (!parameter.empty()) fb.set("parameter", std::string(parameter));
      json_array_append_new(json_object_get(codec.get(), "rtcpFeedback"), fb.release());
    }
  }
  std::vector<OfferedCodec> codecs;
  for (const std::string& format : media.formats) {
    auto it = rtpmaps.find(format);
    if (it == rtpmaps.end()) continue;  // a static payload type without rtpmap: none the router has
    std::string mime = *it->second.string("mimeType");
    codecs.push_back({format, it->second, lower(mime.substr(mime.find('/') + 1))});
  }
  return codecs;
}

bool isFeatureCodec(const std::string& name) {
  return name == "rtx" || name == "red" || name == "ulpfec" || name == "flexfec-03" || name == "cn" || name == "telephone-event";
}

// The first media codec of the offer (the client's preference) that the router has.
const OfferedCodec* chooseCodec(const std::vector<OfferedCodec>& offered, json_t* routerCodecs) {
  for (const OfferedCodec& candidate : offered) {
    if (isFeatureCodec(candidate.name)) continue;
    size_t i;
    json_t* routerCodec;
    json_array_foreach(routerCodecs, i, routerCodec) {
      if (ortc::codecsMatch(candidate.codec.get(), routerCodec)) return &candidate;
    }
  }
  return nullptr;
}

std::string offeredNames(const std::vector<OfferedCodec>& offered) {
  std::string names;
  for (const OfferedCodec& codec : offered) {
    if (isFeatureCodec(codec.name)) continue;
    if (!names.empty()) names += ", ";
    names += codec.name;
  }
  return names.empty() ? "none" : names;
}

// a=simulcast:send h;m;l (alternatives after commas, paused ones marked ~): the first of each layer.
std::vector<std::string> simulcastRids(const MediaSection& media) {
  std::optional<std::string_view> simulcast = media.attributes.first("simulcast");
  if (!simulcast) return {};
  auto [direction, list] = headAndRest(*simulcast);
  if (direction != "send") return {};
  std::vector<std::string> rids;
  size_t at = 0;
  while (at <= list.size()) {
    size_t end = list.find(';', at);
    if (end == std::string_view::npos) end = list.size();
    std::string_view layer = list.substr(at, end - at);
    at = end + 1;
    layer = layer.substr(0, layer.find(','));
    if (!layer.empty() && layer.front() == '~') layer.remove_prefix(1);
    layer = trim(layer);
    if (!layer.empty()) rids.emplace_back(layer);
  }
  return rids;
}

// mediasoup orders encodings low → high. Clients that name their layers by size list them high first
// (janus.js: h;m;l); others list them in their sendEncodings order, low first (mediasoup-client, libwebrtc).
std::vector<std::string> lowToHigh(std::vector<std::string> rids) {
  static const std::vector<std::vector<std::string>> known = {{"l", "m", "h"}, {"q", "h", "f"}, {"lo", "mid", "hi"},
                                                              {"low", "mid", "high"}, {"l", "h"}, {"q", "f"}, {"lo", "hi"}};
  std::set<std::string> given(rids.begin(), rids.end());
  for (const auto& order : known) {
    if (given == std::set<std::string>(order.begin(), order.end())) return order;
  }
  return rids;
}

struct SsrcInfo {
  std::vector<uint32_t> order;  // as the a=ssrc lines give them
  std::map<uint32_t, std::string> cname;
  std::map<uint32_t, uint32_t> rtxOf;  // primary → its RTX (ssrc-group:FID)
  std::vector<uint32_t> simulcast;     // ssrc-group:SIM
};

SsrcInfo ssrcsOf(const MediaSection& media) {
  SsrcInfo info;
  for (std::string_view value : media.attributes.all("ssrc")) {
    auto [id, rest] = headAndRest(value);
    std::optional<long long> ssrc = number(id);
    if (!ssrc || *ssrc <= 0 || *ssrc > 0xffffffffLL) continue;
    auto s = static_cast<uint32_t>(*ssrc);
    if (std::find(info.order.begin(), info.order.end(), s) == info.order.end()) info.order.push_back(s);
    if (rest.rfind("cname:", 0) == 0) info.cname[s] = std::string(rest.substr(6));
  }
  for (std::string_view value : media.attributes.all("ssrc-group")) {
    auto [semantics, list] = headAndRest(value);
    std::vector<uint32_t> ssrcs;
    size_t at = 0;
    while (at < list.size()) {
      size_t end = list.find(' ', at);
      if (end == std::string_view::npos) end = list.size();
      if (auto n = number(list.substr(at, end - at)); n && *n > 0 && *n <= 0xffffffffLL) ssrcs.push_back(static_cast<uint32_t>(*n));
      at = end + 1;
    }
    if (semantics == "FID" && ssrcs.size() == 2) info.rtxOf[ssrcs[0]] = ssrcs[1];
    if (semantics == "SIM" && ssrcs.size() >= 2 && info.simulcast.empty()) info.simulcast = ssrcs;
  }
  return info;
}

Json encodingOf(uint32_t ssrc, const SsrcInfo& info, bool withRtx) {
  Json encoding = Json::object();
  encoding.set("ssrc", static_cast<long long>(ssrc));
  if (auto rtx = info.rtxOf.find(ssrc); withRtx && rtx != info.rtxOf.end()) {
    Json r = Json::object();
    r.set("ssrc", static_cast<long long>(rtx->second));
    encoding.set("rtx", r);
  }
  return encoding;
}

std::string candidateLine(json_t* candidate) {
  auto text = [&](const char* key) {
    json_t* v = json_object_get(candidate, key);
    if (json_is_string(v)) return std::string(json_string_value(v));
    if (json_is_integer(v)) return std::to_string(json_integer_value(v));
    return std::string();
  };
  std::string ip = text("ip").empty() ? text("address") : text("ip");
  std::string line = text("foundation") + " 1 " + text("protocol") + " " + text("priority") + " " + ip + " " + text("port") +
                     " typ " + (text("type").empty() ? "host" : text("type"));
  if (text("protocol") == "tcp") line += " tcptype " + (text("tcpType").empty() ? "passive" : text("tcpType"));
  return line;
}

// ICE, DTLS and candidates of the worker's transport, on every m-line (a BUNDLE of one transport). Closed
// m-lines keep ICE, DTLS and rtcp-mux but no candidates: clients check those on every m-line of an offer.
void addTransport(Attributes& attributes, const LocalTransport& local, const char* setup, bool withCandidates = true) {
  attributes.add("ice-ufrag", local.iceParameters.string("usernameFragment").value_or(""));
  attributes.add("ice-pwd", local.iceParameters.string("password").value_or(""));
  // SHA-256, the fingerprint every client checks; all of them only if the worker gave none of that.
  std::vector<std::string> sha256, all;
  size_t i;
  json_t* fingerprint;
  json_array_foreach(json_object_get(local.dtlsParameters.get(), "fingerprints"), i, fingerprint) {
    const char* algorithm = json_string_value(json_object_get(fingerprint, "algorithm"));
    const char* value = json_string_value(json_object_get(fingerprint, "value"));
    if (!algorithm || !value) continue;
    all.push_back(std::string(algorithm) + " " + value);
    if (std::string(algorithm) == "sha-256") sha256.push_back(all.back());
  }
  for (const std::string& line : sha256.empty() ? all : sha256) attributes.add("fingerprint", line);
  attributes.add("setup", setup);
  attributes.add("rtcp-mux");
  if (!withCandidates) return;
  json_t* candidate;
  json_array_foreach(local.iceCandidates.get(), i, candidate) attributes.add("candidate", candidateLine(candidate));
  attributes.add("end-of-candidates");
}

// m= port and c= of the first candidate: what a client without ICE would use.
void setDefaultAddress(MediaSection& media, const LocalTransport& local) {
  json_t* first = json_array_get(local.iceCandidates.get(), 0);
  json_t* ip = json_object_get(first, "ip");
  if (!ip) ip = json_object_get(first, "address");
  json_t* port = json_object_get(first, "port");
  media.port = json_is_integer(port) ? static_cast<uint16_t>(json_integer_value(port)) : 9;
  std::string address = json_is_string(ip) ? json_string_value(ip) : "0.0.0.0";
  media.connection = std::string(address.find(':') == std::string::npos ? "IN IP4 " : "IN IP6 ") + address;
}

// rtpmap, rtcp-fb and fmtp lines of mediasoup codec parameters.
void addCodecs(Attributes& attributes, json_t* codecs) {
  size_t i;
  json_t* codec;
  json_array_foreach(codecs, i, codec) {
    std::string pt = std::to_string(json_integer_value(json_object_get(codec, "payloadType")));
    const char* mimeType = json_string_value(json_object_get(codec, "mimeType"));
    std::string mime = mimeType ? mimeType : "";
    std::string rtpmap = pt + " " + mime.substr(mime.find('/') + 1) + "/" + std::to_string(json_integer_value(json_object_get(codec, "clockRate")));
    json_t* channels = json_object_get(codec, "channels");
    if (json_is_integer(channels) && json_integer_value(channels) > 1) rtpmap += "/" + std::to_string(json_integer_value(channels));
    attributes.add("rtpmap", rtpmap);
    size_t j;
    json_t* fb;
    json_array_foreach(json_object_get(codec, "rtcpFeedback"), j, fb) {
      const char* type = json_string_value(json_object_get(fb, "type"));
      const char* parameter = json_string_value(json_object_get(fb, "parameter"));
      if (!type) continue;
      attributes.add("rtcp-fb", pt + " " + type + (parameter && *parameter ? std::string(" ") + parameter : ""));
    }
    std::string fmtp = fmtpText(json_object_get(codec, "parameters"));
    if (!fmtp.empty()) attributes.add("fmtp", pt + " " + fmtp);
  }
}

std::string origin(uint64_t sessionId, uint64_t version) {
  return "- " + std::to_string(sessionId) + " " + std::to_string(version) + " IN IP4 0.0.0.0";
}

}  // namespace

Json remoteDtlsParameters(const SessionDescription& description, std::string* missing) {
  // BUNDLE: the first m-line that is not rejected carries the transport's DTLS.
  const MediaSection* tag = nullptr;
  for (const MediaSection& media : description.media) {
    if (media.port != 0 || media.attributes.has("bundle-only")) {
      tag = &media;
      break;
    }
  }
  std::vector<std::string_view> fingerprints = tag ? tag->attributes.all("fingerprint") : std::vector<std::string_view>();
  if (fingerprints.empty()) fingerprints = description.attributes.all("fingerprint");
  Json list = Json::array();
  for (std::string_view value : fingerprints) {
    auto [algorithm, hash] = headAndRest(value);
    if (algorithm.empty() || hash.empty()) continue;
    Json fp = Json::object();
    fp.set("algorithm", lower(algorithm)).set("value", std::string(hash));
    list.append(fp);
  }
  if (json_array_size(list.get()) == 0) {
    if (missing) *missing = "no a=fingerprint: DTLS cannot be verified";
    return Json();
  }
  std::optional<std::string_view> setup = tag ? tag->attributes.first("setup") : std::nullopt;
  if (!setup) setup = description.attributes.first("setup");
  // Its DTLS role as mediasoup's connect takes it: who the remote will be (actpass, active or none: the client).
  std::string role = setup && *setup == "passive" ? "server" : "client";
  Json dtls = Json::object();
  dtls.set("role", role).set("fingerprints", list);
  return dtls;
}

std::variant<PublishPlan, MappingError> planPublish(const SessionDescription& offer, json_t* routerRtpCapabilities) {
  PublishPlan plan;
  std::string missing;
  plan.dtlsParameters = remoteDtlsParameters(offer, &missing);
  if (!plan.dtlsParameters) return MappingError{missing};
  json_t* routerCodecs = json_object_get(routerRtpCapabilities, "codecs");
  json_t* routerExtensions = json_object_get(routerRtpCapabilities, "headerExtensions");
  std::set<std::string> mids;
  for (size_t index = 0; index < offer.media.size(); ++index) {
    const MediaSection& media = offer.media[index];
    std::optional<std::string_view> mid = media.attributes.first("mid");
    if (!mid || mid->empty()) return MappingError{"m-line " + std::to_string(index) + " has no a=mid (BUNDLE needs one)"};
    if (!mids.insert(std::string(*mid)).second) return MappingError{"two m-lines have a=mid:" + std::string(*mid)};
    auto refuse = [&](std::string reason) { plan.refused.emplace_back(index, std::move(reason)); };
    if (media.kind != "audio" && media.kind != "video") {
      refuse("m=" + media.kind + " is not published over SDP (audio and video only)");
      continue;
    }
    if (media.port == 0 && !media.attributes.has("bundle-only")) {
      refuse("stopped (port 0)");
      continue;
    }
    std::string direction = directionOf(media, offer);
    if (direction != "sendonly" && direction != "sendrecv") {
      refuse("a=" + direction + ": nothing to publish");
      continue;
    }
    std::vector<OfferedCodec> offered = codecsOf(media);
    const OfferedCodec* chosen = chooseCodec(offered, routerCodecs);
    if (!chosen) {
      refuse("no " + media.kind + " codec of the room offered (offered: " + offeredNames(offered) + ")");
      continue;
    }
    PublishedTrack track;
    track.index = index;
    track.mid = std::string(*mid);
    track.kind = media.kind;
    track.formats.push_back(chosen->payloadType);
    Json codecs = Json::array();
    codecs.append(chosen->codec);
    for (const OfferedCodec& codec : offered) {
      json_t* apt = json_object_get(json_object_get(codec.codec.get(), "parameters"), "apt");
      if (codec.name == "rtx" && json_is_integer(apt) && std::to_string(json_integer_value(apt)) == chosen->payloadType) {
        Json rtx = Json::object();
        Json parameters = Json::object();
        parameters.set("apt", static_cast<long long>(json_integer_value(apt)));
        rtx.set("mimeType", media.kind + "/rtx").set("payloadType", codec.codec.at("payloadType"))
            .set("clockRate", codec.codec.at("clockRate")).set("parameters", parameters).set("rtcpFeedback", Json::array());
        codecs.append(rtx);
        track.formats.push_back(codec.payloadType);
        break;
      }
    }
    Json extensions = Json::array();
    for (std::string_view value : media.attributes.all("extmap")) {
      auto [idAndDirection, rest] = headAndRest(value);
      auto [uri, attributes] = headAndRest(rest);
      std::optional<long long> id = number(idAndDirection.substr(0, idAndDirection.find('/')));
      if (!id || *id < 1 || *id > 255 || uri.empty()) continue;
      size_t i;
      json_t* known;
      json_array_foreach(routerExtensions, i, known) {
        const char* knownUri = json_string_value(json_object_get(known, "uri"));
        const char* knownKind = json_string_value(json_object_get(known, "kind"));
        if (knownUri && knownKind && uri == knownUri && media.kind == knownKind) {
          Json extension = Json::object();
          extension.set("uri", std::string(uri)).set("id", *id);
          extensions.append(extension);
          break;
        }
      }
    }
    SsrcInfo ssrcs = ssrcsOf(media);
    Json encodings = Json::array();
    std::vector<std::string> rids = simulcastRids(media);
    if (rids.empty()) {
      for (std::string_view value : media.attributes.all("rid")) {
        auto [rid, ridDirection] = headAndRest(value);
        if (headAndRest(ridDirection).first == "send" && !rid.empty()) {
          rids.emplace_back(rid);
          break;
        }
      }
    }
    track.rids = rids;
    bool withRtx = json_array_size(codecs.get()) > 1;
    if (!rids.empty()) {
      for (const std::string& rid : lowToHigh(rids)) {
        Json encoding = Json::object();
        encoding.set("rid", rid);
        encodings.append(encoding);
      }
    } else if (!ssrcs.simulcast.empty()) {
      for (uint32_t ssrc : ssrcs.simulcast) encodings.append(encodingOf(ssrc, ssrcs, withRtx));
    } else {
      std::set<uint32_t> rtxSsrcs;
      for (const auto& [primary, rtx] : ssrcs.rtxOf) rtxSsrcs.insert(rtx);
      auto primary = std::find_if(ssrcs.order.begin(), ssrcs.order.end(), [&](uint32_t s) { return !rtxSsrcs.count(s); });
      // No ssrc and no rid: mediasoup takes the single stream of the m-line by its mid.
      encodings.append(primary == ssrcs.order.end() ? Json::object() : encodingOf(*primary, ssrcs, withRtx));
    }
    Json rtcp = Json::object();
    rtcp.set("reducedSize", media.attributes.has("rtcp-rsize"));
    if (!ssrcs.cname.empty()) rtcp.set("cname", ssrcs.cname.begin()->second);
    Json rtpParameters = Json::object();
    rtpParameters.set("mid", track.mid).set("codecs", codecs).set("headerExtensions", extensions)
        .set("encodings", encodings).set("rtcp", rtcp);
    track.rtpParameters = rtpParameters;
    plan.tracks.push_back(std::move(track));
  }
  if (plan.tracks.empty()) {
    std::string reasons;
    for (const auto& [index, reason] : plan.refused) reasons += (reasons.empty() ? "" : "; ") + ("m-line " + std::to_string(index) + ": " + reason);
    return MappingError{"nothing to publish" + (reasons.empty() ? std::string(" (no m-lines)") : " (" + reasons + ")")};
  }
  return plan;
}

SessionDescription answerPublish(const SessionDescription& offer, const PublishPlan& plan, const LocalTransport& local,
                                 uint64_t sessionId, uint64_t version) {
  SessionDescription answer;
  answer.origin = origin(sessionId, version);
  answer.attributes.add("ice-lite");
  std::string bundle = "BUNDLE";
  for (const PublishedTrack& track : plan.tracks) bundle += " " + track.mid;
  answer.attributes.add("group", bundle);
  answer.attributes.add("msid-semantic", " WMS *");
  for (size_t index = 0; index < offer.media.size(); ++index) {
    const MediaSection& offered = offer.media[index];
    auto track = std::find_if(plan.tracks.begin(), plan.tracks.end(), [&](const PublishedTrack& t) { return t.index == index; });
    MediaSection media;
    media.kind = offered.kind;
    media.protocol = offered.protocol;
    if (track == plan.tracks.end()) {
      media.port = 0;
      media.formats = offered.formats.empty() ? std::vector<std::string>{"0"} : offered.formats;
      if (auto mid = offered.attributes.first("mid")) media.attributes.add("mid", std::string(*mid));
      media.attributes.add("inactive");
      answer.media.push_back(std::move(media));
      continue;
    }
    media.formats = track->formats;
    setDefaultAddress(media, local);
    media.attributes.add("mid", track->mid);
    media.attributes.add("recvonly");
    addTransport(media.attributes, local, "passive");
    if (offered.attributes.has("rtcp-rsize")) media.attributes.add("rtcp-rsize");
    json_t* extensions = json_object_get(track->rtpParameters.get(), "headerExtensions");
    size_t i;
    json_t* extension;
    json_array_foreach(extensions, i, extension) {
      media.attributes.add("extmap", std::to_string(json_integer_value(json_object_get(extension, "id"))) + " " +
                                         json_string_value(json_object_get(extension, "uri")));
    }
    // The kept payload types, their lines as the client wrote them.
    for (const char* name : {"rtpmap", "rtcp-fb", "fmtp"}) {
      for (std::string_view value : offered.attributes.all(name)) {
        std::string pt(headAndRest(value).first);
        if (std::find(track->formats.begin(), track->formats.end(), pt) != track->formats.end()) {
          media.attributes.add(name, std::string(value));
        }
      }
    }
    if (!track->rids.empty()) {
      std::string list;
      for (const std::string& rid : track->rids) {
        media.attributes.add("rid", rid + " recv");
        list += (list.empty() ? "" : ";") + rid;
      }
      media.attributes.add("simulcast", "recv " + list);
    }
    answer.media.push_back(std::move(media));
  }
  return answer;
}

SessionDescription offerSubscribe(const std::vector<ConsumerLine>& lines, const LocalTransport& local, uint64_t sessionId,
                                  uint64_t version) {
  SessionDescription offer;
  offer.origin = origin(sessionId, version);
  offer.attributes.add("ice-lite");
  std::string bundle = "BUNDLE";
  for (const ConsumerLine& line : lines) {
    if (!line.closed) bundle += " " + line.mid;
  }
  if (bundle != "BUNDLE") offer.attributes.add("group", bundle);  // no group of nothing
  offer.attributes.add("msid-semantic", " WMS *");
  for (const ConsumerLine& line : lines) {
    MediaSection media;
    media.kind = line.kind;
    media.protocol = "UDP/TLS/RTP/SAVPF";
    json_t* codecs = json_object_get(line.rtpParameters.get(), "codecs");
    size_t i;
    json_t* codec;
    json_array_foreach(codecs, i, codec) media.formats.push_back(std::to_string(json_integer_value(json_object_get(codec, "payloadType"))));
    if (line.closed) {
      media.port = 0;
      if (media.formats.empty()) media.formats.push_back(line.kind == "audio" ? "111" : "96");
      media.attributes.add("mid", line.mid);
      media.attributes.add("inactive");
      addTransport(media.attributes, local, "actpass", false);
      addCodecs(media.attributes, codecs);  // as the line had them: clients look its payload types up
      offer.media.push_back(std::move(media));
      continue;
    }
    setDefaultAddress(media, local);
    media.attributes.add("mid", line.mid);
    media.attributes.add("sendonly");
    media.attributes.add("msid", line.streamId + " " + line.trackId);
    addTransport(media.attributes, local, "actpass");
    media.attributes.add("rtcp-rsize");
    json_t* extension;
    json_array_foreach(json_object_get(line.rtpParameters.get(), "headerExtensions"), i, extension) {
      media.attributes.add("extmap", std::to_string(json_integer_value(json_object_get(extension, "id"))) + " " +
                                         json_string_value(json_object_get(extension, "uri")));
    }
    addCodecs(media.attributes, codecs);
    json_t* encoding = json_array_get(json_object_get(line.rtpParameters.get(), "encodings"), 0);
    json_t* ssrc = json_object_get(encoding, "ssrc");
    json_t* rtxSsrc = json_object_get(json_object_get(encoding, "rtx"), "ssrc");
    const char* cname = json_string_value(json_object_get(json_object_get(line.rtpParameters.get(), "rtcp"), "cname"));
    std::string msid = line.streamId + " " + line.trackId;
    if (json_is_integer(ssrc) && json_is_integer(rtxSsrc)) {
      media.attributes.add("ssrc-group", "FID " + std::to_string(json_integer_value(ssrc)) + " " + std::to_string(json_integer_value(rtxSsrc)));
    }
    for (json_t* s : {ssrc, rtxSsrc}) {
      if (!json_is_integer(s)) continue;
      std::string id = std::to_string(json_integer_value(s));
      media.attributes.add("ssrc", id + " cname:" + (cname ? cname : "mediasoup"));
      media.attributes.add("ssrc", id + " msid:" + msid);
    }
    offer.media.push_back(std::move(media));
  }
  return offer;
}

std::variant<SubscribeAnswer, MappingError> readSubscribeAnswer(const SessionDescription& answer, size_t lines) {
  if (answer.media.size() != lines) {
    return MappingError{"the answer has " + std::to_string(answer.media.size()) + " m-lines, the offer " + std::to_string(lines)};
  }
  SubscribeAnswer read;
  read.accepted.resize(lines, false);
  bool any = false;
  for (size_t i = 0; i < lines; ++i) {
    const MediaSection& media = answer.media[i];
    std::string direction = directionOf(media, answer);
    read.accepted[i] = (media.port != 0 || media.attributes.has("bundle-only")) && (direction == "recvonly" || direction == "sendrecv");
    any = any || read.accepted[i];
  }
  std::string missing;
  read.dtlsParameters = remoteDtlsParameters(answer, &missing);
  if (!read.dtlsParameters && any) return MappingError{missing};
  return read;
}

}  // namespace msp::sdp
