// MediaSignaling over a fake worker: every media request of a joined peer, its checks before the worker sees
// anything (446, 440, 441, 447, 449), its answers, and the events the other peers get.
#include <cstring>

#include "base/Cidr.h"
#include "rooms_harness.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

// Peers 1 and 2 in room "r" on one worker; peer 1 publishes audio, peer 2 consumes it.
struct Published {
  explicit Published(Settings settings = fake::testSettings(1)) : t(settings) {
    t.ask(1, R"({"request":"join","room":"r"})");
    t.ask(2, R"({"request":"join","room":"r"})");
    send = t.transport(1, true);
    producerId = t.produceAudio(1, send);
    recv = t.transport(2, false);
    consumerId = Rooms::str(t.consume(2, recv, producerId), "id");
  }
  Rooms t;
  std::string send, recv, producerId, consumerId;
};

}  // namespace

static void requests_before_join_are_refused(void**) {
  Rooms t(fake::testSettings(1));
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createWebRtcTransport","direction":"send"})")), kJoinState);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"leave"})")), kJoinState);
}

static void connect_and_restart_ice(void**) {
  Published p;
  std::string dtls = R"("dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:CD"}]})";
  Json connected = p.t.ask(1, R"({"request":"connectWebRtcTransport","transportId":)" + q(p.send) + "," + dtls + "}");
  assert_string_equal(Rooms::str(connected, "mediasoup").c_str(), "connected");
  assert_string_equal(Rooms::str(p.t.worker(0).last("transport.connect")->data.at("dtlsParameters"), "role").c_str(), "client");
  // Malformed DTLS parameters never reach the worker.
  size_t connects = p.t.worker(0).count("transport.connect");
  Json bad = p.t.ask(1, R"({"request":"connectWebRtcTransport","transportId":)" + q(p.send) + R"(,"dtlsParameters":{"fingerprints":[]}})");
  assert_int_equal(Rooms::errorCode(bad), kInvalidParameters);
  assert_int_equal(p.t.worker(0).count("transport.connect"), connects);
  // The worker's refusal is the client's error (447), with the worker's reason.
  p.t.worker(0).on("transport.connect", Behaviour::reject("connect() already called"), 1);
  Json refused = p.t.ask(1, R"({"request":"connectWebRtcTransport","transportId":)" + q(p.send) + "," + dtls + "}");
  assert_int_equal(Rooms::errorCode(refused), kInvalidParameters);
  assert_non_null(strstr(Rooms::str(refused, "error").c_str(), "already called"));
  // Another peer's transport is not found (446), whatever its id.
  assert_int_equal(Rooms::errorCode(p.t.ask(2, R"({"request":"connectWebRtcTransport","transportId":)" + q(p.send) + "," + dtls + "}")), kNoSuchEntity);

  Json restarted = p.t.ask(1, R"({"request":"restartIce","transportId":)" + q(p.send) + "}");
  assert_string_equal(Rooms::str(restarted, "mediasoup").c_str(), "iceRestarted");
  assert_non_null(json_object_get(json_object_get(restarted.get(), "iceParameters"), "usernameFragment"));
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"restartIce","transportId":"nope"})")), kNoSuchEntity);
}

static void wrong_direction_and_unknown_ids(void**) {
  Published p;
  std::string params = R"("rtpParameters":{"mid":"1","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2}],"encodings":[{"ssrc":2}]})";
  Json onRecv = p.t.ask(2, R"({"request":"produce","transportId":)" + q(p.recv) + R"(,"kind":"audio",)" + params + "}");
  assert_int_equal(Rooms::errorCode(onRecv), kInvalidElement);
  assert_int_equal(Rooms::errorCode(p.t.consume(1, p.send, p.producerId)), kInvalidElement);
  assert_int_equal(Rooms::errorCode(p.t.consume(2, p.recv, "no-such-producer")), kNoSuchEntity);
  assert_int_equal(Rooms::errorCode(p.t.ask(2, R"({"request":"pauseProducer","producerId":)" + q(p.producerId) + "}")), kNoSuchEntity);
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"pauseConsumer","consumerId":)" + q(p.consumerId) + "}")), kNoSuchEntity);
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"closeTransport","transportId":)" + q(p.recv) + "}")), kNoSuchEntity);
  // Parameters ORTC cannot map: refused before the worker is asked.
  size_t produces = p.t.worker(0).count("transport.produce");
  Json unknownCodec = p.t.ask(1, R"({"request":"produce","transportId":)" + q(p.send) +
                                     R"(,"kind":"video","rtpParameters":{"mid":"2","codecs":[{"mimeType":"video/NOPE","payloadType":100,"clockRate":90000}],"encodings":[{"ssrc":3}]}})");
  assert_int_equal(Rooms::errorCode(unknownCodec), kInvalidParameters);
  assert_int_equal(p.t.worker(0).count("transport.produce"), produces);
  // The client asks for a capability the router lacks: nothing to consume.
  Json noCaps = p.t.ask(2, R"({"request":"consume","transportId":)" + q(p.recv) + R"(,"producerId":)" + q(p.producerId) +
                               R"(,"rtpCapabilities":{"codecs":[],"headerExtensions":[]}})");
  assert_int_equal(Rooms::errorCode(noCaps), kInvalidParameters);
}

static void producer_and_consumer_actions(void**) {
  Published p;
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"pauseProducer","producerId":)" + q(p.producerId) + "}")), 0);
  assert_int_equal(p.t.eventsOf(2, "producerPaused").size(), 1);
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"resumeProducer","producerId":)" + q(p.producerId) + "}")), 0);
  assert_int_equal(p.t.eventsOf(2, "producerResumed").size(), 1);
  assert_string_equal(p.t.worker(0).last("producer.resume")->handlerId.c_str(), p.producerId.c_str());
  p.t.worker(0).on("producer.pause", Behaviour::reject("boom"), 1);
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"pauseProducer","producerId":)" + q(p.producerId) + "}")), kInvalidParameters);
  assert_int_equal(p.t.eventsOf(2, "producerPaused").size(), 1);  // nobody told of a pause that did not happen

  assert_int_equal(Rooms::errorCode(p.t.ask(2, R"({"request":"pauseConsumer","consumerId":)" + q(p.consumerId) + "}")), 0);
  assert_int_equal(Rooms::errorCode(p.t.ask(2, R"({"request":"resumeConsumer","consumerId":)" + q(p.consumerId) + "}")), 0);
  assert_int_equal(p.t.worker(0).count("consumer.pause"), 1);
  assert_int_equal(p.t.worker(0).count("consumer.resume"), 1);
  Json layers = p.t.ask(2, R"({"request":"setPreferredLayers","consumerId":)" + q(p.consumerId) + R"(,"spatialLayer":1,"temporalLayer":2})");
  assert_int_equal(Rooms::errorCode(layers), 0);
  const fake::Request* asked = p.t.worker(0).last("consumer.setPreferredLayers");
  assert_int_equal(json_integer_value(json_object_get(asked->data.get(), "spatialLayer")), 1);
  assert_int_equal(json_integer_value(json_object_get(asked->data.get(), "temporalLayer")), 2);
  assert_int_equal(Rooms::errorCode(p.t.ask(2, R"({"request":"setPreferredLayers","consumerId":"x","spatialLayer":1})")), kNoSuchEntity);

  // The worker's consumer notifications become the consumer's peer's events.
  p.t.worker(0).notify(p.consumerId, "producerpause");
  p.t.worker(0).notify(p.consumerId, "producerresume");
  Json changed = Json::object();
  changed.set("spatialLayer", 0).set("temporalLayer", 1);
  p.t.worker(0).notify(p.consumerId, "layerschange", changed);
  p.t.worker(0).notify(p.consumerId, "score");  // not for the client
  p.t.runUntil([&] { return p.t.eventsOf(2, "consumerLayersChanged").size() == 1; });
  assert_int_equal(p.t.eventsOf(2, "consumerPaused").size(), 1);
  assert_int_equal(p.t.eventsOf(2, "consumerResumed").size(), 1);
  assert_int_equal(json_integer_value(json_object_get(p.t.eventsOf(2, "consumerLayersChanged")[0].get(), "temporalLayer")), 1);
  assert_true(p.t.events[1].size() == p.t.eventsOf(1, "peerJoined").size());  // the producer's peer heard none of it
}

static void stats_of_each_entity(void**) {
  Published p;
  std::string send1 = p.t.transport(1, true, true);
  std::string dataProducerId = Rooms::str(p.t.ask(1, R"({"request":"produceData","transportId":)" + q(send1) +
                                                         R"(,"sctpStreamParameters":{"streamId":3,"ordered":true},"label":"l"})"), "id");
  assert_int_equal(p.t.eventsOf(2, "newDataProducer").size(), 1);
  std::string recv2 = p.t.transport(2, false, true);
  std::string dataConsumerId = Rooms::str(p.t.ask(2, R"({"request":"consumeData","transportId":)" + q(recv2) +
                                                         R"(,"dataProducerId":)" + q(dataProducerId) + "}"), "id");
  struct {
    uint64_t session;
    const char* of;
    std::string id;
    const char* method;
  } cases[] = {
      {1, "transport", p.send, "transport.getStats"},     {1, "producer", p.producerId, "producer.getStats"},
      {2, "consumer", p.consumerId, "consumer.getStats"}, {1, "dataProducer", dataProducerId, "dataProducer.getStats"},
      {2, "dataConsumer", dataConsumerId, "dataConsumer.getStats"},
  };
  for (const auto& c : cases) {
    std::string body = std::string(R"({"request":"getStats",")") + c.of + R"(Id":)" + q(c.id) + "}";
    Json stats = p.t.ask(c.session, body);
    if (Rooms::errorCode(stats)) fail_msg("getStats %s: %s", c.of, stats.dump().c_str());
    assert_string_equal(Rooms::str(stats, "mediasoup").c_str(), "stats");
    assert_int_equal(json_array_size(json_object_get(stats.get(), "stats")), 1);
    assert_string_equal(p.t.worker(0).last(c.method)->handlerId.c_str(), c.id.c_str());
    // Someone else's entity is not found.
    Json other = p.t.ask(3 - c.session, body);
    assert_int_equal(Rooms::errorCode(other), kNoSuchEntity);
  }
  p.t.worker(0).on("transport.getStats", Behaviour::die());
  assert_int_equal(Rooms::errorCode(p.t.ask(1, R"({"request":"getStats","transportId":)" + q(p.send) + "}")), kWorkerUnavailable);
}

static void plain_transports_checked_before_the_worker(void**) {
  Settings settings = fake::testSettings(1);
  std::string bad;
  settings.plainAllowedRemotes = *parseCidrList("127.0.0.0/8", bad);
  Rooms t(settings);
  t.ask(1, R"({"request":"join","room":"r"})");
  // Comedia recv would send wherever the first packet came from: off while an allow-list is set.
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createPlainTransport","direction":"recv","comedia":true})")), kUnauthorized);

  Json plain = t.ask(1, R"({"request":"createPlainTransport","direction":"recv","rtcpMux":false,"enableSrtp":true,"srtpCryptoSuite":"AEAD_AES_128_GCM"})");
  assert_string_equal(Rooms::str(plain, "mediasoup").c_str(), "plainTransport");
  assert_non_null(json_object_get(plain.get(), "rtcpPort"));
  assert_non_null(json_object_get(plain.get(), "srtpParameters"));
  std::string id = Rooms::str(plain, "id");
  std::string key = R"("srtpParameters":{"cryptoSuite":"AEAD_AES_128_GCM","keyBase64":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="})";
  auto connect = [&](const std::string& fields) {
    return Rooms::errorCode(t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(id) + fields + "}"));
  };
  size_t connects = t.worker(0).count("transport.connect");
  assert_int_equal(connect(R"(,"port":5000,"rtcpPort":5001,)" + key), kMissingElement);                   // no ip
  assert_int_equal(connect(R"(,"ip":"10.1.2.3","port":5000,"rtcpPort":5001,)" + key), kUnauthorized);      // outside the list
  assert_int_equal(connect(R"(,"ip":"127.0.0.1","rtcpPort":5001,)" + key), kMissingElement);               // no port
  assert_int_equal(connect(R"(,"ip":"127.0.0.1","port":5000,)" + key), kMissingElement);                   // no rtcpPort
  assert_int_equal(connect(R"(,"ip":"127.0.0.1","port":5000,"rtcpPort":5001)"), kMissingElement);          // no key
  assert_int_equal(t.worker(0).count("transport.connect"), connects);
  Json ok = t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(id) + R"(,"ip":"127.0.0.1","port":5000,"rtcpPort":5001,)" + key + "}");
  assert_string_equal(Rooms::str(ok, "mediasoup").c_str(), "connected");
  assert_string_equal(Rooms::str(t.worker(0).last("transport.connect")->data, "ip").c_str(), "127.0.0.1");

  Json comedia = t.ask(1, R"({"request":"createPlainTransport","direction":"send","comedia":true})");
  std::string comediaId = Rooms::str(comedia, "id");
  Json withIp = t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(comediaId) + R"(,"ip":"127.0.0.1","port":1})");
  assert_int_equal(Rooms::errorCode(withIp), kInvalidElement);  // it learns them from the first packet
  Json muxed = t.ask(1, R"({"request":"createPlainTransport","direction":"send"})");
  Json rtcpPort = t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(Rooms::str(muxed, "id")) + R"(,"ip":"127.0.0.1","port":1,"rtcpPort":2})");
  assert_int_equal(Rooms::errorCode(rtcpPort), kInvalidElement);
  Json srtpOff = t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(Rooms::str(muxed, "id")) + R"(,"ip":"127.0.0.1","port":1,)" + key + "}");
  assert_int_equal(Rooms::errorCode(srtpOff), kInvalidElement);
  // A plain transport is no WebRTC transport, and the reverse.
  std::string webrtc = t.transport(1, true);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"restartIce","transportId":)" + q(id) + "}")), kInvalidElement);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"connectPlainTransport","transportId":)" + q(webrtc) + R"(,"ip":"127.0.0.1","port":1})")), kInvalidElement);
  // A worker out of ports: 448, and nothing kept.
  t.worker(0).on("router.createPlainTransport", Behaviour::reject("no more available ports"), 1);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createPlainTransport","direction":"send"})")), kWorkerUnavailable);
}

// appData given at join, produce and produceData reaches the others as the client gave it: in peerJoined,
// newProducer, newDataProducer and a later joiner's answer ({} when none). Over 4 KB it is refused (440).
static void app_data_travels_with_peers_and_producers(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r","display":"a","appData":{"role":"host"}})");
  t.ask(2, R"({"request":"join","room":"r","display":"b"})");
  Json joined = t.eventsOf(1, "peerJoined").at(0);
  assert_true(json_is_object(json_object_get(joined.get(), "appData")));
  assert_int_equal(json_object_size(json_object_get(joined.get(), "appData")), 0);
  std::string send = t.transport(1, true, true);
  Json produced = t.ask(1, R"({"request":"produce","transportId":")" + send +
                               R"(","kind":"video","appData":{"source":"screen"},"rtpParameters":{"mid":"0","codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[],"encodings":[{"ssrc":2222}],"rtcp":{"cname":"c"}}})");
  assert_string_equal(Rooms::str(produced, "mediasoup").c_str(), "produced");
  t.settle();
  Json announced = t.eventsOf(2, "newProducer").at(0);
  assert_string_equal(Rooms::str(announced.at("appData"), "source").c_str(), "screen");
  Json dataProduced = t.ask(1, R"({"request":"produceData","transportId":")" + send +
                                   R"(","sctpStreamParameters":{"streamId":1,"ordered":true},"label":"chat","appData":{"n":1}})");
  assert_string_equal(Rooms::str(dataProduced, "mediasoup").c_str(), "dataProduced");
  t.settle();
  assert_int_equal(json_integer_value(json_object_get(json_object_get(t.eventsOf(2, "newDataProducer").at(0).get(), "appData"), "n")), 1);
  // A later joiner sees all of it in its answer.
  Json third = t.ask(3, R"({"request":"join","room":"r"})");
  json_t* peers = json_object_get(third.get(), "peers");
  json_t* host = nullptr;
  size_t i;
  json_t* peer;
  json_array_foreach(peers, i, peer) {
    if (std::string(json_string_value(json_object_get(peer, "display"))) == "a") host = peer;
  }
  assert_non_null(host);
  assert_string_equal(json_string_value(json_object_get(json_object_get(host, "appData"), "role")), "host");
  json_t* producer = json_array_get(json_object_get(host, "producers"), 0);
  assert_string_equal(json_string_value(json_object_get(json_object_get(producer, "appData"), "source")), "screen");
  json_t* dataProducer = json_array_get(json_object_get(host, "dataProducers"), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(dataProducer, "appData"), "n")), 1);
  // Too large, or not an object: refused before anything happens.
  std::string big = R"({"request":"join","room":"r2","appData":{"x":")" + std::string(5000, 'y') + R"("}})";
  assert_int_equal(Rooms::errorCode(t.ask(4, big)), kInvalidElement);
  assert_int_equal(Rooms::errorCode(t.ask(4, R"({"request":"join","room":"r2","appData":[1]})")), kInvalidElement);
  assert_int_equal(t.routerCount("r2"), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(requests_before_join_are_refused),
      cmocka_unit_test(connect_and_restart_ice),
      cmocka_unit_test(wrong_direction_and_unknown_ids),
      cmocka_unit_test(producer_and_consumer_actions),
      cmocka_unit_test(stats_of_each_entity),
      cmocka_unit_test(plain_transports_checked_before_the_worker),
      cmocka_unit_test(app_data_travels_with_peers_and_producers),
  };
  return cmocka_run_group_tests_name("signaling", tests, nullptr, nullptr);
}
