// Who is talking, over fake workers: the room's AudioLevelObserver and ActiveSpeakerObserver are made on its
// router with the room's settings, every audio producer is added (piped first from the room's other routers),
// and what the worker notifies becomes audioLevels / silence / talking / stoppedTalking / activeSpeaker for
// every peer. The observers start again elsewhere when their worker dies.
#include "rooms_harness.h"

using namespace msp;
using fake::Behaviour;
using fake::Rooms;

namespace {

std::string observerId(fake::Worker& worker, const char* method) {
  const fake::Request* created = worker.last(method);
  if (!created) fail_msg("no %s", method);
  return Rooms::str(created->data, "rtpObserverId");
}
std::string levelsObserver(fake::Worker& w) { return observerId(w, "router.createAudioLevelObserver"); }
std::string speakerObserver(fake::Worker& w) { return observerId(w, "router.createActiveSpeakerObserver"); }

// The producers added to one observer.
std::vector<std::string> addedTo(fake::Worker& worker, const std::string& observer) {
  std::vector<std::string> ids;
  for (const auto& r : worker.requests()) {
    if (r.method == "rtpObserver.addProducer" && r.handlerId == observer) ids.push_back(Rooms::str(r.data, "producerId"));
  }
  return ids;
}

Json volumes(std::initializer_list<std::pair<std::string, int>> entries) {
  Json list = Json::array();
  for (const auto& [producerId, volume] : entries) {
    Json entry = Json::object();
    entry.set("producerId", producerId).set("volume", volume);
    list.append(entry);
  }
  return list;
}

Json dominant(const std::string& producerId) {
  Json data = Json::object();
  data.set("producerId", producerId);
  return data;
}

// Sessions 1 and 2 in room "r", on one worker, each publishing audio, both producers added to both observers.
struct TwoPublishers {
  TwoPublishers() : w(t.worker(Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})")))) {
    t.ask(2, R"({"request":"join","room":"r"})");
    first = t.produceAudio(1, t.transport(1, true));
    second = t.produceAudio(2, t.transport(2, true));
    t.runUntil([&] { return addedTo(w, speakerObserver(w)).size() == 2 && addedTo(w, levelsObserver(w)).size() == 2; });
    peer1 = t.manager->peerOf(1)->peerId;
    peer2 = t.manager->peerOf(2)->peerId;
  }
  Rooms t;
  fake::Worker& w;
  std::string first, second, peer1, peer2;
};

}  // namespace

// The room's observers are made with the settings, and each audio producer (not video) is added to both.
static void observers_follow_the_room_and_its_audio_producers(void**) {
  Rooms t;
  Json joined = t.ask(1, R"({"request":"join","room":"r","display":"one"})");
  fake::Worker& w = t.worker(Rooms::workerOf(joined));
  t.runUntil([&] { return w.count("router.createAudioLevelObserver") == 1 && w.count("router.createActiveSpeakerObserver") == 1; });
  const fake::Request* levels = w.last("router.createAudioLevelObserver");
  assert_int_equal(json_integer_value(json_object_get(levels->data.get(), "interval")), 1000);
  assert_int_equal(json_integer_value(json_object_get(levels->data.get(), "threshold")), -70);
  assert_int_equal(json_integer_value(json_object_get(w.last("router.createActiveSpeakerObserver")->data.get(), "interval")), 300);
  assert_true(json_is_null(json_object_get(joined.get(), "activeSpeaker")));

  std::string audio = t.produceAudio(1, t.transport(1, true));
  t.runUntil([&] { return addedTo(w, levelsObserver(w)).size() == 1 && addedTo(w, speakerObserver(w)).size() == 1; });
  assert_string_equal(addedTo(w, levelsObserver(w))[0].c_str(), audio.c_str());
  t.settle();
  assert_int_equal(w.count("rtpObserver.addProducer"), 2);
}

// `create` sets a room's own: a longer interval and no active speaker.
static void create_sets_the_rooms_own_observers(void**) {
  Rooms t;
  Json created = t.ask(9, R"({"request":"create","room":"own","audioLevels":{"interval":500,"threshold":-50},"activeSpeaker":false})");
  assert_int_equal(Rooms::errorCode(created), 0);
  fake::Worker& w = t.worker(Rooms::workerOf(created));
  t.runUntil([&] { return w.count("router.createAudioLevelObserver") == 1; });
  const fake::Request* levels = w.last("router.createAudioLevelObserver");
  assert_int_equal(json_integer_value(json_object_get(levels->data.get(), "interval")), 500);
  assert_int_equal(json_integer_value(json_object_get(levels->data.get(), "threshold")), -50);
  t.settle();
  assert_int_equal(w.count("router.createActiveSpeakerObserver"), 0);

  Json off = t.ask(9, R"({"request":"create","room":"quiet","audioLevels":false,"activeSpeaker":false})");
  fake::Worker& w2 = t.worker(Rooms::workerOf(off));
  size_t before = w2.count("router.createAudioLevelObserver");
  t.ask(1, R"({"request":"join","room":"quiet"})");
  t.produceAudio(1, t.transport(1, true));
  t.settle();
  assert_int_equal(w2.count("router.createAudioLevelObserver"), before);
  assert_int_equal(w2.count("rtpObserver.addProducer"), 0);

  for (const char* bad : {R"({"request":"create","audioLevels":{"interval":100}})", R"({"request":"create","audioLevels":"yes"})",
                          R"({"request":"create","audioLevels":{"threshold":5}})", R"({"request":"create","activeSpeaker":{"interval":99}})",
                          R"({"request":"create","activeSpeaker":{"threshold":-10}})"}) {
    assert_int_equal(Rooms::errorCode(t.ask(9, bad)), 440);
  }
  assert_int_equal(t.manager->rooms().size(), 2);
}

// volumes → audioLevels (with peer ids, loudest first) to every peer, talking once; a dip between the two levels
// keeps it talking; two quiet intervals stop it; silence stops everyone at once.
static void levels_talking_and_silence(void**) {
  TwoPublishers room;
  auto& [t, w, loud, soft, peer1, peer2] = room;
  std::string levels = levelsObserver(w);

  w.notify(levels, "volumes", volumes({{loud, -10}, {soft, -60}}));
  t.runUntil([&] { return t.eventsOf(2, "audioLevels").size() == 1; });
  Json event = t.eventsOf(2, "audioLevels")[0];
  json_t* list = json_object_get(event.get(), "levels");
  assert_int_equal(json_array_size(list), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "peerId")), peer1.c_str());
  assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "volume")), -10);
  assert_int_equal(t.eventsOf(1, "audioLevels").size(), 1);  // its own too: a level meter shows everyone
  assert_int_equal(t.eventsOf(2, "talking").size(), 1);       // -60 is below the talking threshold (-40)
  assert_string_equal(Rooms::str(t.eventsOf(2, "talking")[0], "producerId").c_str(), loud.c_str());

  w.notify(levels, "volumes", volumes({{loud, -45}}));  // between -40 and -50: still talking
  w.notify(levels, "volumes", volumes({{loud, -12}}));
  w.notify(levels, "volumes", volumes({{loud, -70}}));  // one quiet interval
  t.runUntil([&] { return t.eventsOf(2, "audioLevels").size() == 4; });
  assert_int_equal(t.eventsOf(2, "stoppedTalking").size(), 0);
  assert_int_equal(t.eventsOf(2, "talking").size(), 1);
  w.notify(levels, "volumes", volumes({{soft, -20}}));  // loud absent: its second quiet interval
  t.runUntil([&] { return t.eventsOf(2, "stoppedTalking").size() == 1; });
  assert_string_equal(Rooms::str(t.eventsOf(2, "stoppedTalking")[0], "peerId").c_str(), peer1.c_str());
  assert_int_equal(t.eventsOf(2, "talking").size(), 2);  // soft now

  w.notify(levels, "silence");
  t.runUntil([&] { return t.eventsOf(1, "silence").size() == 1; });
  assert_int_equal(t.eventsOf(1, "stoppedTalking").size(), 2);
  assert_string_equal(Rooms::str(t.eventsOf(1, "stoppedTalking")[1], "peerId").c_str(), peer2.c_str());
  // A producer the worker names that is not a peer's (or no longer exists) is left out.
  w.notify(levels, "volumes", volumes({{"no-such-producer", -5}}));
  t.settle();
  assert_int_equal(t.eventsOf(1, "audioLevels").size(), 5);
}

// The worker's dominant speaker is announced once heard; a producer never heard is not; it goes with its
// producer; the join answer carries it.
static void the_active_speaker_is_one_heard(void**) {
  TwoPublishers room;
  auto& [t, w, silent, speaking, peer1, peer2] = room;

  w.notify(speakerObserver(w), "dominantspeaker", dominant(silent));  // the worker picks the first it has
  t.settle();
  assert_int_equal(t.eventsOf(1, "activeSpeaker").size(), 0);
  w.notify(speakerObserver(w), "dominantspeaker", dominant(speaking));  // not heard yet either: kept
  t.settle();
  assert_int_equal(t.eventsOf(1, "activeSpeaker").size(), 0);
  w.notify(levelsObserver(w), "volumes", volumes({{speaking, -20}}));
  t.runUntil([&] { return t.eventsOf(1, "activeSpeaker").size() == 1; });
  assert_string_equal(Rooms::str(t.eventsOf(1, "activeSpeaker")[0], "peerId").c_str(), peer2.c_str());
  assert_string_equal(Rooms::str(t.eventsOf(2, "activeSpeaker")[0], "producerId").c_str(), speaking.c_str());

  Json joined = t.ask(3, R"({"request":"join","room":"r"})");
  assert_string_equal(Rooms::str(joined, "activeSpeaker").c_str(), peer2.c_str());

  assert_int_equal(Rooms::errorCode(t.ask(2, R"({"request":"closeProducer","producerId":")" + speaking + "\"}")), 0);
  t.runUntil([&] { return t.eventsOf(3, "activeSpeaker").size() == 1; });
  assert_true(json_is_null(json_object_get(t.eventsOf(3, "activeSpeaker")[0].get(), "peerId")));
  Json later = t.ask(4, R"({"request":"join","room":"r"})");
  assert_true(json_is_null(json_object_get(later.get(), "activeSpeaker")));
}

// A room over two workers observes on its first router: the other router's audio is piped there. When that
// worker dies, the observers start again on the router left, with its producers, and events go on.
static void observers_move_when_their_worker_dies(void**) {
  Rooms t(fake::testSettings(2, 2));
  size_t a = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  t.ask(2, R"({"request":"join","room":"r"})");
  size_t b = Rooms::workerOf(t.ask(3, R"({"request":"join","room":"r"})"));
  assert_int_not_equal(a, b);
  std::string remote = t.produceAudio(3, t.transport(3, true));
  fake::Worker& wa = t.worker(a);
  t.runUntil([&] { return addedTo(wa, levelsObserver(wa)).size() == 1; });
  assert_string_equal(addedTo(wa, levelsObserver(wa))[0].c_str(), remote.c_str());  // its piped copy (same id)
  assert_int_equal(t.worker(b).count("router.createAudioLevelObserver"), 0);
  assert_int_equal(wa.count("transport.produce"), 1);  // the copy, produced on the pipe transport

  wa.notify(levelsObserver(wa), "volumes", volumes({{remote, -15}}));
  t.runUntil([&] { return t.eventsOf(1, "audioLevels").size() == 1; });

  wa.die();
  fake::Worker& wb = t.worker(b);
  t.runUntil([&] { return addedTo(wb, wb.count("router.createAudioLevelObserver") ? levelsObserver(wb) : "").size() == 1; });
  assert_string_equal(addedTo(wb, levelsObserver(wb))[0].c_str(), remote.c_str());
  assert_int_equal(wb.count("router.createActiveSpeakerObserver"), 1);
  wb.notify(levelsObserver(wb), "volumes", volumes({{remote, -15}}));
  wb.notify(speakerObserver(wb), "dominantspeaker", dominant(remote));
  t.runUntil([&] { return t.eventsOf(3, "activeSpeaker").size() == 1; });
  assert_int_equal(t.eventsOf(3, "audioLevels").size(), 2);
  // The moved peers' new producers are observed too.
  t.runUntil([&] { return t.manager->peerOf(1)->routerId.size() && t.manager->rooms().at("r")->routerOf(*t.manager->peerOf(1))->ready(); });
  std::string moved = t.produceAudio(1, t.transport(1, true));
  t.runUntil([&] { return addedTo(wb, levelsObserver(wb)).size() == 2; });  // piped first if its new router is another
  assert_string_equal(addedTo(wb, levelsObserver(wb))[1].c_str(), moved.c_str());
}

// The observers' router closing because its peers left (the room goes on on another router) moves them too.
static void observers_move_when_their_router_closes_unused(void**) {
  Rooms t(fake::testSettings(2, 1));
  size_t a = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  size_t b = Rooms::workerOf(t.ask(2, R"({"request":"join","room":"r"})"));
  assert_int_not_equal(a, b);
  std::string audio = t.produceAudio(2, t.transport(2, true));
  t.runUntil([&] { return addedTo(t.worker(a), levelsObserver(t.worker(a))).size() == 1; });
  t.ask(1, R"({"request":"leave"})");
  fake::Worker& wb = t.worker(b);
  t.runUntil([&] { return wb.count("router.createAudioLevelObserver") == 1 && addedTo(wb, levelsObserver(wb)).size() == 1; });
  assert_int_equal(t.routerCount("r"), 1);
}

// Draining the observers' worker moves them with the room's peers; the events go on.
static void observers_move_when_their_worker_is_drained(void**) {
  Rooms t(fake::testSettings(2, 2));
  size_t a = Rooms::workerOf(t.ask(1, R"({"request":"join","room":"r"})"));
  t.ask(2, R"({"request":"join","room":"r"})");
  size_t b = Rooms::workerOf(t.ask(3, R"({"request":"join","room":"r"})"));
  std::string remote = t.produceAudio(3, t.transport(3, true));
  t.runUntil([&] { return addedTo(t.worker(a), levelsObserver(t.worker(a))).size() == 1; });
  std::optional<Json> drained;
  t.manager->drainWorker(a, [&](Json answer) { drained = std::move(answer); });
  t.runUntil([&] { return drained.has_value(); });
  assert_int_equal(Rooms::errorCode(*drained), 0);
  fake::Worker& wb = t.worker(b);
  t.runUntil([&] { return wb.count("router.createAudioLevelObserver") == 1 && addedTo(wb, levelsObserver(wb)).size() == 1; });
  wb.notify(levelsObserver(wb), "volumes", volumes({{remote, -20}}));
  t.runUntil([&] { return t.eventsOf(1, "audioLevels").size() == 1; });
  assert_string_equal(Rooms::str(t.eventsOf(1, "talking")[0], "producerId").c_str(), remote.c_str());
}

// setDisplay: the others hear peerUpdated, join answers show the new name.
static void set_display_tells_the_others(void**) {
  Rooms t;
  t.ask(1, R"({"request":"join","room":"r","display":"old"})");
  t.ask(2, R"({"request":"join","room":"r"})");
  Json answer = t.ask(1, R"({"request":"setDisplay","display":"new name"})");
  assert_string_equal(Rooms::str(answer, "mediasoup").c_str(), "success");
  t.runUntil([&] { return t.eventsOf(2, "peerUpdated").size() == 1; });
  assert_string_equal(Rooms::str(t.eventsOf(2, "peerUpdated")[0], "display").c_str(), "new name");
  assert_int_equal(t.eventsOf(1, "peerUpdated").size(), 0);
  Json joined = t.ask(3, R"({"request":"join","room":"r"})");
  json_t* peers = json_object_get(joined.get(), "peers");
  bool seen = false;
  for (size_t i = 0; i < json_array_size(peers); ++i) seen |= Rooms::str(Json::borrow(json_array_get(peers, i)), "display") == "new name";
  assert_true(seen);
  assert_int_equal(Rooms::errorCode(t.ask(4, R"({"request":"setDisplay","display":"x"})")), 445);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"setDisplay"})")), 441);
  assert_int_equal(Rooms::errorCode(t.ask(1, R"({"request":"setDisplay","display":7})")), 440);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(observers_follow_the_room_and_its_audio_producers),
      cmocka_unit_test(create_sets_the_rooms_own_observers),
      cmocka_unit_test(levels_talking_and_silence),
      cmocka_unit_test(the_active_speaker_is_one_heard),
      cmocka_unit_test(observers_move_when_their_worker_dies),
      cmocka_unit_test(observers_move_when_their_router_closes_unused),
      cmocka_unit_test(observers_move_when_their_worker_is_drained),
      cmocka_unit_test(set_display_tells_the_others),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
