// SDP parsing, writing and mapping, on offers real clients wrote (tests/unit/sdp/: Chromium, aiortc and
// GStreamer webrtcbin captured from the installed packages — webrtcbin's max-bundle audio m-line is port 0 and
// bundle-only; Firefox, Safari and OBS, which this machine does not have, written as they write them) and on
// hostile text: every hostile case is refused with a reason, none crashes or is half-taken.
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "cmocka.h"
#include "ortc/MediaCodecs.h"
#include "ortc/Ortc.h"
#include "sdp/Sdp.h"
#include "sdp/SdpMapping.h"

using namespace msp;
using namespace msp::sdp;

namespace {

std::string fixture(const char* name) {
  std::ifstream in(std::string(SDP_FIXTURES) + "/" + name, std::ios::binary);
  if (!in) fail_msg("no fixture %s", name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

SessionDescription parsed(const std::string& text) {
  auto result = parse(text);
  if (auto* error = std::get_if<ParseError>(&result)) fail_msg("not parsed: %s", error->detail.c_str());
  return std::get<SessionDescription>(result);
}

Json routerCaps() {
  Json codecs = mediaCodecsFor({"opus", "VP8", "VP9", "H264"});
  return ortc::generateRouterRtpCapabilities(codecs.get());
}

PublishPlan plan(const std::string& text) {
  Json caps = routerCaps();
  auto result = planPublish(parsed(text), caps.get());
  if (auto* error = std::get_if<MappingError>(&result)) fail_msg("not mapped: %s", error->detail.c_str());
  return std::get<PublishPlan>(result);
}

std::string mappingError(const std::string& text) {
  Json caps = routerCaps();
  auto result = planPublish(parsed(text), caps.get());
  if (!std::holds_alternative<MappingError>(result)) fail_msg("mapped what it should refuse");
  return std::get<MappingError>(result).detail;
}

ParseError parseError(const std::string& text) {
  auto result = parse(text);
  if (!std::holds_alternative<ParseError>(result)) fail_msg("parsed what it should refuse");
  return std::get<ParseError>(result);
}

json_t* at(const Json& json, const char* key) { return json_object_get(json.get(), key); }
json_t* at(json_t* json, const char* key) { return json_object_get(json, key); }
std::string str(json_t* value) { return json_is_string(value) ? json_string_value(value) : "<not a string>"; }
long long num(json_t* value) { return json_is_integer(value) ? json_integer_value(value) : -1; }

std::string mimeOf(const PublishedTrack& track, size_t i) {
  return str(at(json_array_get(at(track.rtpParameters, "codecs"), i), "mimeType"));
}
long long payloadTypeOf(const PublishedTrack& track, size_t i) {
  return num(at(json_array_get(at(track.rtpParameters, "codecs"), i), "payloadType"));
}
json_t* encodingOf(const PublishedTrack& track, size_t i) { return json_array_get(at(track.rtpParameters, "encodings"), i); }
long long extensionId(const PublishedTrack& track, const std::string& uri) {
  size_t i;
  json_t* extension;
  json_array_foreach(at(track.rtpParameters, "headerExtensions"), i, extension) {
    if (str(at(extension, "uri")) == uri) return num(at(extension, "id"));
  }
  return -1;
}

LocalTransport workerTransport() {
  LocalTransport local;
  local.iceParameters = Json::parse(R"({"usernameFragment":"srvufrag","password":"srvpassword","iceLite":true})");
  local.iceCandidates = Json::parse(R"([{"foundation":"udpcandidate","priority":1076302079,"ip":"127.0.0.1","protocol":"udp","port":10000,"type":"host"},
      {"foundation":"tcpcandidate","priority":1076276479,"ip":"127.0.0.1","protocol":"tcp","port":10000,"type":"host","tcpType":"passive"}])");
  local.dtlsParameters = Json::parse(R"({"role":"auto","fingerprints":[{"algorithm":"sha-1","value":"AA:BB"},{"algorithm":"sha-256","value":"01:02:03"}]})");
  return local;
}

void chromium_offer_maps_to_two_producers_and_an_answer(void**) {
  std::string text = fixture("chromium-publish.sdp");
  PublishPlan p = plan(text);
  assert_int_equal(p.tracks.size(), 2);
  assert_true(p.refused.empty());
  assert_string_equal(str(at(p.dtlsParameters, "role")).c_str(), "client");
  assert_string_equal(str(at(json_array_get(at(p.dtlsParameters, "fingerprints"), 0), "algorithm")).c_str(), "sha-256");

  const PublishedTrack& audio = p.tracks[0];
  assert_string_equal(audio.kind.c_str(), "audio");
  assert_string_equal(audio.mid.c_str(), "0");
  assert_string_equal(mimeOf(audio, 0).c_str(), "audio/opus");
  assert_int_equal(payloadTypeOf(audio, 0), 111);
  assert_int_equal(extensionId(audio, "urn:ietf:params:rtp-hdrext:sdes:mid"), 4);
  assert_int_equal(extensionId(audio, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);

  const PublishedTrack& video = p.tracks[1];
  assert_string_equal(mimeOf(video, 0).c_str(), "video/VP8");
  assert_int_equal(payloadTypeOf(video, 0), 96);
  assert_string_equal(mimeOf(video, 1).c_str(), "video/rtx");
  assert_int_equal(payloadTypeOf(video, 1), 97);
  assert_int_equal(num(at(encodingOf(video, 0), "ssrc")), 1536897706);
  assert_int_equal(num(at(at(encodingOf(video, 0), "rtx"), "ssrc")), 136337451);
  assert_true(json_is_true(at(at(video.rtpParameters, "rtcp"), "reducedSize")));
  assert_int_equal(video.formats.size(), 2);

  // mediasoup itself takes these parameters: the router can map them.
  Json caps = routerCaps();
  for (const PublishedTrack& track : p.tracks) {
    ortc::validateRtpParameters(track.rtpParameters.get());
    Json mapping = ortc::getProducerRtpParametersMapping(track.rtpParameters.get(), caps.get());
    assert_non_null(mapping.get());
  }

  SessionDescription answer = answerPublish(parsed(text), p, workerTransport(), 42, 1);
  SessionDescription reread = parsed(write(answer));
  assert_true(reread.attributes.has("ice-lite"));
  assert_string_equal(std::string(*reread.attributes.first("group")).c_str(), "BUNDLE 0 1");
  assert_int_equal(reread.media.size(), 2);
  for (const MediaSection& media : reread.media) {
    assert_int_equal(media.port, 10000);
    assert_true(media.attributes.has("recvonly"));
    assert_string_equal(std::string(*media.attributes.first("setup")).c_str(), "passive");
    assert_string_equal(std::string(*media.attributes.first("ice-ufrag")).c_str(), "srvufrag");
    assert_string_equal(std::string(*media.attributes.first("fingerprint")).c_str(), "sha-256 01:02:03");
    assert_int_equal(media.attributes.all("candidate").size(), 2);
  }
  assert_string_equal(std::string(reread.media[1].attributes.all("candidate")[1]).c_str(),
                      "tcpcandidate 1 tcp 1076276479 127.0.0.1 10000 typ host tcptype passive");
  assert_int_equal(reread.media[1].formats.size(), 2);
  assert_string_equal(reread.media[1].formats[0].c_str(), "96");
  assert_int_equal(reread.media[1].attributes.all("rtpmap").size(), 2);
}

void janusjs_simulcast_is_ordered_low_to_high(void**) {
  std::string text = fixture("chromium-simulcast-janusjs.sdp");
  PublishPlan p = plan(text);
  assert_int_equal(p.tracks.size(), 2);
  const PublishedTrack& video = p.tracks[1];
  assert_int_equal(json_array_size(at(video.rtpParameters, "encodings")), 3);
  assert_string_equal(str(at(encodingOf(video, 0), "rid")).c_str(), "l");
  assert_string_equal(str(at(encodingOf(video, 1), "rid")).c_str(), "m");
  assert_string_equal(str(at(encodingOf(video, 2), "rid")).c_str(), "h");
  assert_int_equal(extensionId(video, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), 10);
  // The answer receives the layers the offer sends, in the offer's words.
  SessionDescription answer = parsed(write(answerPublish(parsed(text), p, workerTransport(), 42, 1)));
  assert_string_equal(std::string(*answer.media[1].attributes.first("simulcast")).c_str(), "recv h;m;l");
  assert_int_equal(answer.media[1].attributes.all("rid").size(), 3);
  assert_string_equal(std::string(answer.media[1].attributes.all("rid")[0]).c_str(), "h recv");
}

void aiortc_firefox_safari_obs_and_gstreamer_offers_map(void**) {
  PublishPlan aiortc = plan(fixture("aiortc-publish.sdp"));
  assert_int_equal(aiortc.tracks.size(), 2);
  assert_int_equal(payloadTypeOf(aiortc.tracks[0], 0), 96);  // opus first, PCMU/PCMA left out
  assert_int_equal(json_array_size(at(aiortc.tracks[0].rtpParameters, "codecs")), 1);
  assert_int_equal(payloadTypeOf(aiortc.tracks[1], 0), 97);
  assert_int_equal(payloadTypeOf(aiortc.tracks[1], 1), 98);
  assert_int_equal(num(at(encodingOf(aiortc.tracks[1], 0), "ssrc")), 3721115385);
  assert_int_equal(num(at(at(encodingOf(aiortc.tracks[1], 0), "rtx"), "ssrc")), 2976409498);

  PublishPlan firefox = plan(fixture("firefox-publish.sdp"));
  assert_int_equal(firefox.tracks.size(), 2);
  assert_int_equal(payloadTypeOf(firefox.tracks[0], 0), 109);
  assert_int_equal(payloadTypeOf(firefox.tracks[1], 0), 120);  // VP8
  assert_int_equal(payloadTypeOf(firefox.tracks[1], 1), 124);  // its RTX
  assert_int_equal(extensionId(firefox.tracks[1], "urn:ietf:params:rtp-hdrext:sdes:mid"), 3);  // "2/recvonly" form too
  // A session-level fingerprint.
  assert_string_equal(str(at(json_array_get(at(firefox.dtlsParameters, "fingerprints"), 0), "value")).substr(0, 5).c_str(), "2B:8D");

  PublishPlan safari = plan(fixture("safari-publish.sdp"));
  // H264 High (640c1f) is not a profile of the room; the constrained-baseline one after it is.
  assert_string_equal(mimeOf(safari.tracks[1], 0).c_str(), "video/H264");
  assert_int_equal(payloadTypeOf(safari.tracks[1], 0), 98);
  assert_int_equal(payloadTypeOf(safari.tracks[1], 1), 99);

  PublishPlan obs = plan(fixture("obs-whip.sdp"));
  assert_int_equal(obs.tracks.size(), 2);
  assert_string_equal(mimeOf(obs.tracks[0], 0).c_str(), "audio/OPUS");  // capitals, as OBS writes them
  assert_string_equal(mimeOf(obs.tracks[1], 0).c_str(), "video/H264");
  assert_int_equal(num(at(encodingOf(obs.tracks[1], 0), "ssrc")), 2915092321);
  assert_string_equal(str(at(at(obs.tracks[1].rtpParameters, "rtcp"), "cname")).c_str(), "obs-ZbW4aX");
  assert_string_equal(str(at(json_array_get(at(obs.dtlsParameters, "fingerprints"), 0), "value")).substr(0, 5).c_str(), "44:1E");

  std::string gst = fixture("gstreamer-webrtcbin.sdp");
  PublishPlan gstreamer = plan(gst);
  assert_string_equal(gstreamer.tracks[0].mid.c_str(), "video0");
  assert_string_equal(gstreamer.tracks[1].mid.c_str(), "audio1");
  SessionDescription answer = parsed(write(answerPublish(parsed(gst), gstreamer, workerTransport(), 7, 1)));
  assert_string_equal(std::string(*answer.attributes.first("group")).c_str(), "BUNDLE video0 audio1");

  // Every one of them is taken by mediasoup's own checks.
  Json caps = routerCaps();
  for (const PublishPlan* each : {&aiortc, &firefox, &safari, &obs, &gstreamer}) {
    for (const PublishedTrack& track : each->tracks) {
      ortc::validateRtpParameters(track.rtpParameters.get());
      assert_non_null(ortc::getProducerRtpParametersMapping(track.rtpParameters.get(), caps.get()).get());
    }
  }
}

void lines_the_room_cannot_take_are_refused_in_the_answer(void**) {
  std::string text = fixture("chromium-publish.sdp");
  // A data channel m-line and a video m-line with only a codec the room does not have.
  text += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 35\r\na=mid:3\r\na=sendonly\r\na=rtpmap:35 AV1/90000\r\n";
  PublishPlan p = plan(text);
  assert_int_equal(p.tracks.size(), 2);
  assert_int_equal(p.refused.size(), 2);
  assert_int_equal(p.refused[1].first, 3);
  assert_non_null(strstr(p.refused[1].second.c_str(), "av1"));
  SessionDescription answer = parsed(write(answerPublish(parsed(text), p, workerTransport(), 42, 1)));
  assert_int_equal(answer.media.size(), 4);
  assert_int_equal(answer.media[2].port, 0);
  assert_int_equal(answer.media[3].port, 0);
  assert_string_equal(std::string(*answer.media[3].attributes.first("mid")).c_str(), "3");
  assert_string_equal(std::string(*answer.attributes.first("group")).c_str(), "BUNDLE 0 1");
}

void hostile_sdp_is_refused_with_a_reason(void**) {
  std::string chromium = fixture("chromium-publish.sdp");
  // Larger than any offer.
  assert_int_equal(static_cast<int>(parseError(chromium + std::string(kMaxSdpBytes, 'a')).kind), static_cast<int>(ParseError::Kind::TooLarge));
  // A thousand m-lines.
  std::string many = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  for (int i = 0; i < 1000; ++i) many += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:" + std::to_string(i) + "\r\n";
  ParseError tooMany = parseError(many);
  assert_int_equal(static_cast<int>(tooMany.kind), static_cast<int>(ParseError::Kind::TooLarge));
  assert_non_null(strstr(tooMany.detail.c_str(), "m-lines"));
  // Binary bytes, a line that is not x=, no v=0, an m-line with a bad port, nothing at all.
  assert_non_null(strstr(parseError(chromium.substr(0, 200) + std::string("\0\x01\x02", 3) + chromium.substr(200)).detail.c_str(), "binary"));
  assert_non_null(strstr(parseError("v=0\r\nhello\r\n").detail.c_str(), "line 2"));
  assert_non_null(strstr(parseError("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\n").detail.c_str(), "v=0"));
  assert_non_null(strstr(parseError("v=0\r\nm=audio 99999 RTP/AVP 0\r\n").detail.c_str(), "m-line"));
  parseError("");
  parseError(std::string(5000, 'x'));
  // Truncated mid-offer: parses, and what is left cannot be published (the video m-line lost its codecs).
  std::string truncated = chromium.substr(0, chromium.find("a=rtpmap:96"));
  PublishPlan half = plan(truncated);
  assert_int_equal(half.tracks.size(), 1);
  // No fingerprint anywhere.
  std::string unsigned_;
  std::istringstream lines(chromium);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("a=fingerprint", 0) != 0) unsigned_ += line + "\n";
  }
  assert_non_null(strstr(mappingError(unsigned_).c_str(), "fingerprint"));
  // Only codecs the room does not have.
  std::string unknown = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AA:BB\r\n"
                        "m=video 9 UDP/TLS/RTP/SAVPF 35 36\r\na=mid:0\r\na=sendonly\r\na=rtpmap:35 AV1/90000\r\na=rtpmap:36 H265/90000\r\n";
  std::string noCodec = mappingError(unknown);
  assert_non_null(strstr(noCodec.c_str(), "nothing to publish"));
  assert_non_null(strstr(noCodec.c_str(), "av1, h265"));
  // No mid, twice the same mid, only a receiving m-line.
  assert_non_null(strstr(mappingError("v=0\r\na=fingerprint:sha-256 AA\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n").c_str(), "a=mid"));
  assert_non_null(strstr(mappingError("v=0\r\na=fingerprint:sha-256 AA\r\nm=audio 9 P 111\r\na=mid:a\r\nm=audio 9 P 111\r\na=mid:a\r\n").c_str(), "two m-lines"));
  assert_non_null(strstr(mappingError("v=0\r\na=fingerprint:sha-256 AA\r\nm=audio 9 P 111\r\na=mid:a\r\na=recvonly\r\na=rtpmap:111 opus/48000/2\r\n").c_str(), "recvonly"));
  // Absurd numbers inside lines are skipped, not trusted.
  std::string absurd = "v=0\r\na=fingerprint:sha-256 AA\r\nm=audio 9 P 111 300\r\na=mid:a\r\na=sendonly\r\n"
                       "a=rtpmap:300 opus/48000/2\r\na=rtpmap:111 opus/-5/2\r\na=ssrc:99999999999 cname:x\r\na=extmap:70000 urn:x\r\n";
  assert_non_null(strstr(mappingError(absurd).c_str(), "none"));
}

void every_line_survives_a_round_trip(void**) {
  for (const char* name : {"chromium-publish.sdp", "chromium-simulcast-janusjs.sdp", "aiortc-publish.sdp", "firefox-publish.sdp",
                           "safari-publish.sdp", "obs-whip.sdp", "gstreamer-webrtcbin.sdp"}) {
    SessionDescription first = parsed(fixture(name));
    std::string written = write(first);
    SessionDescription second = parsed(written);
    assert_string_equal(write(second).c_str(), written.c_str());
    assert_int_equal(first.media.size(), second.media.size());
    for (size_t i = 0; i < first.media.size(); ++i) {
      assert_int_equal(first.media[i].attributes.list.size(), second.media[i].attributes.list.size());
    }
  }
}

void subscriber_offer_and_answer(void**) {
  std::vector<ConsumerLine> lines;
  ConsumerLine audio;
  audio.mid = "0";
  audio.kind = "audio";
  audio.streamId = "peer-a";
  audio.trackId = "consumer-1";
  audio.rtpParameters = Json::parse(R"({"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,
      "parameters":{"useinbandfec":1,"sprop-stereo":1},"rtcpFeedback":[{"type":"transport-cc","parameter":""}]}],
      "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10}],
      "encodings":[{"ssrc":111222333}],"rtcp":{"cname":"peer-a-cname","reducedSize":true,"mux":true}})");
  ConsumerLine video = audio;
  video.mid = "1";
  video.kind = "video";
  video.trackId = "consumer-2";
  video.rtpParameters = Json::parse(R"({"mid":"1","codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000,"parameters":{},
      "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"}]},
      {"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],
      "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1}],
      "encodings":[{"ssrc":444555666,"rtx":{"ssrc":777888999}}],"rtcp":{"cname":"peer-a-cname","reducedSize":true,"mux":true}})");
  ConsumerLine closed;
  closed.mid = "2";
  closed.kind = "video";
  closed.closed = true;
  lines = {audio, video, closed};
  SessionDescription offer = parsed(write(offerSubscribe(lines, workerTransport(), 9, 3)));
  assert_string_equal(offer.origin.c_str(), "- 9 3 IN IP4 0.0.0.0");
  assert_string_equal(std::string(*offer.attributes.first("group")).c_str(), "BUNDLE 0 1");
  assert_int_equal(offer.media.size(), 3);
  const MediaSection& v = offer.media[1];
  assert_true(v.attributes.has("sendonly"));
  assert_string_equal(std::string(*v.attributes.first("setup")).c_str(), "actpass");
  assert_string_equal(v.formats[0].c_str(), "101");
  assert_string_equal(std::string(*v.attributes.first("ssrc-group")).c_str(), "FID 444555666 777888999");
  assert_string_equal(std::string(v.attributes.all("rtpmap")[1]).c_str(), "102 rtx/90000");
  assert_string_equal(std::string(v.attributes.all("fmtp")[0]).c_str(), "102 apt=101");
  assert_string_equal(std::string(v.attributes.all("rtcp-fb")[1]).c_str(), "101 nack pli");
  assert_string_equal(std::string(offer.media[0].attributes.all("rtpmap")[0]).c_str(), "100 opus/48000/2");
  assert_string_equal(std::string(*offer.media[0].attributes.first("msid")).c_str(), "peer-a consumer-1");
  assert_int_equal(offer.media[2].port, 0);
  assert_true(offer.media[2].attributes.has("inactive"));
  assert_true(offer.media[2].attributes.has("ice-ufrag"));  // clients check ICE on every m-line of an offer
  assert_false(offer.media[2].attributes.has("candidate"));

  // The client's answer: takes audio, refuses video, DTLS active.
  std::string answerText = "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                           "m=audio 9 UDP/TLS/RTP/SAVPF 100\r\na=mid:0\r\na=recvonly\r\na=setup:active\r\na=fingerprint:sha-256 CC:DD\r\n"
                           "m=video 0 UDP/TLS/RTP/SAVPF 101\r\na=mid:1\r\na=inactive\r\n"
                           "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\na=inactive\r\n";
  auto read = readSubscribeAnswer(parsed(answerText), 3);
  assert_true(std::holds_alternative<SubscribeAnswer>(read));
  const SubscribeAnswer& answer = std::get<SubscribeAnswer>(read);
  assert_true(answer.accepted[0]);
  assert_false(answer.accepted[1]);
  assert_false(answer.accepted[2]);
  assert_string_equal(str(at(answer.dtlsParameters, "role")).c_str(), "client");
  // An answer of another offer (m-lines missing) is refused.
  assert_true(std::holds_alternative<MappingError>(readSubscribeAnswer(parsed(answerText), 4)));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(chromium_offer_maps_to_two_producers_and_an_answer),
      cmocka_unit_test(janusjs_simulcast_is_ordered_low_to_high),
      cmocka_unit_test(aiortc_firefox_safari_obs_and_gstreamer_offers_map),
      cmocka_unit_test(lines_the_room_cannot_take_are_refused_in_the_answer),
      cmocka_unit_test(hostile_sdp_is_refused_with_a_reason),
      cmocka_unit_test(every_line_survives_a_round_trip),
      cmocka_unit_test(subscriber_offer_and_answer),
  };
  return cmocka_run_group_tests_name("sdp", tests, nullptr, nullptr);
}
