// SDP peers in the rooms layer, over a fake worker: publishSdp runs as createWebRtcTransport, produce per m-line
// and connect; subscribeSdp as a recv transport and a consumer per producer; renegotiation with autoUpdate,
// one offer outstanding at a time; failures midway close what was made; a peer leaving mid-negotiation.
#include <cstring>
#include <fstream>
#include <sstream>

#include "rooms_harness.h"
#include "sdp/Sdp.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

namespace {

std::string fixture(const char* name) {
  std::ifstream in(std::string(SDP_FIXTURES) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string body(std::initializer_list<std::pair<const char*, std::string>> fields) {
  Json b = Json::object();
  for (const auto& [key, value] : fields) b.set(key, value);
  return b.dump();
}

sdp::SessionDescription parsed(const std::string& text) {
  auto result = sdp::parse(text);
  if (!std::holds_alternative<sdp::SessionDescription>(result)) fail_msg("not SDP: %s", text.c_str());
  return std::get<sdp::SessionDescription>(result);
}

// A client's answer to the plugin's offer: takes every open m-line (or none), DTLS active.
std::string answerTo(const std::string& offer, bool accept = true) {
  sdp::SessionDescription o = parsed(offer);
  std::string a = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  for (const sdp::MediaSection& m : o.media) {
    bool take = accept && m.port != 0;
    a += "m=" + m.kind + " " + (take ? "9" : "0") + " UDP/TLS/RTP/SAVPF " + (m.formats.empty() ? "0" : m.formats[0]) + "\r\n";
    a += "a=mid:" + std::string(*m.attributes.first("mid")) + "\r\n";
    a += take ? "a=recvonly\r\na=setup:active\r\na=fingerprint:sha-256 12:34:56\r\n" : "a=inactive\r\n";
  }
  return a;
}

size_t openLines(const std::string& offer) {
  size_t n = 0;
  for (const sdp::MediaSection& m : parsed(offer).media) n += m.port != 0;
  return n;
}

}  // namespace

static void publishing_maps_the_offer_to_producers_and_answers(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  Json answer = t.ask(1, body({{"request", "publishSdp"}, {"sdp", fixture("chromium-publish.sdp")}}));
  assert_string_equal(Rooms::str(answer, "mediasoup").c_str(), "sdpAnswer");
  assert_int_equal(json_array_size(json_object_get(answer.get(), "producers")), 2);
  fake::Worker& w = t.worker(0);
  assert_int_equal(w.count("transport.produce"), 2);
  assert_int_equal(w.count("transport.connect"), 1);
  const Json& dtls = w.last("transport.connect")->data.at("dtlsParameters");
  assert_string_equal(Rooms::str(dtls, "role").c_str(), "client");
  assert_string_equal(Rooms::str(w.last("transport.produce")->data.at("rtpParameters"), "mid").c_str(), "1");
  sdp::SessionDescription sdp = parsed(Rooms::str(answer, "sdp"));
  assert_int_equal(sdp.media.size(), 2);
  assert_string_equal(std::string(*sdp.media[0].attributes.first("setup")).c_str(), "passive");
  assert_string_equal(std::string(*sdp.media[0].attributes.first("fingerprint")).c_str(), "sha-256 AB:CD:EF");
  assert_int_equal(t.eventsOf(2, "newProducer").size(), 2);
  assert_true(t.manager->isSdpPeer(1));

  // Renegotiation: the video m-line stopped, the audio one kept: one producer closes, nothing is made.
  std::string audioOnly = fixture("chromium-publish.sdp");
  size_t video = audioOnly.find("m=video 9");
  audioOnly.replace(video, std::strlen("m=video 9"), "m=video 0");
  std::string transportId = Rooms::str(answer, "transportId");
  Json again = t.ask(1, body({{"request", "publishSdp"}, {"sdp", audioOnly}, {"transportId", transportId}}));
  assert_string_equal(Rooms::str(again, "mediasoup").c_str(), "sdpAnswer");
  assert_int_equal(json_array_size(json_object_get(again.get(), "producers")), 1);
  assert_int_equal(w.count("transport.produce"), 2);
  assert_int_equal(w.count("transport.connect"), 1);
  t.settle();
  assert_int_equal(t.eventsOf(2, "producerClosed").size(), 1);
  assert_int_equal(parsed(Rooms::str(again, "sdp")).media[1].port, 0);
  // Unpublishing everything closes the transport.
  assert_string_equal(Rooms::str(t.ask(1, body({{"request", "unpublishSdp"}, {"transportId", transportId}})), "mediasoup").c_str(), "success");
  t.settle();
  assert_false(t.manager->isSdpPeer(1));
  assert_int_equal(t.eventsOf(2, "producerClosed").size(), 2);
}

static void a_failure_midway_closes_what_was_made(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  fake::Worker& w = t.worker(0);
  w.on("transport.produce", Behaviour::reject("ssrc already exists"), 1);
  Json refused = t.ask(1, body({{"request", "publishSdp"}, {"sdp", fixture("chromium-publish.sdp")}}));
  assert_int_equal(Rooms::errorCode(refused), kInvalidParameters);
  assert_non_null(strstr(Rooms::str(refused, "error").c_str(), "a=mid:0"));
  t.settle();
  assert_int_equal(w.count("router.closeTransport"), 1);
  assert_false(t.manager->isSdpPeer(1));
  // The DTLS connect refused: the same.
  w.on("transport.connect", Behaviour::reject("bad fingerprint"), 1);
  Json unconnected = t.ask(1, body({{"request", "publishSdp"}, {"sdp", fixture("aiortc-publish.sdp")}}));
  assert_non_null(strstr(Rooms::str(unconnected, "error").c_str(), "DTLS of the offer"));
  t.settle();
  assert_int_equal(w.count("router.closeTransport"), 2);
  // Bad SDP never reaches the worker.
  size_t before = w.requests().size();
  assert_int_equal(Rooms::errorCode(t.ask(1, body({{"request", "publishSdp"}, {"sdp", "v=1"}}))), kInvalidElement);
  assert_int_equal(Rooms::errorCode(t.ask(1, body({{"request", "publishSdp"}, {"sdp", "v=0\r\nm=audio 9 P 0\r\na=mid:0\r\n"}}))), kInvalidParameters);
  assert_int_equal(w.requests().size(), before);
}

static void subscribers_are_offered_what_appears_one_offer_at_a_time(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  Json offer = t.ask(2, R"({"request":"subscribeSdp"})");
  assert_string_equal(Rooms::str(offer, "mediasoup").c_str(), "sdpOffer");
  assert_int_equal(json_array_size(json_object_get(offer.get(), "consumers")), 0);
  std::string transportId = Rooms::str(offer, "transportId");
  // An answer with no m-lines: nothing to connect yet.
  Json ok = t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(offer, "sdp"))}}));
  assert_string_equal(Rooms::str(ok, "mediasoup").c_str(), "success");
  fake::Worker& w = t.worker(0);
  assert_int_equal(w.count("transport.connect"), 0);

  // A producer appears: consumed, offered.
  std::string send = t.transport(1, true);
  std::string producerId = t.produceAudio(1, send);
  t.runUntil([&] { return t.eventsOf(2, "sdpOffer").size() == 1; });
  Json reoffer = t.eventsOf(2, "sdpOffer")[0];
  assert_int_equal(openLines(Rooms::str(reoffer, "sdp")), 1);
  json_t* consumer = json_array_get(json_object_get(reoffer.get(), "consumers"), 0);
  assert_string_equal(json_string_value(json_object_get(consumer, "producerId")), producerId.c_str());
  // While that offer waits for its answer, a second producer is held back.
  std::string second = t.ask(1, R"({"request":"produce","transportId":")" + send +
                                    R"(","kind":"audio","rtpParameters":{"mid":"1","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[],"encodings":[{"ssrc":2222}],"rtcp":{"cname":"c"}}})")
                           .string("id").value_or("");
  t.settle();
  assert_int_equal(t.eventsOf(2, "sdpOffer").size(), 1);
  // Answered: connected with the answer's DTLS, the consumer resumed, and the next offer goes out.
  Json answered = t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(reoffer, "sdp"))}}));
  assert_string_equal(Rooms::str(answered, "mediasoup").c_str(), "success");
  assert_int_equal(w.count("transport.connect"), 1);
  assert_string_equal(Rooms::str(w.last("transport.connect")->data.at("dtlsParameters"), "role").c_str(), "client");
  t.runUntil([&] { return w.count("consumer.resume") == 1 && t.eventsOf(2, "sdpOffer").size() == 2; });
  Json third = t.eventsOf(2, "sdpOffer")[1];
  assert_int_equal(openLines(Rooms::str(third, "sdp")), 2);
  // An answer twice: no offer awaits one.
  t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(third, "sdp"))}}));
  assert_int_equal(Rooms::errorCode(t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(third, "sdp"))}}))),
                   kInvalidElement);

  // The first producer closes: its m-line is offered closed.
  t.ask(1, R"({"request":"closeProducer","producerId":")" + producerId + "\"}");
  t.runUntil([&] { return t.eventsOf(2, "sdpOffer").size() == 3; });
  Json fourth = t.eventsOf(2, "sdpOffer")[2];
  assert_int_equal(openLines(Rooms::str(fourth, "sdp")), 1);
  assert_int_equal(parsed(Rooms::str(fourth, "sdp")).media.size(), 2);
  t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(fourth, "sdp"))}}));
  // A new producer takes the closed m-line again.
  std::string third_ = t.ask(1, R"({"request":"produce","transportId":")" + send +
                                    R"(","kind":"audio","rtpParameters":{"mid":"2","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[],"encodings":[{"ssrc":3333}],"rtcp":{"cname":"c"}}})")
                           .string("id").value_or("");
  t.runUntil([&] { return t.eventsOf(2, "sdpOffer").size() == 4; });
  Json fifth = t.eventsOf(2, "sdpOffer")[3];
  assert_int_equal(parsed(Rooms::str(fifth, "sdp")).media.size(), 2);
  assert_int_equal(openLines(Rooms::str(fifth, "sdp")), 2);
  // A refused m-line closes its consumer; unsubscribing by mid closes one and offers again.
  t.ask(2, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", answerTo(Rooms::str(fifth, "sdp"), false)}}));
  t.settle();
  assert_int_equal(w.count("transport.closeConsumer"), 2);
  assert_string_equal(Rooms::str(t.ask(2, body({{"request", "unsubscribeSdp"}, {"transportId", transportId}})), "mediasoup").c_str(), "success");
  t.settle();
  assert_false(t.manager->isSdpPeer(2));
  (void)second;
  (void)third_;
}

static void rights_and_a_peer_leaving_mid_negotiation(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  fake::Worker& w = t.worker(0);
  // The peer goes while the worker makes its producer: the chain stops, nothing is left.
  w.on("transport.produce", Behaviour::hold(), 1);
  auto pending = t.send(1, body({{"request", "publishSdp"}, {"sdp", fixture("chromium-publish.sdp")}}));
  t.runUntil([&] { return w.heldCount() == 1; });
  t.manager->sessionGone(1);
  w.release();
  t.runUntil([&] { return pending->has_value(); });
  assert_true(Rooms::errorCode(**pending) != 0);
  t.settle();
  assert_false(t.manager->isSdpPeer(1));
  assert_int_equal(w.count("transport.connect"), 0);
  // A subscriber transport is not a publisher's, and the other way round.
  t.ask(2, R"({"request":"join","room":"r"})");
  Json offer = t.ask(2, R"({"request":"subscribeSdp","autoUpdate":false})");
  std::string transportId = Rooms::str(offer, "transportId");
  assert_int_equal(Rooms::errorCode(t.ask(2, body({{"request", "publishSdp"}, {"sdp", fixture("chromium-publish.sdp")}, {"transportId", transportId}}))),
                   kInvalidElement);
  assert_int_equal(Rooms::errorCode(t.ask(2, body({{"request", "unpublishSdp"}, {"transportId", transportId}}))), kInvalidElement);
  assert_int_equal(Rooms::errorCode(t.ask(3, body({{"request", "sdpAnswer"}, {"transportId", transportId}, {"sdp", "v=0"}}))), kJoinState);
}

static void peers_hear_their_transports_ice_and_dtls_states(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  Json answer = t.ask(1, body({{"request", "publishSdp"}, {"sdp", fixture("aiortc-publish.sdp")}}));
  std::string transportId = Rooms::str(answer, "transportId");
  Json ice = Json::object();
  ice.set("iceState", "completed");
  t.worker(0).notify(transportId, "icestatechange", ice);
  Json dtls = Json::object();
  dtls.set("dtlsState", "connected");
  t.worker(0).notify(transportId, "dtlsstatechange", dtls);
  t.worker(0).notify(transportId, "dtlsstatechange", dtls);  // no change: no event
  t.runUntil([&] { return t.eventsOf(1, "transportState").size() == 2; });
  t.settle();
  std::vector<Json> states = t.eventsOf(1, "transportState");
  assert_int_equal(states.size(), 2);
  assert_string_equal(Rooms::str(states[0], "transportId").c_str(), transportId.c_str());
  assert_string_equal(Rooms::str(states[0], "iceState").c_str(), "completed");
  assert_string_equal(Rooms::str(states[0], "dtlsState").c_str(), "new");
  assert_string_equal(Rooms::str(states[1], "dtlsState").c_str(), "connected");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(publishing_maps_the_offer_to_producers_and_answers),
      cmocka_unit_test(a_failure_midway_closes_what_was_made),
      cmocka_unit_test(subscribers_are_offered_what_appears_one_offer_at_a_time),
      cmocka_unit_test(rights_and_a_peer_leaving_mid_negotiation),
      cmocka_unit_test(peers_hear_their_transports_ice_and_dtls_states),
  };
  return cmocka_run_group_tests_name("sdp signaling", tests, nullptr, nullptr);
}
