// Access control and limits in the rooms layer, over a fake worker: for every rule, the right credential works
// and the wrong or missing one gets 449 (a limit: 450) and changes nothing.
#include <cstring>

#include "mint_token.h"
#include "rooms_harness.h"

using namespace msp;
using namespace msp::test;
using fake::Rooms;

namespace {

std::string q(const std::string& s) { return "\"" + s + "\""; }

bool mentions(const Json& j, const char* text) { return j.dump().find(text) != std::string::npos; }

}  // namespace

static void the_admin_key_guards_new_rooms(void**) {
  Settings settings = fake::testSettings(1);
  settings.adminKey = "the-admin-key";
  Rooms t(settings);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"create","room":"a"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"create","room":"a","admin_key":"wrong"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"a"})")), kUnauthorized);  // would create it
  assert_true(t.manager->rooms().empty());
  assert_int_equal(t.worker(0).count("worker.createRouter"), 0);
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"create","room":"a","admin_key":"the-admin-key"})"), "mediasoup").c_str(), "created");
  // Joining a room that exists needs no admin key; destroying it does (it has no secret of its own).
  assert_string_equal(Rooms::str(t.ask(2, R"({"request":"join","room":"a"})"), "mediasoup").c_str(), "joined");
  assert_int_equal(Rooms::errorCode(t.ask(3, R"({"request":"destroy","room":"a"})")), kUnauthorized);
  assert_string_equal(Rooms::str(t.ask(3, R"({"request":"destroy","room":"a","admin_key":"the-admin-key"})"), "mediasoup").c_str(), "destroyed");
}

static void a_pin_guards_joins_and_is_never_shown(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(9, R"({"request":"create","room":"p","pin":"1234","secret":"s3cret"})");
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"p"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"p","pin":"123"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"p","pin":"12345"})")), kUnauthorized);
  assert_true(t.manager->rooms().at("p")->peers.empty());
  Json joined = t.ask(1, R"({"request":"join","room":"p","pin":"1234"})");
  assert_string_equal(Rooms::str(joined, "mediasoup").c_str(), "joined");
  // Neither the pin nor the secret appears in any answer or event.
  Json list = t.ask(9, R"({"request":"list"})");
  Json second = t.ask(2, R"({"request":"join","room":"p","pin":"1234"})");
  for (const Json* j : {&joined, &list, &second}) assert_false(mentions(*j, "1234") || mentions(*j, "s3cret"));
  for (const auto& [session, events] : t.events) {
    for (const auto& e : events) assert_false(mentions(e, "1234") || mentions(e, "s3cret"));
  }
  for (const auto& e : t.lifecycle) assert_false(mentions(e, "1234") || mentions(e, "s3cret"));
}

static void a_secret_guards_destroy_and_kick(void**) {
  Rooms t(fake::testSettings(1));
  t.ask(9, R"({"request":"create","room":"s","secret":"s3cret"})");
  Json one = t.ask(1, R"({"request":"join","room":"s"})");
  t.ask(2, R"({"request":"join","room":"s"})");
  std::string kickOne = R"({"request":"kick","room":"s","peerId":)" + q(Rooms::str(one, "peerId"));
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"destroy","room":"s"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"destroy","room":"s","secret":"nope"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(2, kickOne + "}")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(2, kickOne + R"(,"secret":"nope"})")), kUnauthorized);
  assert_int_equal(t.manager->rooms().at("s")->peers.size(), 2);
  assert_true(t.eventsOf(1, "kicked").empty());

  assert_string_equal(Rooms::str(t.ask(2, kickOne + R"(,"secret":"s3cret"})"), "mediasoup").c_str(), "success");
  assert_int_equal(t.eventsOf(1, "kicked").size(), 1);
  assert_string_equal(Rooms::str(t.eventsOf(1, "kicked")[0], "room").c_str(), "s");
  assert_int_equal(t.eventsOf(2, "peerLeft").size(), 1);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"leave"})")), kJoinState);  // no longer joined
  assert_int_equal(Rooms::errorCode(t.ask(2, kickOne + R"(,"secret":"s3cret"})")), kNoSuchEntity);  // gone already
  assert_string_equal(Rooms::str(t.ask(9, R"({"request":"destroy","room":"s","secret":"s3cret"})"), "mediasoup").c_str(), "destroyed");
}

static void tokens_open_rooms_and_carry_rights(void**) {
  Settings settings = fake::testSettings(1);
  settings.tokenSecret = kTestTokenSecret;
  Rooms t(settings);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"t"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"t","token":)" + q(roomToken("other")) + "}")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"t","token":)" + q(roomToken("t", "", "a different secret of 32 bytes!")) + "}")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"t","token":)" + q(std::string(1 << 20, 'x')) + "}")), kUnauthorized);
  assert_true(t.manager->rooms().empty());

  // The token's display wins over the request's; it may only watch.
  Json viewer = t.ask(1, R"({"request":"join","room":"t","display":"mallory","token":)" +
                             q(roomToken("t", R"(,"display":"Vera","publish":false)")) + "}");
  assert_string_equal(Rooms::str(viewer, "mediasoup").c_str(), "joined");
  assert_string_equal(t.manager->peerOf(1)->display.c_str(), "Vera");
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createWebRtcTransport","direction":"send"})")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createPlainTransport","direction":"send"})")), kUnauthorized);
  std::string recv = t.transport(1, false);

  Json speaker = t.ask(2, R"({"request":"join","room":"t","token":)" + q(roomToken("*", R"(,"subscribe":false)")) + "}");
  assert_string_equal(Rooms::str(speaker, "mediasoup").c_str(), "joined");
  std::string producerId = t.produceAudio(2, t.transport(2, true));
  assert_int_equal(Rooms::errorCode(t.consume(2, t.transport(2, false), producerId)), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.consume(1, recv, producerId)), 0);
  assert_int_equal(t.worker(0).count("transport.consume"), 1);

  // An admin token destroys the room without its secret; a plain one does not.
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"create","room":"u","secret":"x"})")), 0);
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"destroy","room":"u","token":)" + q(roomToken("u")) + "}")), kUnauthorized);
  assert_int_equal(Rooms::errorCode(t.ask(9, R"({"request":"destroy","room":"u","token":)" + q(roomToken("u", R"(,"admin":true)")) + "}")), 0);
}

static void per_peer_limits_stop_at_450(void**) {
  Settings settings = fake::testSettings(1);
  settings.maxTransportsPerPeer = 3;
  settings.maxProducersPerPeer = 1;
  settings.maxConsumersPerPeer = 1;
  Rooms t(settings);
  t.ask(1, R"({"request":"join","room":"l"})");
  t.ask(2, R"({"request":"join","room":"l"})");
  std::string send = t.transport(1, true);
  // Asked at once: one more transport fits, the third of these does not, whatever the order of answers.
  auto a = t.send(1, R"({"request":"createWebRtcTransport","direction":"recv"})");
  auto b = t.send(1, R"({"request":"createWebRtcTransport","direction":"recv"})");
  auto c = t.send(1, R"({"request":"createWebRtcTransport","direction":"recv"})");
  t.runUntil([&] { return a->has_value() && b->has_value() && c->has_value(); });
  int refused = 0;
  for (const auto& answer : {a, b, c}) {
    if (Rooms::errorCode(**answer) == kLimitReached) {
      ++refused;
      assert_true(mentions(**answer, "max_transports_per_peer = 3"));
    }
  }
  assert_int_equal(refused, 1);
  assert_int_equal(t.worker(0).count("router.createWebRtcTransportWithServer"), 3);
  // Closing one makes room for one.
  t.ask(1, R"({"request":"closeTransport","transportId":)" + q(Rooms::str(**a, "id").empty() ? Rooms::str(**b, "id") : Rooms::str(**a, "id")) + "}");
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"createWebRtcTransport","direction":"recv"})")), 0);

  std::string producerId = t.produceAudio(1, send);
  Json second = t.ask(1, R"({"request":"produceData","transportId":)" + q(send) + R"(,"sctpStreamParameters":{"streamId":1}})");
  assert_int_equal(Rooms::errorCode(second), kLimitReached);  // media and data count together
  assert_int_equal(t.worker(0).count("transport.produce"), 1);

  std::string recv2 = t.transport(2, false);
  assert_int_equal(Rooms::errorCode(t.consume(2, recv2, producerId)), 0);
  assert_int_equal(Rooms::errorCode(t.consume(2, recv2, producerId)), kLimitReached);
  assert_int_equal(t.worker(0).count("transport.consume"), 1);
}

static void room_limits_stop_at_450(void**) {
  Settings settings = fake::testSettings(1);
  settings.maxPeersPerRoom = 1;
  settings.maxRooms = 1;
  Rooms t(settings);
  t.ask(1, R"({"request":"join","room":"only"})");
  Json full = t.ask(2, R"({"request":"join","room":"only"})");
  assert_int_equal(Rooms::errorCode(full), kLimitReached);
  assert_true(mentions(full, "max_peers_per_room = 1"));
  assert_int_equal(Rooms::errorCode(t.ask(2, R"({"request":"join","room":"second"})")), kLimitReached);
  assert_int_equal(Rooms::errorCode(t.ask(2, R"({"request":"create","room":"second"})")), kLimitReached);
  assert_int_equal(t.manager->rooms().size(), 1);
  // The handle that was refused is free to join elsewhere once there is room.
  t.ask(1, R"({"request":"leave"})");
  assert_string_equal(Rooms::str(t.ask(2, R"({"request":"join","room":"second"})"), "mediasoup").c_str(), "joined");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_admin_key_guards_new_rooms),
      cmocka_unit_test(a_pin_guards_joins_and_is_never_shown),
      cmocka_unit_test(a_secret_guards_destroy_and_kick),
      cmocka_unit_test(tokens_open_rooms_and_carry_rights),
      cmocka_unit_test(per_peer_limits_stop_at_450),
      cmocka_unit_test(room_limits_stop_at_450),
  };
  return cmocka_run_group_tests_name("access", tests, nullptr, nullptr);
}
