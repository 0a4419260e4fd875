// The rooms layer with a room directory (a cluster's), over fake workers and a scripted directory: a room
// held by another host is neither made nor joined here, a room made here is claimed and released with it,
// and a handle that leaves while its join waits for the directory is answered and leaves nothing.
#include <cstring>

#include "base/LaterQueue.h"
#include "rooms_harness.h"

using namespace msp;
using fake::Rooms;

namespace {

// Answers claims as the test says (Mine unless told), on a later loop turn, as Redis would.
class ScriptedDirectory : public RoomDirectory {
 public:
  explicit ScriptedDirectory(uv_loop_t* loop) : queue_(loop) {}
  void claim(const std::string& roomId, std::function<void(ClaimResult)> done) override {
    claims.push_back(roomId);
    ClaimResult result{ClaimResult::Kind::Mine, ""};
    if (auto it = heldElsewhere.find(roomId); it != heldElsewhere.end()) result = {ClaimResult::Kind::Elsewhere, it->second};
    if (holdClaims) return held.push_back([done, result] { done(result); });
    later([done, result] { done(result); });
  }
  void release(const std::string& roomId) override { released.push_back(roomId); }
  void lookup(const std::string& roomId, std::function<void(std::string, bool)> done) override {
    auto it = heldElsewhere.find(roomId);
    std::string host = it == heldElsewhere.end() ? "" : it->second;
    later([done, host] { done(host, false); });
  }
  void otherRooms(std::function<void(std::vector<DirectoryRoom>, bool)> done) override {
    std::vector<DirectoryRoom> rooms;
    for (const auto& [room, host] : heldElsewhere) rooms.push_back({room, host, 2});
    later([done, rooms] { done(rooms, false); });
  }
  void releaseHeld() {
    for (auto& answer : held) later(answer);
    held.clear();
  }

  std::map<std::string, std::string> heldElsewhere;  // room → host
  bool holdClaims = false;
  std::vector<std::string> claims, released;

 private:
  void later(std::function<void()> task) { queue_.post(std::move(task)); }
  std::vector<std::function<void()>> held;
  LaterQueue queue_;
};

}  // namespace

static void rooms_held_elsewhere_are_not_made_here(void**) {
  Rooms t;
  ScriptedDirectory directory(&t.loop);
  t.manager->setDirectory(&directory);
  directory.heldElsewhere["there"] = "host-b";
  Json created = t.ask(9, R"({"request":"create","room":"there"})");
  assert_int_equal(Rooms::errorCode(created), 444);
  Json joined = t.ask(1, R"({"request":"join","room":"there"})");
  assert_int_equal(Rooms::errorCode(joined), 448);
  assert_non_null(strstr(Rooms::str(joined, "error").c_str(), "host-b"));
  assert_int_equal(t.manager->rooms().size(), 0);
  Json exists = t.ask(9, R"({"request":"exists","room":"there"})");
  assert_true(json_is_true(json_object_get(exists.get(), "exists")));
  assert_string_equal(Rooms::str(exists, "host").c_str(), "host-b");
  Json list = t.ask(9, R"({"request":"list"})");
  json_t* first = json_array_get(json_object_get(list.get(), "list"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "host")), "host-b");
  // The same session can join a room of its own host afterwards.
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"join","room":"here"})"), "mediasoup").c_str(), "joined");
  t.manager->setDirectory(nullptr);
}

static void rooms_made_here_are_claimed_and_released(void**) {
  Rooms t;
  ScriptedDirectory directory(&t.loop);
  t.manager->setDirectory(&directory);
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"join","room":"mine"})"), "mediasoup").c_str(), "joined");
  assert_int_equal(directory.claims.size(), 1);
  // A second peer of a room this host has: no claim needed.
  t.ask(2, R"({"request":"join","room":"mine"})");
  assert_int_equal(directory.claims.size(), 1);
  t.ask(1, R"({"request":"leave"})");
  t.ask(2, R"({"request":"leave"})");
  assert_int_equal(directory.released.size(), 1);
  assert_string_equal(directory.released[0].c_str(), "mine");
  t.manager->setDirectory(nullptr);
}

static void a_draining_host_takes_no_new_peers(void**) {
  Rooms t;
  ScriptedDirectory directory(&t.loop);
  t.manager->setDirectory(&directory);
  std::string other = "host-c";
  t.manager->setHostTakingPeers([&other] { return other; });
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"join","room":"r"})"), "mediasoup").c_str(), "joined");
  t.manager->setDraining(true);
  size_t claims = directory.claims.size();
  // Turned away with the host to go to, into a room it has or not; nothing is claimed or made.
  for (const char* request : {R"({"request":"join","room":"r"})", R"({"request":"join","room":"new"})", R"({"request":"create","room":"new"})"}) {
    Json refused = t.ask(2, request);
    assert_int_equal(Rooms::errorCode(refused), 448);
    assert_string_equal(Rooms::str(refused, "hostId").c_str(), "host-c");
    assert_non_null(strstr(Rooms::str(refused, "error").c_str(), "draining"));
  }
  assert_int_equal(directory.claims.size(), claims);
  assert_int_equal(t.manager->rooms().size(), 1);
  // Its peers stay, and may still do what peers do.
  assert_int_equal(t.manager->rooms().at("r")->peers.size(), 1);
  assert_string_equal(Rooms::str(t.ask(1, R"({"request":"setDisplay","display":"still here"})"), "mediasoup").c_str(), "success");
  other.clear();
  Json nowhere = t.ask(2, R"({"request":"join","room":"r"})");
  assert_int_equal(Rooms::errorCode(nowhere), 448);
  assert_null(json_object_get(nowhere.get(), "hostId"));
  t.manager->setDraining(false);
  assert_string_equal(Rooms::str(t.ask(2, R"({"request":"join","room":"r"})"), "mediasoup").c_str(), "joined");
  t.manager->setDirectory(nullptr);
}

static void a_handle_gone_while_its_claim_waits(void**) {
  Rooms t;
  ScriptedDirectory directory(&t.loop);
  t.manager->setDirectory(&directory);
  directory.holdClaims = true;
  auto answer = t.send(1, R"({"request":"join","room":"slow"})");
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"join","room":"other"})")), 445);  // one join at a time
  t.manager->sessionGone(1);
  directory.releaseHeld();
  t.runUntil([&] { return answer->has_value(); });
  assert_int_equal(Rooms::errorCode(**answer), 445);
  assert_int_equal(t.manager->rooms().size(), 0);
  t.manager->setDirectory(nullptr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rooms_held_elsewhere_are_not_made_here),
      cmocka_unit_test(rooms_made_here_are_claimed_and_released),
      cmocka_unit_test(a_draining_host_takes_no_new_peers),
      cmocka_unit_test(a_handle_gone_while_its_claim_waits),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
