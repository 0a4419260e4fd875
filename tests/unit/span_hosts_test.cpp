// Two hosts of a cluster in one process: each its own RoomManager over fake workers, joined by a bus that
// delivers on later loop turns (as Redis pub/sub would) and a shared room directory. A room spans them: peers on
// one host see the other's in their join answers and events, a producer crosses once (pipe transports with
// SRTP, the copy with the producer's id), pause and close follow it, and a lost host, an isolated one, a destroy
// and the last member leaving each end as they should.
#include <cstring>
#include <set>

#include "base/LaterQueue.h"
#include "rooms_harness.h"

using namespace msp;
using fake::Rooms;

namespace {

class Switchboard;

// Delivers to the other bus on a later loop turn; a test can cut a host off or drop replies.
class LoopbackBus : public HostBus {
 public:
  LoopbackBus(Switchboard& board, std::string id);
  void onRequest(const std::string& type, RequestHandler handler) override { requests_[type] = std::move(handler); }
  void onNotice(const std::string& type, NoticeHandler handler) override { notices_[type] = std::move(handler); }
  void request(const std::string& host, const std::string& type, const std::string& room, Json body, Done done, uint64_t) override;
  void notify(const std::string& host, const std::string& type, const std::string& room, Json body) override;
  const std::string& hostId() const override { return id_; }
  void later(std::function<void()> task) override;
  uint64_t upSinceMs() const override { return 1; }  // up from the start

  void deliver(const BusMessage& message, std::function<void(Json, std::string)> respond);
  bool dropReplies = false;  // replies this host sends are lost on the way
  bool dropNotices = false;  // notices this host sends are lost on the way
  size_t sent(const std::string& type) const { return sent_.count(type) ? sent_.at(type) : 0; }

 private:
  Switchboard& board_;
  std::string id_;
  std::map<std::string, RequestHandler> requests_;
  std::map<std::string, NoticeHandler> notices_;
  std::map<std::string, size_t> sent_;
};

// The buses by host id, and the loop turn everything they carry is delivered on.
class Switchboard : public LaterQueue {
 public:
  using LaterQueue::LaterQueue;
  std::map<std::string, LoopbackBus*> buses;
};

LoopbackBus::LoopbackBus(Switchboard& board, std::string id) : board_(board), id_(std::move(id)) { board_.buses[id_] = this; }

void LoopbackBus::later(std::function<void()> task) { board_.post(std::move(task)); }

void LoopbackBus::deliver(const BusMessage& message, std::function<void(Json, std::string)> respond) {
  if (message.kind == BusMessage::Kind::Notice) {
    if (auto it = notices_.find(message.type); it != notices_.end()) it->second(message);
    return;
  }
  auto it = requests_.find(message.type);
  if (it == requests_.end()) return respond(Json(), "unknown request");
  it->second(message, std::move(respond));
}

void LoopbackBus::request(const std::string& host, const std::string& type, const std::string& room, Json body, Done done, uint64_t) {
  ++sent_[type];
  BusMessage m;
  m.kind = BusMessage::Kind::Request;
  m.type = type;
  m.from = id_;
  m.id = std::to_string(sent_[type]);
  m.room = room;
  m.body = body ? body : Json::object();
  board_.post([this, host, m, done] {
    auto target = board_.buses.find(host);
    if (target == board_.buses.end()) return done(Json(), Failure::timedOut());
    LoopbackBus* to = target->second;
    to->deliver(m, [this, to, done](Json reply, std::string error) {
      if (to->dropReplies) return board_.post([done] { done(Json(), Failure::timedOut()); });
      board_.post([done, reply, error] { done(reply, error.empty() ? Failure{} : Failure::rejected(error)); });
    });
  });
}

void LoopbackBus::notify(const std::string& host, const std::string& type, const std::string& room, Json body) {
  ++sent_[type];
  if (dropNotices) return;
  BusMessage m;
  m.kind = BusMessage::Kind::Notice;
  m.type = type;
  m.from = id_;
  m.room = room;
  m.body = body ? body : Json::object();
  board_.post([this, host, m] {
    auto target = board_.buses.find(host);
    if (target != board_.buses.end()) target->second->deliver(m, [](Json, std::string) {});
  });
}

// One claim per room, shared by the hosts; a host marked lost holds nothing.
class SharedDirectory {
 public:
  struct View : RoomDirectory {
    View(SharedDirectory& d, std::string host, Switchboard& board) : dir(d), id(std::move(host)), board(board) {}
    void claim(const std::string& roomId, std::function<void(ClaimResult)> done) override {
      auto it = dir.claims.find(roomId);
      ClaimResult result{ClaimResult::Kind::Mine, ""};
      if (it == dir.claims.end() || it->second == id || dir.lost.count(it->second)) dir.claims[roomId] = id;
      else result = {ClaimResult::Kind::Elsewhere, it->second};
      board.post([done, result] { done(result); });
    }
    void release(const std::string& roomId) override {
      if (dir.claims.count(roomId) && dir.claims[roomId] == id) dir.claims.erase(roomId);
    }
    void lookup(const std::string& roomId, std::function<void(std::string, bool)> done) override {
      std::string host = dir.claims.count(roomId) ? dir.claims[roomId] : "";
      board.post([done, host] { done(host, false); });
    }
    void otherRooms(std::function<void(std::vector<DirectoryRoom>, bool)> done) override {
      board.post([done] { done({}, false); });
    }
    SharedDirectory& dir;
    std::string id;
    Switchboard& board;
  };
  std::map<std::string, std::string> claims;  // room → host
  std::set<std::string> lost;
};

// A host: its workers (fakes), pool, rooms, bus, and the events its sessions got.
struct Host {
  Host(uv_loop_t* loop, const std::string& id, uint32_t portBase, Switchboard& board, SharedDirectory& directory, const Json& caps,
       const std::function<void(Settings&)>& tweak)
      : settings(fake::testSettings(1)), fakes(loop), bus(board, id), directoryView(directory, id, board) {
    settings.rtcPortBase = portBase;
    if (tweak) tweak(settings);
    pool = std::make_unique<WorkerPool>(loop, settings, fakes.spawner());
    manager = std::make_unique<RoomManager>(*pool, settings, caps, [this](uint64_t session, Json event) { events[session].push_back(event); });
    manager->setDirectory(&directoryView);
    manager->enableSpanning(bus, "127.0.0.1" + std::string(id == "a" ? "1" : "2"), "opus,VP8");
  }
  std::vector<Json> eventsOf(uint64_t session, const std::string& name) {
    std::vector<Json> out;
    for (const auto& e : events[session]) {
      if (Rooms::str(e, "event") == name) out.push_back(e);
    }
    return out;
  }
  fake::Worker& worker() { return *fakes.current(settings.portRangeOf(0).min); }

  Settings settings;
  fake::Workers fakes;
  LoopbackBus bus;
  SharedDirectory::View directoryView;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<RoomManager> manager;
  std::map<uint64_t, std::vector<Json>> events;
};

// Hosts "a" and "b" on one loop.
class TwoHosts {
 public:
  explicit TwoHosts(const std::function<void(Settings&)>& tweak = nullptr) {
    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&loop);
    loopThread::enter(&loop);
    board = std::make_unique<Switchboard>(&loop);
    Json codecs = mediaCodecsFor({"opus", "VP8"});
    caps = ortc::generateRouterRtpCapabilities(codecs.get());
    a = std::make_unique<Host>(&loop, "a", 10000, *board, directory, caps, tweak);
    b = std::make_unique<Host>(&loop, "b", 20000, *board, directory, caps, tweak);
    for (Host* host : {a.get(), b.get()}) {
      bool started = false;
      host->pool->start([&](bool, const std::string&) { started = true; });
      runUntil([&] { return started; });
    }
  }
  ~TwoHosts() {
    for (Host* host : {a.get(), b.get()}) {
      host->manager->closeAll();
      bool down = false;
      host->pool->shutdown([&] { down = true; });
      runUntil([&] { return down; });
    }
    for (Host* host : {a.get(), b.get()}) {
      host->manager.reset();
      host->pool.reset();
      host->fakes.clear();
    }
    a.reset();
    b.reset();
    board.reset();
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    loopThread::leave();
  }
  void runUntil(const std::function<bool()>& cond, uint64_t limitMs = 5000) { fake::runLoopUntil(&loop, cond, limitMs); }
  void settle() {
    for (int i = 0; i < 30; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  }
  Json ask(Host& host, uint64_t session, const std::string& json) {
    auto answer = std::make_shared<std::optional<Json>>();
    Json body = Json::parse(json);
    auto parsed = parseRequest(body.get());
    if (auto* error = std::get_if<ApiError>(&parsed)) return errorAnswer(*error);
    host.manager->handle(session, std::get<msp::Request>(parsed), [answer](Json reply) { *answer = std::move(reply); });
    runUntil([&] { return answer->has_value(); });
    return **answer;
  }
  std::string transport(Host& host, uint64_t session, bool send, bool sctp = false) {
    std::string body = std::string(R"({"request":"createWebRtcTransport","direction":")") + (send ? "send" : "recv") + "\"";
    if (sctp) body += R"(,"sctpCapabilities":{"numStreams":{"OS":1024,"MIS":1024}})";
    return Rooms::str(ask(host, session, body + "}"), "id");
  }
  std::string produceAudio(Host& host, uint64_t session) {
    Json answer = ask(host, session, R"({"request":"produce","transportId":")" + transport(host, session, true) +
                                         R"(","kind":"audio","rtpParameters":{"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2}],"encodings":[{"ssrc":1111}],"rtcp":{"cname":"c"}}})");
    return Rooms::str(answer, "id");
  }
  Json consume(Host& host, uint64_t session, const std::string& transportId, const std::string& producerId) {
    return ask(host, session, R"({"request":"consume","transportId":")" + transportId + R"(","producerId":")" + producerId +
                                  R"(","rtpCapabilities":)" + caps.dump() + "}");
  }

  uv_loop_t loop;
  std::unique_ptr<Switchboard> board;
  SharedDirectory directory;
  Json caps;
  std::unique_ptr<Host> a, b;
};

bool hasPeer(const Json& joined, const std::string& peerId, const char* host) {
  json_t* peers = json_object_get(joined.get(), "peers");
  for (size_t i = 0; i < json_array_size(peers); ++i) {
    json_t* p = json_array_get(peers, i);
    if (json_string_value(json_object_get(p, "peerId")) == peerId && json_string_value(json_object_get(p, "host")) == std::string(host)) return true;
  }
  return false;
}

}  // namespace

static void a_member_sees_the_homes_peers_and_both_hear_of_each_other(void**) {
  TwoHosts t;
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r","display":"ana"})");
  std::string audio = t.produceAudio(*t.a, 1);
  Json onB = t.ask(*t.b, 2, R"({"request":"join","room":"r","display":"bo"})");
  assert_string_equal(Rooms::str(onB, "mediasoup").c_str(), "joined");
  assert_true(hasPeer(onB, Rooms::str(onA, "peerId"), "a"));
  assert_int_equal(t.b->bus.sent("member"), 1);
  // A hears of B's peer from B's snapshot; B of A's producers comes with the join.
  t.runUntil([&] { return t.a->eventsOf(1, "peerJoined").size() == 1; });
  Json joined = t.a->eventsOf(1, "peerJoined")[0];
  assert_string_equal(Rooms::str(joined, "host").c_str(), "b");
  assert_string_equal(Rooms::str(joined, "display").c_str(), "bo");
  // A new producer on A reaches B as newProducer; a display change as peerUpdated.
  std::string video = t.produceAudio(*t.a, 1);
  t.runUntil([&] { return t.b->eventsOf(2, "newProducer").size() == 1; });
  assert_string_equal(Rooms::str(t.b->eventsOf(2, "newProducer")[0], "producerId").c_str(), video.c_str());
  t.ask(*t.b, 2, R"({"request":"setDisplay","display":"bob"})");
  t.runUntil([&] { return t.a->eventsOf(1, "peerUpdated").size() == 1; });
  (void)audio;
}

static void a_producer_crosses_once_and_its_pause_and_close_follow(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string producerId = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  t.ask(*t.b, 3, R"({"request":"join","room":"r"})");
  std::string recv2 = t.transport(*t.b, 2, false), recv3 = t.transport(*t.b, 3, false);
  Json c2 = t.consume(*t.b, 2, recv2, producerId);
  assert_string_equal(Rooms::str(c2, "mediasoup").c_str(), "consumer");
  Json c3 = t.consume(*t.b, 3, recv3, producerId);
  assert_string_equal(Rooms::str(c3, "mediasoup").c_str(), "consumer");
  // Once: one openPipe, one pipe transport each side (SRTP on), the copy produced with the producer's id.
  assert_int_equal(t.b->bus.sent("openPipe"), 1);
  assert_int_equal(t.a->manager->hostPipeCount(), 1);
  assert_int_equal(t.b->manager->hostPipeCount(), 1);
  const fake::Request* pipeOnA = t.a->worker().last("router.createPipeTransport");
  assert_true(json_is_true(json_object_get(pipeOnA->data.get(), "enableSrtp")));
  assert_true(json_is_true(json_object_get(pipeOnA->data.get(), "enableRtx")));
  const fake::Request* connect = t.b->worker().last("transport.connect");
  assert_non_null(json_object_get(connect->data.get(), "srtpParameters"));
  const fake::Request* copy = t.b->worker().last("transport.produce");
  assert_string_equal(Rooms::str(copy->data, "producerId").c_str(), producerId.c_str());

  assert_string_equal(Rooms::str(t.ask(*t.a, 1, R"({"request":"pauseProducer","producerId":")" + producerId + "\"}"), "mediasoup").c_str(), "success");
  t.runUntil([&] { return t.b->eventsOf(2, "producerPaused").size() == 1; });
  t.runUntil([&] { return t.b->worker().count("producer.pause") == 1; });  // the copy pauses too

  t.ask(*t.a, 1, R"({"request":"closeProducer","producerId":")" + producerId + "\"}");
  t.runUntil([&] { return t.b->eventsOf(2, "consumerClosed").size() == 1 && t.b->eventsOf(3, "consumerClosed").size() == 1; });
  assert_int_equal(t.b->eventsOf(2, "producerClosed").size(), 1);
}

static void a_lost_home_takes_its_peers_and_a_member_holds_the_room(void**) {
  TwoHosts t;
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string producerId = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  std::string recv = t.transport(*t.b, 2, false);
  t.consume(*t.b, 2, recv, producerId);
  t.directory.lost.insert("a");
  t.b->manager->hostLost("a");
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1; });
  assert_int_equal(t.b->eventsOf(2, "consumerClosed").size(), 1);
  assert_int_equal(t.b->manager->hostPipeCount(), 0);
  t.runUntil([&] { return t.b->manager->rooms().at("r")->homeHost.empty(); });
  assert_string_equal(t.directory.claims["r"].c_str(), "b");
  (void)onA;
}

static void an_isolated_host_drops_the_others(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  t.b->manager->isolated();
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1; });
  // The next snapshot brings them back.
  t.ask(*t.a, 1, R"({"request":"setDisplay","display":"back"})");
  t.runUntil([&] { return t.b->eventsOf(2, "peerJoined").size() == 1; });
}

static void a_destroy_on_the_home_closes_it_everywhere(void**) {
  TwoHosts t;
  t.ask(*t.a, 9, R"({"request":"create","room":"r"})");
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  assert_string_equal(Rooms::str(t.ask(*t.a, 9, R"({"request":"destroy","room":"r"})"), "mediasoup").c_str(), "destroyed");
  t.runUntil([&] { return t.b->eventsOf(2, "roomClosed").size() == 1; });
  assert_int_equal(t.b->manager->rooms().size(), 0);
}

static void the_home_keeps_the_room_while_a_member_has_peers(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  t.runUntil([&] { return t.a->manager->rooms().at("r")->memberHosts.count("b") == 1; });
  t.ask(*t.a, 1, R"({"request":"leave"})");
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1; });  // a's empty snapshot reached b
  assert_int_equal(t.a->manager->rooms().count("r"), 1);  // b still has a peer in it
  t.ask(*t.b, 2, R"({"request":"leave"})");
  t.runUntil([&] { return t.a->manager->rooms().empty() && t.b->manager->rooms().empty(); });
  assert_int_equal(t.directory.claims.count("r"), 0);
}

static void a_lost_reply_leaves_no_pipe_transport(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string producerId = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  std::string recv = t.transport(*t.b, 2, false);
  t.a->bus.dropReplies = true;
  Json lost = t.consume(*t.b, 2, recv, producerId);
  assert_int_equal(Rooms::errorCode(lost), 448);
  t.runUntil([&] { return t.a->manager->hostPipeCount() == 0 && t.b->manager->hostPipeCount() == 0; });
  // And the next try crosses.
  t.a->bus.dropReplies = false;
  assert_string_equal(Rooms::str(t.consume(*t.b, 2, recv, producerId), "mediasoup").c_str(), "consumer");
  assert_int_equal(t.b->manager->hostPipeCount(), 1);
}

// Who is talking, over hosts: each host observes the other's audio producers too (they cross once, with nobody
// consuming them yet), so its peers hear of the other host's speakers by their peer ids; a closed one is
// forgotten.
static void each_host_observes_the_other_hosts_audio(void**) {
  TwoHosts t;
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string fromA = t.produceAudio(*t.a, 1);
  Json onB = t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  auto observer = [](fake::Worker& w, const char* method) {
    const fake::Request* created = w.last(method);
    return created ? Rooms::str(created->data, "rtpObserverId") : std::string();
  };
  auto observes = [](fake::Worker& w, const std::string& observerId, const std::string& producerId) {
    for (const auto& r : w.requests()) {
      if (r.method == "rtpObserver.addProducer" && r.handlerId == observerId && Rooms::str(r.data, "producerId") == producerId) return true;
    }
    return false;
  };
  fake::Worker& wa = t.a->worker();
  fake::Worker& wb = t.b->worker();
  std::string levelsB, speakerB;
  t.runUntil([&] {
    levelsB = observer(wb, "router.createAudioLevelObserver");
    speakerB = observer(wb, "router.createActiveSpeakerObserver");
    return observes(wb, levelsB, fromA) && observes(wb, speakerB, fromA);
  });
  assert_int_equal(t.b->bus.sent("openPipe"), 1);
  assert_int_equal(t.b->manager->hostPipeCount(), 1);

  Json level = Json::array(), entry = Json::object();
  entry.set("producerId", fromA).set("volume", -12);
  level.append(entry);
  wb.notify(levelsB, "volumes", level);
  t.runUntil([&] { return t.b->eventsOf(2, "audioLevels").size() == 1; });
  Json levels = t.b->eventsOf(2, "audioLevels")[0];
  json_t* first = json_array_get(json_object_get(levels.get(), "levels"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "peerId")), Rooms::str(onA, "peerId").c_str());
  Json dominant = Json::object();
  dominant.set("producerId", fromA);
  wb.notify(speakerB, "dominantspeaker", dominant);
  t.runUntil([&] { return t.b->eventsOf(2, "activeSpeaker").size() == 1; });
  assert_string_equal(Rooms::str(t.b->eventsOf(2, "activeSpeaker")[0], "peerId").c_str(), Rooms::str(onA, "peerId").c_str());
  // A consumer of it on B uses the copy that came for the observers: still one crossing.
  assert_string_equal(Rooms::str(t.consume(*t.b, 2, t.transport(*t.b, 2, false), fromA), "mediasoup").c_str(), "consumer");
  assert_int_equal(t.b->bus.sent("openPipe"), 1);

  // And the other way.
  std::string fromB = t.produceAudio(*t.b, 2);
  t.runUntil([&] { return observes(wa, observer(wa, "router.createAudioLevelObserver"), fromB); });

  t.ask(*t.a, 1, R"({"request":"closeProducer","producerId":")" + fromA + "\"}");
  t.runUntil([&] { return t.b->eventsOf(2, "producerClosed").size() == 1; });
  Json third = t.ask(*t.b, 3, R"({"request":"join","room":"r"})");
  json_t* active = json_object_get(third.get(), "activeSpeaker");
  assert_true(json_is_null(active));
  wb.notify(levelsB, "volumes", level);  // a late interval naming it: nobody's now
  t.settle();
  assert_int_equal(t.b->eventsOf(2, "audioLevels").size(), 1);
  (void)onB;
}

// A room made with a pin and a secret on its home is guarded alike on a member host: a join there needs the
// pin, a kick the secret, and a kick of the home's peer from the member removes it on its own host.
static void the_homes_pin_and_secret_guard_the_room_everywhere_and_a_kick_reaches_the_peers_host(void**) {
  TwoHosts t;
  assert_string_equal(Rooms::str(t.ask(*t.a, 9, R"({"request":"create","room":"r","pin":"1234","secret":"s3","audioLevels":{"interval":2000}})"), "mediasoup").c_str(), "created");
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r","pin":"1234"})");
  assert_string_equal(Rooms::str(onA, "mediasoup").c_str(), "joined");
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 2, R"({"request":"join","room":"r"})")), 449);
  Json onB = t.ask(*t.b, 2, R"({"request":"join","room":"r","pin":"1234"})");
  assert_string_equal(Rooms::str(onB, "mediasoup").c_str(), "joined");
  // A second member-host peer is checked against the copy here, and the observers run at the room's interval.
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 3, R"({"request":"join","room":"r","pin":"wrong"})")), 449);
  t.runUntil([&] { return t.b->worker().last("router.createAudioLevelObserver") != nullptr; });
  const fake::Request* levels = t.b->worker().last("router.createAudioLevelObserver");
  assert_int_equal(json_integer_value(json_object_get(levels->data.get(), "interval")), 2000);

  std::string kickA = R"({"request":"kick","room":"r","peerId":")" + Rooms::str(onA, "peerId") + "\"";
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 9, kickA + "}")), 449);
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 9, R"({"request":"kick","room":"r","secret":"s3","peerId":"nobody"})")), 446);
  assert_string_equal(Rooms::str(t.ask(*t.b, 9, kickA + R"(,"secret":"s3"})"), "mediasoup").c_str(), "success");
  assert_int_equal(t.a->eventsOf(1, "kicked").size(), 1);
  assert_int_equal(t.a->manager->rooms().at("r")->peers.size(), 0);
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1; });
  // The other host's answer lost on the way: 448 (whether it was done is unknown); done, the peer is gone: 446.
  t.a->bus.dropReplies = true;
  Json c = t.ask(*t.a, 4, R"({"request":"join","room":"r","pin":"1234"})");
  t.runUntil([&] { return t.b->eventsOf(2, "peerJoined").size() == 1; });
  Json unanswered = t.ask(*t.b, 9, R"({"request":"kick","room":"r","secret":"s3","peerId":")" + Rooms::str(c, "peerId") + "\"}");
  assert_int_equal(Rooms::errorCode(unanswered), 448);
  t.a->bus.dropReplies = false;
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 2; });
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 9, R"({"request":"kick","room":"r","secret":"s3","peerId":")" + Rooms::str(c, "peerId") + "\"}")), 446);
}

// Data channels over hosts: another host's data producer is announced (newDataProducer, and in join answers),
// crosses once on the SCTP side of the same pipe transports, and its close follows.
static void a_data_producer_crosses_once_and_its_close_follows(void**) {
  TwoHosts t;
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string send = t.transport(*t.a, 1, true, true);
  Json dp = t.ask(*t.a, 1, R"({"request":"produceData","transportId":")" + send +
                               R"(","sctpStreamParameters":{"streamId":1,"ordered":true},"label":"chat","protocol":"x","appData":{"k":1}})");
  std::string dataProducerId = Rooms::str(dp, "id");
  Json onB = t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  json_t* listed = json_array_get(json_object_get(json_array_get(json_object_get(onB.get(), "peers"), 0), "dataProducers"), 0);
  assert_string_equal(json_string_value(json_object_get(listed, "id")), dataProducerId.c_str());
  assert_string_equal(json_string_value(json_object_get(listed, "label")), "chat");
  // One produced later is announced.
  std::string second = Rooms::str(t.ask(*t.a, 1, R"({"request":"produceData","transportId":")" + send +
                                                     R"(","sctpStreamParameters":{"streamId":2,"ordered":true},"label":"files"})"), "id");
  t.runUntil([&] { return t.b->eventsOf(2, "newDataProducer").size() == 1; });
  Json announced = t.b->eventsOf(2, "newDataProducer")[0];
  assert_string_equal(Rooms::str(announced, "dataProducerId").c_str(), second.c_str());
  assert_string_equal(Rooms::str(announced, "label").c_str(), "files");
  assert_string_equal(Rooms::str(announced, "peerId").c_str(), Rooms::str(onA, "peerId").c_str());

  std::string recv2 = t.transport(*t.b, 2, false, true);
  t.ask(*t.b, 3, R"({"request":"join","room":"r"})");
  std::string recv3 = t.transport(*t.b, 3, false, true);
  for (auto [session, recv] : {std::make_pair(uint64_t{2}, recv2), std::make_pair(uint64_t{3}, recv3)}) {
    Json consumed = t.ask(*t.b, session, R"({"request":"consumeData","transportId":")" + recv + R"(","dataProducerId":")" + dataProducerId + "\"}");
    assert_int_equal(Rooms::errorCode(consumed), 0);
    assert_string_equal(Rooms::str(consumed, "label").c_str(), "chat");
  }
  // Once, on SCTP-enabled pipe transports: the copy keeps the data producer's id.
  const fake::Request* pipe = t.b->worker().last("router.createPipeTransport");
  assert_true(json_is_true(json_object_get(pipe->data.get(), "enableSctp")));
  const fake::Request* copy = t.b->worker().last("transport.produceData");
  assert_string_equal(Rooms::str(copy->data, "dataProducerId").c_str(), dataProducerId.c_str());
  assert_int_equal(t.b->worker().count("transport.produceData"), 1);
  assert_int_equal(t.a->worker().count("transport.consumeData"), 1);
  assert_int_equal(t.b->manager->hostPipeCount(), 1);

  // Its transport closed on its host: both data producers close, and so do the consumers of the copy.
  t.ask(*t.a, 1, R"({"request":"closeTransport","transportId":")" + send + "\"}");
  t.runUntil([&] { return t.b->eventsOf(2, "dataConsumerClosed").size() == 1 && t.b->eventsOf(3, "dataConsumerClosed").size() == 1; });
  t.runUntil([&] { return t.b->eventsOf(2, "dataProducerClosed").size() == 2; });
  std::set<std::string> closed;
  for (const auto& e : t.b->eventsOf(2, "dataProducerClosed")) closed.insert(Rooms::str(e, "dataProducerId"));
  assert_true(closed == (std::set<std::string>{dataProducerId, second}));
  t.runUntil([&] { return t.b->worker().count("transport.closeDataProducer") == 1; });  // the copy
  // A peer with a data producer whose host is lost: it closes, then the peer leaves.
  std::string again = t.transport(*t.a, 1, true, true);
  std::string third = Rooms::str(t.ask(*t.a, 1, R"({"request":"produceData","transportId":")" + again +
                                                    R"(","sctpStreamParameters":{"streamId":3,"ordered":true},"label":"late"})"), "id");
  t.runUntil([&] { return t.b->eventsOf(2, "newDataProducer").size() == 2; });
  t.directory.lost.insert("a");
  t.b->manager->hostLost("a");
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1; });
  assert_int_equal(t.b->eventsOf(2, "dataProducerClosed").size(), 3);
  assert_string_equal(Rooms::str(t.b->eventsOf(2, "dataProducerClosed")[2], "dataProducerId").c_str(), third.c_str());
}

// max_peers_per_room counts the room's peers on every host.
static void the_peer_limit_counts_every_hosts_peers(void**) {
  TwoHosts t([](Settings& s) { s.maxPeersPerRoom = 2; });
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  assert_string_equal(Rooms::str(t.ask(*t.b, 2, R"({"request":"join","room":"r"})"), "mediasoup").c_str(), "joined");
  t.runUntil([&] { return t.a->manager->rooms().at("r")->remotePeers.size() == 1; });
  assert_int_equal(Rooms::errorCode(t.ask(*t.a, 3, R"({"request":"join","room":"r"})")), 450);
  assert_int_equal(Rooms::errorCode(t.ask(*t.b, 4, R"({"request":"join","room":"r"})")), 450);
  t.ask(*t.b, 2, R"({"request":"leave"})");
  t.runUntil([&] { return t.a->manager->rooms().at("r")->remotePeers.empty(); });
  assert_string_equal(Rooms::str(t.ask(*t.a, 3, R"({"request":"join","room":"r"})"), "mediasoup").c_str(), "joined");
}

// A member's last word lost (pub/sub delivers at most once): the others would keep its peer, and the pipes to
// it, for good. Unheard of for kSilentHostMs while their own bus is up, it leaves: its peer, its producer, the
// room's pipes to it; the home's room, left with nobody, closes.
static void a_member_whose_last_snapshot_is_lost_leaves_once_silent(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string fromA = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  std::string fromB = t.produceAudio(*t.b, 2);
  t.runUntil([&] { return t.a->eventsOf(1, "newProducer").size() == 1; });
  assert_string_equal(Rooms::str(t.consume(*t.a, 1, t.transport(*t.a, 1, false), fromB), "mediasoup").c_str(), "consumer");
  assert_true(t.a->manager->hostPipeCount() >= 1);
  t.ask(*t.a, 1, R"({"request":"leave"})");
  // B's peer leaves with every notice of B lost: its empty snapshot, its closePipe.
  t.runUntil([&] { return t.a->manager->rooms().count("r") == 1 && t.a->manager->rooms().at("r")->peers.empty(); });
  t.b->bus.dropNotices = true;
  t.ask(*t.b, 2, R"({"request":"leave"})");
  t.settle();
  assert_int_equal(t.b->manager->rooms().count("r"), 0);
  assert_int_equal(t.a->manager->rooms().at("r")->remotePeers.size(), 1);  // a ghost, for now
  t.b->bus.dropNotices = false;
  t.runUntil([&] { return t.a->manager->rooms().count("r") == 0; }, kSilentHostMs + 3000);
  t.runUntil([&] { return t.a->manager->hostPipeCount() == 0 && t.b->manager->hostPipeCount() == 0; });
  (void)fromA;
}

// An SDP subscriber on a member host is offered the other host's producers with the rest, under their peer ids.
static void an_sdp_subscriber_is_offered_the_other_hosts_producers(void**) {
  TwoHosts t;
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string fromA = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  Json offer = t.ask(*t.b, 2, R"({"request":"subscribeSdp"})");
  assert_string_equal(Rooms::str(offer, "mediasoup").c_str(), "sdpOffer");
  json_t* consumers = json_object_get(offer.get(), "consumers");
  assert_int_equal(json_array_size(consumers), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(consumers, 0), "producerId")), fromA.c_str());
  assert_string_equal(json_string_value(json_object_get(json_array_get(consumers, 0), "peerId")), Rooms::str(onA, "peerId").c_str());
  assert_non_null(strstr(Rooms::str(offer, "sdp").c_str(), "m=audio"));
}

// A home frozen past its lease: its member took the room over. Back, it is isolated, finds the room held by
// the member and joins it there: the member hears of its peer and producer again (the same ids), consumes the
// producer through a new pipe, and the one that came back no longer holds the room.
static void a_home_back_from_a_freeze_joins_its_room_where_it_went(void**) {
  TwoHosts t;
  assert_string_equal(Rooms::str(t.ask(*t.a, 9, R"({"request":"create","room":"r"})"), "mediasoup").c_str(), "created");
  Json onA = t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  std::string fromA = t.produceAudio(*t.a, 1);
  t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  std::string recv = t.transport(*t.b, 2, false);
  assert_string_equal(Rooms::str(t.consume(*t.b, 2, recv, fromA), "mediasoup").c_str(), "consumer");
  // A is lost for B: B holds the room now.
  t.directory.lost.insert("a");
  t.b->manager->hostLost("a");
  t.runUntil([&] { return t.b->eventsOf(2, "peerLeft").size() == 1 && t.directory.claims["r"] == "b"; });
  t.directory.lost.erase("a");
  // A comes back: isolated, then its claim of r found B's.
  t.a->manager->isolated();
  t.a->manager->heldElsewhere("r", "b");
  assert_string_equal(t.a->manager->rooms().at("r")->homeHost.c_str(), "b");
  t.runUntil([&] { return t.b->eventsOf(2, "peerJoined").size() == 1 && t.b->eventsOf(2, "newProducer").size() == 1; });
  assert_string_equal(Rooms::str(t.b->eventsOf(2, "peerJoined")[0], "peerId").c_str(), Rooms::str(onA, "peerId").c_str());
  assert_string_equal(Rooms::str(t.b->eventsOf(2, "newProducer")[0], "producerId").c_str(), fromA.c_str());
  Json again = t.consume(*t.b, 2, recv, fromA);
  assert_string_equal(Rooms::str(again, "mediasoup").c_str(), "consumer");
  // A's peer leaves: A's room (a member's now) closes, B's stays with its peer.
  t.ask(*t.a, 1, R"({"request":"leave"})");
  t.runUntil([&] { return t.a->manager->rooms().empty() && t.b->eventsOf(2, "peerLeft").size() == 2; });
  assert_int_equal(t.b->manager->rooms().count("r"), 1);
}

static void codecs_that_differ_refuse_a_member(void**) {
  TwoHosts t;
  t.ask(*t.a, 1, R"({"request":"join","room":"r"})");
  // b says other codecs than a: enable its spanning again with them.
  t.b->manager->enableSpanning(t.b->bus, "127.0.0.12", "opus,H264");
  Json refused = t.ask(*t.b, 2, R"({"request":"join","room":"r"})");
  assert_int_equal(Rooms::errorCode(refused), 448);
  assert_non_null(strstr(Rooms::str(refused, "error").c_str(), "media_codecs"));
  assert_int_equal(t.b->manager->rooms().size(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_member_sees_the_homes_peers_and_both_hear_of_each_other),
      cmocka_unit_test(a_producer_crosses_once_and_its_pause_and_close_follow),
      cmocka_unit_test(a_lost_home_takes_its_peers_and_a_member_holds_the_room),
      cmocka_unit_test(an_isolated_host_drops_the_others),
      cmocka_unit_test(a_destroy_on_the_home_closes_it_everywhere),
      cmocka_unit_test(the_home_keeps_the_room_while_a_member_has_peers),
      cmocka_unit_test(a_lost_reply_leaves_no_pipe_transport),
      cmocka_unit_test(each_host_observes_the_other_hosts_audio),
      cmocka_unit_test(the_homes_pin_and_secret_guard_the_room_everywhere_and_a_kick_reaches_the_peers_host),
      cmocka_unit_test(a_data_producer_crosses_once_and_its_close_follows),
      cmocka_unit_test(the_peer_limit_counts_every_hosts_peers),
      cmocka_unit_test(a_member_whose_last_snapshot_is_lost_leaves_once_silent),
      cmocka_unit_test(an_sdp_subscriber_is_offered_the_other_hosts_producers),
      cmocka_unit_test(a_home_back_from_a_freeze_joins_its_room_where_it_went),
      cmocka_unit_test(codecs_that_differ_refuse_a_member),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
