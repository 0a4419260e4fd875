// RoomManager over fake workers: membership, placement, the join/detach race, failover and drain, each step
// scripted (which worker answers what, and when it dies) instead of raced through Janus.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <thread>

#include "rooms_harness.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

static std::set<std::string> peerIdsIn(const Json& list) {
  std::set<std::string> ids;
  size_t i;
  json_t* entry;
  json_array_foreach(list.get(), i, entry) ids.insert(json_string_value(json_object_get(entry, "peerId")));
  return ids;
}

static void create_join_leave_destroy(void**) {
  Rooms t;
  Json created = t.ask(1, R"({"request":"create","room":"r"})");
  assert_string_equal(Rooms::str(created, "mediasoup").c_str(), "created");
  size_t slot = Rooms::workerOf(created);
  assert_int_equal(t.worker(slot).count("worker.createRouter"), 1);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"create","room":"r"})")), kRoomExists);
  assert_true(json_is_true(json_object_get(t.ask(9, R"({"request":"exists","room":"r"})").get(), "exists")));

  Json first = t.ask(1, R"({"request":"join","room":"r","display":"one"})");
  assert_string_equal(Rooms::str(first, "mediasoup").c_str(), "joined");
  assert_int_equal(json_array_size(json_object_get(first.get(), "peers")), 0);
  Json second = t.ask(2, R"({"request":"join","room":"r","display":"two"})");
  assert_true(peerIdsIn(second.at("peers")).count(Rooms::str(first, "peerId")));
  auto joined = t.eventsOf(1, "peerJoined");
  assert_int_equal(joined.size(), 1);
  assert_string_equal(Rooms::str(joined[0], "display").c_str(), "two");
  assert_int_equal(Rooms::errorCode(t.ask(2, R"({"request":"join","room":"r"})")), kJoinState);

  assert_string_equal(Rooms::str(t.ask(2, R"({"request":"leave"})"), "mediasoup").c_str(), "left");
  assert_int_equal(t.eventsOf(1, "peerLeft").size(), 1);
  assert_int_equal(Rooms::errorCode(t.ask(2, R"({"request":"leave"})")), kJoinState);

  // A created room stays when its peers leave; destroy closes it and tells those still in it.
  Json destroyed = t.ask(9, R"({"request":"destroy","room":"r"})");
  assert_string_equal(Rooms::str(destroyed, "mediasoup").c_str(), "destroyed");
  auto closed = t.eventsOf(1, "roomClosed");
  assert_int_equal(closed.size(), 1);
  assert_string_equal(Rooms::str(closed[0], "reason").c_str(), "destroyed");
  assert_true(t.eventsOf(2, "roomClosed").empty());  // it had left
  t.settle();
  assert_int_equal(t.worker(slot).count("worker.closeRouter"), 1);
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"destroy","room":"r"})")), kNoSuchRoom);
  assert_true(t.manager->rooms().empty());
  assert_null(t.manager->peerOf(1));
}

static void an_auto_created_room_closes_with_its_last_peer(void**) {
  Rooms t;
  Json joined = t.ask(1, R"({"request":"join","room":"auto"})");
  size_t slot = Rooms::workerOf(joined);
  t.ask(2, R"({"request":"join","room":"auto"})");
  t.ask(1, R"({"request":"leave"})");
  assert_int_equal(t.manager->rooms().size(), 1);
  t.manager->sessionGone(2);  // a detach leaves like `leave`
  assert_true(t.manager->rooms().empty());
  t.settle();
  assert_int_equal(t.worker(slot).count("worker.closeRouter"), 1);
  assert_int_equal(t.lifecycleCount("roomClosed"), 1);
  assert_string_equal(Rooms::str(t.lifecycle.back(), "reason").c_str(), "empty");
}

// The handle detaches while its join waits for the room's first router: the join is answered 445, the room it
// made closes, and its router is closed once the worker has created it.
static void a_detach_racing_a_join_leaves_nothing(void**) {
  Rooms t(fake::testSettings(1));
  t.worker(0).on("worker.createRouter", Behaviour::hold(), 1);
  auto answer = t.send(1, R"({"request":"join","room":"race"})");
  t.runUntil([&] { return t.worker(0).heldCount() == 1; });
  assert_false(answer->has_value());
  t.manager->sessionGone(1);
  assert_true(t.manager->rooms().empty());
  t.worker(0).release();
  t.runUntil([&] { return answer->has_value(); });
  assert_int_equal(Rooms::errorCode(**answer), kJoinState);
  t.settle();
  assert_int_equal(t.worker(0).count("worker.createRouter"), 1);
  assert_int_equal(t.worker(0).count("worker.closeRouter"), 1);
  assert_int_equal(t.pool->slots()[0]->worker->routerCount(), 0);
  // The session can join again at once.
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"join","room":"race"})"), "mediasoup").c_str(), "joined");
}

// A full router makes the room grow a router on another worker; the extra one closes when its peers leave.
static void a_full_router_places_the_next_peer_on_a_second_worker(void**) {
  Rooms t(fake::testSettings(2, 1));
  size_t a = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"big"})"));
  size_t b = Rooms::workerOf(t.ask(2, R"({"request":"join","room":"big"})"));
  assert_int_not_equal(a, b);
  assert_int_equal(t.routerCount("big"), 2);
  auto joined = t.eventsOf(1, "peerJoined");
  assert_int_equal(joined.size(), 1);
  assert_int_equal(Rooms::workerOf(joined[0]), b);
  Json list = t.ask(9, R"({"request":"list"})");
  assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(list.get(), "list"), 0), "workers")), 2);
  t.ask(2, R"({"request":"leave"})");
  t.settle();
  assert_int_equal(t.routerCount("big"), 1);
  assert_int_equal(t.worker(b).count("worker.closeRouter"), 1);
  assert_int_equal(t.worker(a).count("worker.closeRouter"), 0);
}

// A worker dies: its peers move to a live router (`moved` with the room's peers and their producers), the
// room's other peers hear that its producers closed and that it moved, and a room elsewhere hears nothing.
static void a_dead_worker_moves_its_peers(void**) {
  Rooms t(fake::testSettings(3, 1));
  Json first = t.ask(1, R"({"request":"join","room":"r"})");
  std::string firstProducer = t.produceAudio(1, t.transport(1, true));
  Json second = t.ask(2, R"({"request":"join","room":"r"})");
  size_t dying = Rooms::workerOf(second);
  assert_int_not_equal(dying, Rooms::workerOf(first));
  std::string producerId = t.produceAudio(2, t.transport(2, true));
  Json other = t.ask(3, R"({"request":"join","room":"elsewhere"})");
  assert_int_not_equal(Rooms::workerOf(other), dying);

  t.worker(dying).die();
  t.runUntil([&] { return t.eventsOf(2, "moved").size() == 1; });
  Json moved = t.eventsOf(2, "moved")[0];
  assert_string_equal(Rooms::str(moved, "reason").c_str(), "workerDied");
  assert_int_not_equal(Rooms::workerOf(moved), dying);
  // What it consumes again: peer 1 and its producer.
  json_t* peers = json_object_get(moved.get(), "peers");
  assert_int_equal(json_array_size(peers), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(peers, 0), "peerId")), Rooms::str(first, "peerId").c_str());
  json_t* producers = json_object_get(json_array_get(peers, 0), "producers");
  assert_int_equal(json_array_size(producers), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(producers, 0), "id")), firstProducer.c_str());
  // Peer 1 stays where it was: told that peer 2's producer closed and that peer 2 moved, not moved itself.
  auto closed = t.eventsOf(1, "producerClosed");
  assert_int_equal(closed.size(), 1);
  assert_string_equal(Rooms::str(closed[0], "producerId").c_str(), producerId.c_str());
  auto peerMoved = t.eventsOf(1, "peerMoved");
  assert_int_equal(peerMoved.size(), 1);
  assert_string_equal(Rooms::str(peerMoved[0], "peerId").c_str(), Rooms::str(second, "peerId").c_str());
  assert_true(t.eventsOf(1, "moved").empty());
  assert_true(t.events[3].empty());
  assert_int_equal(t.lifecycleCount("peerMoved"), 1);
  // Media requests work again on the new router.
  t.transport(2, false);
}

// Both peers of a router move when its worker dies; each `moved` lists the other.
static void peers_of_one_router_move_together(void**) {
  Rooms t;
  size_t dying = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  Json second = t.ask(2, R"({"request":"join","room":"r"})");
  t.worker(dying).die();
  t.runUntil([&] { return t.eventsOf(1, "moved").size() == 1 && t.eventsOf(2, "moved").size() == 1; });
  Json moved = t.eventsOf(1, "moved")[0];
  assert_int_not_equal(Rooms::workerOf(moved), dying);
  assert_true(peerIdsIn(moved.at("peers")).count(Rooms::str(second, "peerId")));
  assert_true(t.eventsOf(1, "producerClosed").empty());  // `moved` carries what exists now
}

// Every worker dead and none coming back: the room waits, then closes (noWorker) when the time is up.
static void a_room_without_any_worker_closes_after_the_timeout(void**) {
  Rooms t(fake::testSettings(1));
  t.manager->setNoWorkerTimeout(300);
  t.ask(1, R"({"request":"join","room":"r"})");
  t.fakes.refuseSpawn = true;  // respawns fail: the slot stays dead
  t.worker(0).die();
  t.runUntil([&] { return t.pool->slots()[0]->worker == nullptr || !t.pool->slots()[0]->worker->running(); });
  t.settle();
  assert_true(t.eventsOf(1, "roomClosed").empty());  // waiting, not closed
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createWebRtcTransport","direction":"send"})")), kWorkerUnavailable);
  t.runUntil([&] { return !t.eventsOf(1, "roomClosed").empty(); }, 3000);
  assert_string_equal(Rooms::str(t.eventsOf(1, "roomClosed")[0], "reason").c_str(), "noWorker");
  assert_true(t.manager->rooms().empty());
}

// A waiting room is placed again when a worker comes back within the time: its peer gets `moved`.
static void a_waiting_room_is_placed_on_the_respawned_worker(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(1, R"({"request":"join","room":"r"})");
  t.worker(0).die();
  t.runUntil([&] { return !t.eventsOf(1, "moved").empty(); });
  assert_string_equal(Rooms::str(t.eventsOf(1, "moved")[0], "reason").c_str(), "workerDied");
  assert_int_equal(t.fakes.started(), 2);
  assert_int_equal(t.worker(0).count("worker.createRouter"), 1);
  assert_true(t.eventsOf(1, "roomClosed").empty());
}

// Drain: the worker's peers move to another worker (reason "drained"), it gets no new room, and it stops.
static void drain_moves_peers_off_and_stops_the_worker(void**) {
  Rooms t;
  size_t drained = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  fake::Worker& before = t.worker(drained);
  std::optional<Json> answer;
  t.manager->drainWorker(drained, [&](Json reply) { answer = reply; });
  assert_true(answer.has_value());
  assert_int_equal(json_integer_value(json_object_get(answer->get(), "moved")), 1);
  t.runUntil([&] { return !t.eventsOf(1, "moved").empty(); });
  Json moved = t.eventsOf(1, "moved")[0];
  assert_string_equal(Rooms::str(moved, "reason").c_str(), "drained");
  assert_int_not_equal(Rooms::workerOf(moved), drained);
  t.runUntil([&] { return before.dead(); });  // its channel closed: a real worker exits
  for (int i = 0; i < 4; ++i) {
    Json created = t.ask(9, R"({"request":"create"})");
    assert_int_not_equal(Rooms::workerOf(created), drained);
  }
  std::optional<Json> again;
  t.manager->drainWorker(drained, [&](Json reply) { again = reply; });
  assert_int_equal(Rooms::errorCode(*again), kInvalidElement);
}

// A worker that cannot create the room's router: `create` fails with 448 and leaves no room behind.
static void a_refused_router_fails_create_cleanly(void**) {
  Rooms t(fake::testSettings(1));
  t.worker(0).on("worker.createRouter", Behaviour::reject("no"), 1);
  Json answer = t.ask(1, R"({"request":"create","room":"nope"})");
  assert_int_equal(Rooms::errorCode(answer), kWorkerUnavailable);
  assert_true(t.manager->rooms().empty());
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"create","room":"nope"})"), "mediasoup").c_str(), "created");
}

// A request handed to the rooms from a thread that does not run their loop (Janus's own threads must post):
// the checked build aborts at once, naming the function, instead of racing the loop.
static void touching_the_rooms_off_the_loop_thread_aborts(void**) {
#ifndef MSP_LOOP_CHECKS
  skip();
#else
  Rooms t(fake::testSettings(1));
  pid_t child = fork();
  if (child == 0) {
    std::thread other([&] { t.manager->handle(1, request::List{}, [](Json) {}); });
    other.join();
    _exit(0);  // not reached when the check works
  }
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_join_leave_destroy),
      cmocka_unit_test(an_auto_created_room_closes_with_its_last_peer),
      cmocka_unit_test(a_detach_racing_a_join_leaves_nothing),
      cmocka_unit_test(a_full_router_places_the_next_peer_on_a_second_worker),
      cmocka_unit_test(a_dead_worker_moves_its_peers),
      cmocka_unit_test(peers_of_one_router_move_together),
      cmocka_unit_test(a_room_without_any_worker_closes_after_the_timeout),
      cmocka_unit_test(a_waiting_room_is_placed_on_the_respawned_worker),
      cmocka_unit_test(drain_moves_peers_off_and_stops_the_worker),
      cmocka_unit_test(a_refused_router_fails_create_cleanly),
      cmocka_unit_test(touching_the_rooms_off_the_loop_thread_aborts),
  };
  return cmocka_run_group_tests_name("rooms", tests, nullptr, nullptr);
}
