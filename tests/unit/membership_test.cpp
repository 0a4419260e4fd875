// The membership index alone: pure data, no loop, no worker. Its three maps (rooms, sessions → room,
// routers → room) must agree after every change.
#include "rooms/Membership.h"
#include "cmocka.h"

using namespace msp;

static void rooms_routers_and_peers_are_indexed(void**) {
  Membership m;
  Room& room = m.addRoom("r", false);
  assert_ptr_equal(m.room("r"), &room);
  assert_null(m.room("other"));
  RoomRouter& first = m.addRouter(room, "router-a", 0, nullptr);
  m.addRouter(room, "router-b", 1, nullptr);
  assert_ptr_equal(m.roomWithRouter("r", "router-a"), &room);
  assert_null(m.roomWithRouter("r", "router-c"));
  assert_null(m.roomWithRouter("other", "router-a"));
  assert_null(m.readyRouter("router-a"));  // counted, not ready: no Router yet

  m.enter(7, "r");  // joining
  assert_string_equal(m.roomOfSession(7)->c_str(), "r");
  assert_null(m.peerOf(7));  // joining is not joined
  room.joining.insert(7);
  Peer& peer = m.addPeer(room, first, 7, "peer-7", "seven");
  assert_true(room.joining.empty());
  assert_true(first.peers.count(7));
  Room* of = nullptr;
  assert_ptr_equal(m.peerOf(7, &of), &peer);
  assert_ptr_equal(of, &room);
  assert_string_equal(peer.routerId.c_str(), "router-a");
  assert_string_equal(peer.roomId.c_str(), "r");

  m.removePeer(room, 7);
  assert_false(first.peers.count(7));
  assert_null(m.peerOf(7));
  assert_null(m.roomOfSession(7));
  m.removePeer(room, 7);  // twice: nothing
}

static void a_taken_router_leaves_the_room_and_the_index(void**) {
  Membership m;
  Room& room = m.addRoom("r", true);
  RoomRouter& router = m.addRouter(room, "router-a", 2, nullptr);
  router.peers.insert(1);
  router.readyWaiters.push_back([](const Failure&) {});
  RoomRouter gone = m.takeRouter(room, "router-a");
  assert_string_equal(gone.id.c_str(), "router-a");
  assert_int_equal(gone.workerSlot, 2);
  assert_true(gone.peers.count(1));           // what was on it, for failover to move
  assert_int_equal(gone.readyWaiters.size(), 1);  // and who waited for it, to be told
  assert_true(room.routers.empty());
  assert_null(m.roomWithRouter("r", "router-a"));
  assert_string_equal(m.takeRouter(room, "router-a").id.c_str(), "");  // unknown: an empty one
}

// A room taken out takes its routers and joined peers with it; a session still joining keeps its entry, so
// its pending join sees that the room went (and answers so) instead of taking the handle for detached.
static void a_taken_room_takes_its_routers_and_peers(void**) {
  Membership m;
  Room& room = m.addRoom("r", false);
  RoomRouter& router = m.addRouter(room, "router-a", 0, nullptr);
  m.enter(1, "r");
  m.addPeer(room, router, 1, "p1", "");
  m.enter(2, "r");
  room.joining.insert(2);
  m.addRoom("other", false);
  std::unique_ptr<Room> taken = m.takeRoom("r");
  assert_non_null(taken.get());
  assert_int_equal(taken->peers.size(), 1);
  assert_null(m.room("r"));
  assert_non_null(m.room("other"));
  assert_null(m.roomOfSession(1));
  assert_string_equal(m.roomOfSession(2)->c_str(), "r");
  assert_null(m.roomWithRouter("r", "router-a"));
  assert_null(m.takeRoom("r").get());
  m.forgetSession(2);
  assert_null(m.roomOfSession(2));
  assert_int_equal(m.rooms().size(), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rooms_routers_and_peers_are_indexed),
      cmocka_unit_test(a_taken_router_leaves_the_room_and_the_index),
      cmocka_unit_test(a_taken_room_takes_its_routers_and_peers),
  };
  return cmocka_run_group_tests_name("membership", tests, nullptr, nullptr);
}
