// Close cascades over a fake worker: late replies to closed entities, a worker dying mid-request, and every
// entity closed and announced exactly once.
#include "rooms_harness.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

// The transport closes while the worker is still making its producer: the late reply makes nothing, the
// produce is answered with an error, and the worker is asked to close nothing twice.
static void a_reply_after_its_transport_closed_makes_nothing(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  std::string send = t.transport(1, true);
  t.worker(0).on("transport.produce", Behaviour::hold(), 1);
  auto produced = t.send(1, R"({"request":"produce","transportId":")" + send +
                                R"(","kind":"audio","rtpParameters":{"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2}],"encodings":[{"ssrc":1}],"rtcp":{"cname":"c"}}})");
  t.runUntil([&] { return t.worker(0).heldCount() == 1; });
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"closeTransport","transportId":")" + send + "\"}"), "mediasoup").c_str(), "success");
  t.worker(0).release();
  t.runUntil([&] { return produced->has_value(); });
  assert_int_not_equal(Rooms::errorCode(**produced), 0);
  const Peer* peer = t.manager->peerOf(1);
  Router* router = t.manager->rooms().at("r")->router(peer->routerId)->router;
  assert_int_equal(router->transports().size(), 0);
  assert_true(t.eventsOf(1, "producerClosed").empty());
  t.settle();
  assert_int_equal(t.worker(0).count("router.closeTransport"), 1);
}

// A late reply to a consume whose peer left meanwhile: nothing is kept, nobody is told.
static void a_reply_after_its_peer_left(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  std::string producerId = t.produceAudio(1, t.transport(1, true));
  std::string recv = t.transport(2, false);
  t.worker(0).on("transport.consume", Behaviour::hold(), 1);
  auto consumed = t.send(2, t.consumeBody(recv, producerId));
  t.runUntil([&] { return t.worker(0).heldCount() == 1; });
  t.manager->sessionGone(2);
  t.worker(0).release();
  t.runUntil([&] { return consumed->has_value(); });
  assert_int_not_equal(Rooms::errorCode(**consumed), 0);
  const Peer* peer = t.manager->peerOf(1);
  Router* router = t.manager->rooms().at("r")->router(peer->routerId)->router;
  assert_int_equal(router->transports().size(), 1);  // peer 1's send transport only
  assert_int_equal(t.eventsOf(1, "peerLeft").size(), 1);
}

// The worker dies with a request in flight: the request is answered 448 at once (not after the request
// timeout), and the peer moves.
static void a_worker_dying_mid_request_answers_448_at_once(void**) {
  Settings settings = fake::testSettings(2);
  settings.requestTimeoutMs = 60000;  // an answer must not wait for this
  Rooms t(settings);
  size_t slot = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  t.worker(slot).on("router.createWebRtcTransportWithServer", Behaviour::die());
  auto answer = t.send(1, R"({"request":"createWebRtcTransport","direction":"send"})");
  t.runUntil([&] { return answer->has_value(); }, 1000);
  assert_int_equal(Rooms::errorCode(**answer), kWorkerUnavailable);
  t.runUntil([&] { return t.eventsOf(1, "moved").size() == 1; });
}

// A worker that never answers: the request times out (448) after request_timeout_ms, and a reply that comes
// later still is ignored.
static void a_request_the_worker_never_answers_times_out(void**) {
  Settings settings = fake::testSettings(1);
  settings.requestTimeoutMs = 200;
  settings.healthTimeoutMs = 60000;  // not killed as hung meanwhile
  Rooms t(settings);
  t.ask(1, R"({"request":"join","room":"r"})");
  t.worker(0).on("router.createWebRtcTransportWithServer", Behaviour::hold(), 1);
  Json answer = t.ask(1, R"({"request":"createWebRtcTransport","direction":"send"})");
  assert_int_equal(Rooms::errorCode(answer), kWorkerUnavailable);
  t.worker(0).release();  // the late reply
  t.settle();
  Router* router = t.manager->rooms().at("r")->routers.begin()->second.router;
  assert_int_equal(router->transports().size(), 0);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createWebRtcTransport","direction":"send"})")), 0);
}

// Each entity closes and is announced once, whichever way its close comes: the client's close, the worker's
// own producerclose, the transport's close, the peer leaving, the room's destroy.
static void every_entity_closes_and_is_announced_once(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  std::string send = t.transport(1, true);
  std::string producerId = t.produceAudio(1, send);
  std::string recv = t.transport(2, false);
  Json consumer = t.consume(2, recv, producerId);
  std::string consumerId = Rooms::str(consumer, "id");

  std::string close = R"({"request":"closeProducer","producerId":")" + producerId + "\"}";
  assert_int_equal(Rooms::errorCode(t.ask(1, close)), 0);
  assert_int_equal(Rooms::errorCode(t.ask(1, close)), kNoSuchEntity);  // twice: 446, nothing else happens
  // The worker's own notice that the consumer's producer closed comes after the core cascaded: nothing new.
  t.worker(0).notify(consumerId, "producerclose");
  t.settle();
  assert_int_equal(t.eventsOf(2, "producerClosed").size(), 1);
  assert_int_equal(t.eventsOf(2, "consumerClosed").size(), 1);
  assert_int_equal(t.lifecycleCount("producerClosed"), 1);
  assert_int_equal(t.worker(0).count("transport.closeProducer"), 1);

  // A producer whose transport closes: closed once, announced once.
  std::string second = t.produceAudio(1, send);
  t.consume(2, recv, second);
  std::string closeTransport = R"({"request":"closeTransport","transportId":")" + send + "\"}";
  assert_int_equal(Rooms::errorCode(t.ask(1, closeTransport)), 0);
  assert_int_equal(Rooms::errorCode(t.ask(1, closeTransport)), kNoSuchEntity);
  t.settle();
  assert_int_equal(t.eventsOf(2, "producerClosed").size(), 2);
  assert_int_equal(t.eventsOf(2, "consumerClosed").size(), 2);
  assert_int_equal(t.worker(0).count("router.closeTransport"), 1);

  // A third producer goes with its peer; then the room's destroy closes the router once.
  std::string third = t.produceAudio(1, t.transport(1, true));
  t.consume(2, recv, third);
  t.ask(1, R"({"request":"leave"})");
  t.settle();
  assert_int_equal(t.eventsOf(2, "producerClosed").size(), 3);
  assert_int_equal(t.eventsOf(2, "consumerClosed").size(), 3);
  assert_int_equal(t.eventsOf(2, "peerLeft").size(), 1);
  t.ask(9, R"({"request":"destroy","room":"r"})");
  t.manager->sessionGone(2);  // after the room closed: nothing to do
  t.settle();
  assert_int_equal(t.worker(0).count("worker.closeRouter"), 1);
  assert_int_equal(t.eventsOf(2, "roomClosed").size(), 1);
  assert_int_equal(t.lifecycleCount("roomClosed"), 1);
  assert_int_equal(t.pool->slots()[0]->worker->routerCount(), 0);
}

// Shutdown with rooms open: every room closes, nobody is told (the plugin is going), workers close.
static void close_all_closes_every_room_silently(void**) {
  Rooms t;
  t.ask(1, R"({"request":"join","room":"a"})");
  t.ask(2, R"({"request":"join","room":"b"})");
  t.manager->closeAll();
  assert_true(t.manager->rooms().empty());
  assert_true(t.eventsOf(1, "roomClosed").empty());
  assert_int_equal(t.lifecycleCount("roomClosed"), 2);
}

// The workers outlive the rooms: a router the worker is still making when the rooms are freed answers later,
// and nothing of the rooms is touched (the ASan build fails this test if anything is).
static void a_worker_reply_after_the_rooms_are_gone(void**) {
  Rooms t(fake::testSettings(1));
  t.worker(0).on("worker.createRouter", Behaviour::hold(), 1);
  auto answer = t.send(1, R"({"request":"join","room":"r"})");
  t.runUntil([&] { return t.worker(0).heldCount() == 1; });
  t.manager.reset();  // the rooms go first; the join's reply is dropped with them
  t.worker(0).release();
  t.settle();
  t.worker(0).die();  // and a router's worker dying afterwards tells nobody either
  t.settle();
  assert_false(answer->has_value() && Rooms::errorCode(**answer) == 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_reply_after_its_transport_closed_makes_nothing),
      cmocka_unit_test(a_reply_after_its_peer_left),
      cmocka_unit_test(a_worker_dying_mid_request_answers_448_at_once),
      cmocka_unit_test(a_request_the_worker_never_answers_times_out),
      cmocka_unit_test(every_entity_closes_and_is_announced_once),
      cmocka_unit_test(close_all_closes_every_room_silently),
      cmocka_unit_test(a_worker_reply_after_the_rooms_are_gone),
  };
  return cmocka_run_group_tests_name("cascade", tests, nullptr, nullptr);
}
