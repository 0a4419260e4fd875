// Cases of mediasoup's own node/lib/tests/test-ortc.js, plus validation, H264 and scalability-mode cases.
#include <cstring>
#include <string>

#include "ortc/H264ProfileLevelId.h"
#include "ortc/Ortc.h"
#include "cmocka.h"

using namespace msp;
using namespace msp::ortc;

static Json parse(const char* text) {
  Json json = Json::parse(text);
  if (!json) fail_msg("bad JSON in test: %s", text);
  return json;
}

static json_t* at(json_t* array, size_t i) { return json_array_get(array, i); }
static json_t* key(json_t* object, const char* k) { return json_object_get(object, k); }
static void assertJsonEqual(json_t* actual, const char* expected) {
  Json want = parse(expected);
  if (!json_equal(actual, want.get())) {
    fail_msg("expected %s\n     got %s", Json::borrow(want.get()).dump().c_str(), Json::borrow(actual).dump().c_str());
  }
}

template <typename F>
static bool throwsOrtc(F&& f, bool unsupported) {
  try {
    f();
  } catch (const OrtcError& e) {
    return e.unsupported == unsupported;
  }
  return false;
}

static void generate_router_rtp_capabilities_succeeds(void**) {
  Json mediaCodecs = parse(R"([
    {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2,"parameters":{"useinbandfec":1,"foo":"bar"}},
    {"kind":"video","mimeType":"video/VP8","preferredPayloadType":125,"clockRate":90000},
    {"kind":"video","mimeType":"video/H264","clockRate":90000,
     "parameters":{"level-asymmetry-allowed":1,"profile-level-id":"42e01f","foo":"bar"},"rtcpFeedback":[]}])");
  Json caps = generateRouterRtpCapabilities(mediaCodecs.get());
  json_t* codecs = key(caps.get(), "codecs");
  assert_int_equal(json_array_size(codecs), 5);
  assertJsonEqual(at(codecs, 0), R"({"kind":"audio","mimeType":"audio/opus","preferredPayloadType":100,"clockRate":48000,
    "channels":2,"parameters":{"useinbandfec":1,"foo":"bar"},
    "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"transport-cc","parameter":""}]})");
  assertJsonEqual(at(codecs, 1), R"({"kind":"video","mimeType":"video/VP8","preferredPayloadType":125,"clockRate":90000,
    "parameters":{},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},
    {"type":"ccm","parameter":"fir"},{"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""}]})");
  assertJsonEqual(at(codecs, 2), R"({"kind":"video","mimeType":"video/rtx","preferredPayloadType":101,"clockRate":90000,
    "parameters":{"apt":125},"rtcpFeedback":[]})");
  assertJsonEqual(at(codecs, 3), R"({"kind":"video","mimeType":"video/H264","preferredPayloadType":102,"clockRate":90000,
    "parameters":{"level-asymmetry-allowed":1,"profile-level-id":"42e01f","foo":"bar"},
    "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},
    {"type":"goog-remb","parameter":""},{"type":"transport-cc","parameter":""}]})");
  assertJsonEqual(at(codecs, 4), R"({"kind":"video","mimeType":"video/rtx","preferredPayloadType":103,"clockRate":90000,
    "parameters":{"apt":102},"rtcpFeedback":[]})");
  assert_true(json_array_size(key(caps.get(), "headerExtensions")) > 10);
}

static void generate_router_rtp_capabilities_unsupported(void**) {
  Json chicken = parse(R"([{"kind":"audio","mimeType":"audio/chicken","clockRate":8000,"channels":4}])");
  assert_true(throwsOrtc([&] { generateRouterRtpCapabilities(chicken.get()); }, true));
  Json monoOpus = parse(R"([{"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":1}])");
  assert_true(throwsOrtc([&] { generateRouterRtpCapabilities(monoOpus.get()); }, true));
}

static void generate_router_rtp_capabilities_too_many_codecs(void**) {
  Json many = Json::array();
  for (int i = 0; i < 100; ++i) many.append(parse(R"({"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2})"));
  try {
    generateRouterRtpCapabilities(many.get());
    fail_msg("no exception");
  } catch (const OrtcError& e) {
    assert_non_null(strstr(e.what(), "cannot allocate"));
  }
}

static const char* kH264MediaCodecs = R"([
  {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2},
  {"kind":"video","mimeType":"video/H264","clockRate":90000,
   "parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"4d0032","bar":"lalala"}}])";

static const char* kProducerRtpParameters = R"({
  "codecs":[
    {"mimeType":"video/H264","payloadType":111,"clockRate":90000,
     "parameters":{"foo":1234,"packetization-mode":1,"profile-level-id":"4d0032"},
     "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"goog-remb","parameter":""}]},
    {"mimeType":"video/rtx","payloadType":112,"clockRate":90000,"parameters":{"apt":111},"rtcpFeedback":[]}],
  "headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1},{"uri":"urn:3gpp:video-orientation","id":2}],
  "encodings":[
    {"ssrc":11111111,"rtx":{"ssrc":11111112},"maxBitrate":111111,"scalabilityMode":"L1T3"},
    {"ssrc":21111111,"rtx":{"ssrc":21111112},"maxBitrate":222222,"scalabilityMode":"L1T3"},
    {"rid":"high","maxBitrate":333333,"scalabilityMode":"L1T3"}],
  "rtcp":{"cname":"qwerty1234"}})";

static void producer_mapping_consumable_and_consumer_parameters(void**) {
  Json mediaCodecs = parse(kH264MediaCodecs);
  Json routerCaps = generateRouterRtpCapabilities(mediaCodecs.get());
  Json params = parse(kProducerRtpParameters);
  validateRtpParameters(params.get());

  Json mapping = getProducerRtpParametersMapping(params.get(), routerCaps.get());
  assertJsonEqual(key(mapping.get(), "codecs"), R"([{"payloadType":111,"mappedPayloadType":101},{"payloadType":112,"mappedPayloadType":102}])");
  json_t* enc = key(mapping.get(), "encodings");
  assert_int_equal(json_integer_value(key(at(enc, 0), "ssrc")), 11111111);
  assert_null(key(at(enc, 0), "rid"));
  assert_true(json_is_integer(key(at(enc, 0), "mappedSsrc")));
  assert_int_equal(json_integer_value(key(at(enc, 1), "ssrc")), 21111111);
  assert_null(key(at(enc, 2), "ssrc"));
  assert_string_equal(json_string_value(key(at(enc, 2), "rid")), "high");
  assert_true(json_is_integer(key(at(enc, 2), "mappedSsrc")));

  Json consumable = getConsumableRtpParameters("video", params.get(), routerCaps.get(), mapping.get());
  json_t* cc = key(consumable.get(), "codecs");
  assert_string_equal(json_string_value(key(at(cc, 0), "mimeType")), "video/H264");
  assert_int_equal(json_integer_value(key(at(cc, 0), "payloadType")), 101);
  assert_int_equal(json_integer_value(key(at(cc, 0), "clockRate")), 90000);
  assertJsonEqual(key(at(cc, 0), "parameters"), R"({"foo":1234,"packetization-mode":1,"profile-level-id":"4d0032"})");
  assert_string_equal(json_string_value(key(at(cc, 1), "mimeType")), "video/rtx");
  assert_int_equal(json_integer_value(key(at(cc, 1), "payloadType")), 102);
  assertJsonEqual(key(at(cc, 1), "parameters"), R"({"apt":101})");
  json_t* ce = key(consumable.get(), "encodings");
  const long long maxBitrates[] = {111111, 222222, 333333};
  for (size_t i = 0; i < 3; ++i) {
    Json expected = Json::object();
    expected.set("ssrc", Json::borrow(key(at(enc, i), "mappedSsrc"))).set("maxBitrate", maxBitrates[i])
        .set("scalabilityMode", "L1T3").set("dtx", false);
    assert_true(json_equal(at(ce, i), expected.get()));
  }
  assertJsonEqual(key(consumable.get(), "rtcp"), R"({"cname":"qwerty1234","reducedSize":true,"mux":true})");

  Json remoteCaps = parse(R"({
    "codecs":[
      {"kind":"audio","mimeType":"audio/opus","preferredPayloadType":100,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]},
      {"kind":"video","mimeType":"video/H264","preferredPayloadType":101,"clockRate":90000,
       "parameters":{"packetization-mode":1,"profile-level-id":"4d0032","baz":"LOLOLO"},
       "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"foo","parameter":"FOO"}]},
      {"kind":"video","mimeType":"video/rtx","preferredPayloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],
    "headerExtensions":[
      {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:mid","preferredId":1,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","preferredId":2,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"audio","uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","preferredId":8,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:3gpp:video-orientation","preferredId":11,"preferredEncrypt":false,"direction":"sendrecv"},
      {"kind":"video","uri":"urn:ietf:params:rtp-hdrext:toffset","preferredId":12,"preferredEncrypt":false,"direction":"sendrecv"}]})");
  assert_true(canConsume(consumable.get(), remoteCaps.get()));
  Json consumer = getConsumerRtpParameters(consumable.get(), remoteCaps.get(), true);
  json_t* codecs = key(consumer.get(), "codecs");
  assert_int_equal(json_array_size(codecs), 2);
  assertJsonEqual(at(codecs, 0), R"({"mimeType":"video/H264","payloadType":101,"clockRate":90000,
    "parameters":{"foo":1234,"packetization-mode":1,"profile-level-id":"4d0032"},
    "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"foo","parameter":"FOO"}]})");
  assertJsonEqual(at(codecs, 1), R"({"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]})");
  json_t* encodings = key(consumer.get(), "encodings");
  assert_int_equal(json_array_size(encodings), 1);
  assert_true(json_is_integer(key(at(encodings, 0), "ssrc")));
  assert_int_equal(json_integer_value(key(key(at(encodings, 0), "rtx"), "ssrc")), json_integer_value(key(at(encodings, 0), "ssrc")) + 1);
  assert_string_equal(json_string_value(key(at(encodings, 0), "scalabilityMode")), "L3T3");  // simulcast → spatial layers
  assert_int_equal(json_integer_value(key(at(encodings, 0), "maxBitrate")), 333333);
  assertJsonEqual(key(consumer.get(), "headerExtensions"), R"([
    {"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},
    {"uri":"urn:3gpp:video-orientation","id":11,"encrypt":false,"parameters":{}},
    {"uri":"urn:ietf:params:rtp-hdrext:toffset","id":12,"encrypt":false,"parameters":{}}])");
  assertJsonEqual(key(consumer.get(), "rtcp"), R"({"cname":"qwerty1234","reducedSize":true,"mux":true})");
}

static void producer_mapping_with_incompatible_params_is_unsupported(void**) {
  Json mediaCodecs = parse(R"([
    {"kind":"audio","mimeType":"audio/opus","clockRate":48000,"channels":2},
    {"kind":"video","mimeType":"video/H264","clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"640032"}}])");
  Json routerCaps = generateRouterRtpCapabilities(mediaCodecs.get());
  Json params = parse(R"({"codecs":[{"mimeType":"video/VP8","payloadType":120,"clockRate":90000,
    "rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"fir"}]}],
    "headerExtensions":[],"encodings":[{"ssrc":11111111}],"rtcp":{"cname":"qwerty1234"}})");
  validateRtpParameters(params.get());
  assert_true(throwsOrtc([&] { getProducerRtpParametersMapping(params.get(), routerCaps.get()); }, true));
}

static void h264_profile_must_match_but_level_is_negotiated(void**) {
  Json mediaCodecs = parse(R"([{"kind":"video","mimeType":"video/H264","clockRate":90000,
    "parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e01f"}}])");
  Json caps = generateRouterRtpCapabilities(mediaCodecs.get());
  // Constrained Baseline at level 3.1 from a client that offers level 5.1: same profile, accepted.
  Json baseline = parse(R"({"codecs":[{"mimeType":"video/H264","payloadType":125,"clockRate":90000,
    "parameters":{"level-asymmetry-allowed":1,"packetization-mode":1,"profile-level-id":"42e033"}}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(baseline.get());
  Json mapping = getProducerRtpParametersMapping(baseline.get(), caps.get());
  assert_int_equal(json_integer_value(key(at(key(mapping.get(), "codecs"), 0), "mappedPayloadType")), 100);
  // matchCodecs(modify) rewrote the producer's profile-level-id to the answer (asymmetry allowed: local level).
  assert_string_equal(json_string_value(key(key(at(key(baseline.get(), "codecs"), 0), "parameters"), "profile-level-id")), "42e033");
  // High profile: no match.
  Json high = parse(R"({"codecs":[{"mimeType":"video/H264","payloadType":125,"clockRate":90000,
    "parameters":{"packetization-mode":1,"profile-level-id":"640032"}}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(high.get());
  assert_true(throwsOrtc([&] { getProducerRtpParametersMapping(high.get(), caps.get()); }, true));
  // packetization-mode 0 vs 1: no match.
  Json mode0 = parse(R"({"codecs":[{"mimeType":"video/H264","payloadType":125,"clockRate":90000,
    "parameters":{"profile-level-id":"42e01f"}}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(mode0.get());
  assert_true(throwsOrtc([&] { getProducerRtpParametersMapping(mode0.get(), caps.get()); }, true));
}

static void h264_profile_level_id_parsing(void**) {
  auto cb = h264::parseProfileLevelId("42e01f");
  assert_true(cb && cb->profile == h264::Profile::ConstrainedBaseline && cb->level == 31);
  auto main = h264::parseProfileLevelId("4d0032");
  assert_true(main && main->profile == h264::Profile::Main && main->level == 50);
  auto high = h264::parseProfileLevelId("640c1f");
  assert_true(high && high->profile == h264::Profile::ConstrainedHigh);
  auto level1b = h264::parseProfileLevelId("42f00b");
  assert_true(level1b && level1b->level == h264::kLevel1b);
  assert_false(h264::parseProfileLevelId("").has_value());
  assert_false(h264::parseProfileLevelId("42e01").has_value());
  assert_false(h264::parseProfileLevelId("000000").has_value());
  assert_false(h264::parseProfileLevelId("42e0ff").has_value());  // unknown level
  assert_false(h264::parseProfileLevelId("zzzzzz").has_value());
  assert_string_equal(h264::profileLevelIdToString({h264::Profile::High, 31})->c_str(), "64001f");
  assert_string_equal(h264::profileLevelIdToString({h264::Profile::Main, h264::kLevel1b})->c_str(), "4d100b");
  Json local = parse(R"({"profile-level-id":"42e01f"})");
  Json remote = parse(R"({"profile-level-id":"42e00a"})");
  // No level asymmetry: the lower level wins.
  assert_string_equal(h264::generateProfileLevelIdForAnswer(local.get(), remote.get())->c_str(), "42e00a");
  Json none = parse("{}");
  assert_false(h264::generateProfileLevelIdForAnswer(none.get(), none.get()).has_value());
  Json other = parse(R"({"profile-level-id":"640032"})");
  bool threw = false;
  try {
    h264::generateProfileLevelIdForAnswer(local.get(), other.get());
  } catch (const h264::NegotiationError&) {
    threw = true;
  }
  assert_true(threw);
}

static void vp9_profile_id_must_match(void**) {
  Json mediaCodecs = parse(R"([{"kind":"video","mimeType":"video/VP9","clockRate":90000,"parameters":{"profile-id":2}}])");
  Json caps = generateRouterRtpCapabilities(mediaCodecs.get());
  Json profile0 = parse(R"({"codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(profile0.get());
  assert_true(throwsOrtc([&] { getProducerRtpParametersMapping(profile0.get(), caps.get()); }, true));
  Json profile2 = parse(R"({"codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":2}}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(profile2.get());
  getProducerRtpParametersMapping(profile2.get(), caps.get());
}

static void rtx_without_media_codec_is_rejected(void**) {
  Json mediaCodecs = parse(R"([{"kind":"video","mimeType":"video/VP8","clockRate":90000}])");
  Json caps = generateRouterRtpCapabilities(mediaCodecs.get());
  Json params = parse(R"({"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000},
    {"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":50}}],"encodings":[{"ssrc":1}]})");
  validateRtpParameters(params.get());
  assert_true(throwsOrtc([&] { getProducerRtpParametersMapping(params.get(), caps.get()); }, false));
}

static void consumer_without_common_codec_is_unsupported(void**) {
  Json mediaCodecs = parse(R"([{"kind":"video","mimeType":"video/VP8","clockRate":90000},{"kind":"video","mimeType":"video/VP9","clockRate":90000}])");
  Json caps = generateRouterRtpCapabilities(mediaCodecs.get());
  Json params = parse(R"({"codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000}],"encodings":[{"ssrc":5}],"rtcp":{"cname":"x"}})");
  validateRtpParameters(params.get());
  Json mapping = getProducerRtpParametersMapping(params.get(), caps.get());
  Json consumable = getConsumableRtpParameters("video", params.get(), caps.get(), mapping.get());
  Json vp8Only = parse(R"({"codecs":[{"kind":"video","mimeType":"video/VP8","preferredPayloadType":100,"clockRate":90000}]})");
  assert_false(canConsume(consumable.get(), vp8Only.get()));
  assert_true(throwsOrtc([&] { getConsumerRtpParameters(consumable.get(), vp8Only.get(), true); }, true));
  // Without RTX the plain NACK feedback is dropped too, and no rtx ssrc is given.
  Json vp9 = parse(R"({"codecs":[{"kind":"video","mimeType":"video/VP9","preferredPayloadType":101,"clockRate":90000,
    "rtcpFeedback":[{"type":"nack"},{"type":"nack","parameter":"pli"}]}],"headerExtensions":[]})");
  Json consumer = getConsumerRtpParameters(consumable.get(), vp9.get(), false);
  assertJsonEqual(key(at(key(consumer.get(), "codecs"), 0), "rtcpFeedback"), R"([{"type":"nack","parameter":"pli"}])");
  assert_null(key(at(key(consumer.get(), "encodings"), 0), "rtx"));
}

static void validation_fills_defaults_and_rejects_bad_values(void**) {
  Json caps = parse(R"({"codecs":[{"mimeType":"AUDIO/opus","clockRate":48000}]})");
  validateRtpCapabilities(caps.get());
  json_t* codec = at(key(caps.get(), "codecs"), 0);
  assert_string_equal(json_string_value(key(codec, "kind")), "audio");
  assert_int_equal(json_integer_value(key(codec, "channels")), 1);
  assert_true(json_is_object(key(codec, "parameters")));
  assert_true(json_is_array(key(caps.get(), "headerExtensions")));

  const char* invalidParameters[] = {
      "[]",
      R"({"codecs":{}})",
      R"({"codecs":[{"mimeType":"video/VP8","clockRate":90000}]})",                      // no payloadType
      R"({"codecs":[{"mimeType":"VP8","payloadType":96,"clockRate":90000}]})",           // bad mimeType
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":"96","clockRate":90000}]})",   // payloadType type
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":96}]})",                       // no clockRate
      R"({"codecs":[{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":"96"}}]})",
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"parameters":{"x":{}}}]})",
      R"({"codecs":[],"headerExtensions":[{"uri":"urn:x"}]})",                            // no id
      R"({"codecs":[],"encodings":[{"ssrc":"1"}]})",
      R"({"codecs":[],"encodings":[{"rtx":{}}]})",
      R"({"codecs":[],"rtcp":{"cname":5}})",
      R"({"codecs":[],"mid":7})",
      // out of range for the wire (checked here, not truncated by the worker)
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":300,"clockRate":90000}]})",
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":-1,"clockRate":90000}]})",
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":96.5,"clockRate":90000}]})",
      R"({"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":0}]})",
      R"({"codecs":[],"headerExtensions":[{"uri":"urn:x","id":0}]})",
      R"({"codecs":[],"headerExtensions":[{"uri":"urn:x","id":256}]})",
      R"({"codecs":[],"encodings":[{"ssrc":-5}]})",
      R"({"codecs":[],"encodings":[{"ssrc":4294967296}]})",
      R"({"codecs":[],"encodings":[{"ssrc":1,"rtx":{"ssrc":-1}}]})",
      R"({"codecs":[],"encodings":[{"maxBitrate":-1}]})",
  };
  for (const char* text : invalidParameters) {
    Json params = parse(text);
    if (!throwsOrtc([&] { validateRtpParameters(params.get()); }, false)) fail_msg("accepted: %s", text);
  }
  Json ok = parse(R"({"codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"channels":2}]})");
  validateRtpParameters(ok.get());
  assert_null(key(at(key(ok.get(), "codecs"), 0), "channels"));  // video has none
  assertJsonEqual(key(ok.get(), "rtcp"), R"({"reducedSize":true})");
}

static void sctp_validation(void**) {
  Json good = parse(R"({"numStreams":{"OS":1024,"MIS":1024}})");
  validateSctpCapabilities(good.get());
  Json missing = parse(R"({"numStreams":{"OS":1024}})");
  assert_true(throwsOrtc([&] { validateSctpCapabilities(missing.get()); }, false));
  Json stream = parse(R"({"streamId":3,"maxRetransmits":2})");
  validateSctpStreamParameters(stream.get());
  assert_true(json_is_false(key(stream.get(), "ordered")));
  Json both = parse(R"({"streamId":3,"maxRetransmits":2,"maxPacketLifeTime":100})");
  assert_true(throwsOrtc([&] { validateSctpStreamParameters(both.get()); }, false));
  Json orderedPartial = parse(R"({"streamId":3,"ordered":true,"maxRetransmits":2})");
  assert_true(throwsOrtc([&] { validateSctpStreamParameters(orderedPartial.get()); }, false));
  Json noId = parse(R"({"ordered":true})");
  assert_true(throwsOrtc([&] { validateSctpStreamParameters(noId.get()); }, false));
  for (const char* bad : {R"({"streamId":65535})", R"({"streamId":-1})", R"({"streamId":1,"maxPacketLifeTime":-5})",
                          R"({"streamId":1,"maxRetransmits":1000000})"}) {
    Json p = parse(bad);
    if (!throwsOrtc([&] { validateSctpStreamParameters(p.get()); }, false)) fail_msg("accepted: %s", bad);
  }
  Json tooManyStreams = parse(R"({"numStreams":{"OS":70000,"MIS":1024}})");
  assert_true(throwsOrtc([&] { validateSctpCapabilities(tooManyStreams.get()); }, false));
}

static void scalability_modes(void**) {
  auto l3t3 = parseScalabilityMode("L3T3");
  assert_int_equal(l3t3.spatialLayers, 3);
  assert_int_equal(l3t3.temporalLayers, 3);
  assert_false(l3t3.ksvc);
  auto key = parseScalabilityMode("S2T12_KEY");
  assert_int_equal(key.spatialLayers, 2);
  assert_int_equal(key.temporalLayers, 12);
  assert_true(key.ksvc);
  auto bad = parseScalabilityMode("foo");
  assert_int_equal(bad.spatialLayers, 1);
  assert_int_equal(bad.temporalLayers, 1);
  assert_int_equal(parseScalabilityMode("L0T1").spatialLayers, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(generate_router_rtp_capabilities_succeeds),
      cmocka_unit_test(generate_router_rtp_capabilities_unsupported),
      cmocka_unit_test(generate_router_rtp_capabilities_too_many_codecs),
      cmocka_unit_test(producer_mapping_consumable_and_consumer_parameters),
      cmocka_unit_test(producer_mapping_with_incompatible_params_is_unsupported),
      cmocka_unit_test(h264_profile_must_match_but_level_is_negotiated),
      cmocka_unit_test(h264_profile_level_id_parsing),
      cmocka_unit_test(vp9_profile_id_must_match),
      cmocka_unit_test(rtx_without_media_codec_is_rejected),
      cmocka_unit_test(consumer_without_common_codec_is_unsupported),
      cmocka_unit_test(validation_fills_defaults_and_rejects_bad_values),
      cmocka_unit_test(sctp_validation),
      cmocka_unit_test(scalability_modes),
  };
  return cmocka_run_group_tests_name("ortc", tests, nullptr, nullptr);
}
