// The rooms layer on a private loop, over fake workers: a WorkerPool whose workers are fake::Worker, a
// RoomManager, every event each session got and every lifecycle event. Requests are the client's JSON, parsed
// as the API edge parses it. Its destructor shuts everything down and fails the test if a libuv handle was
// left open.
#pragma once

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/LifecycleEvents.h"
#include "base/LoopThread.h"
#include "config/Config.h"
#include "ortc/MediaCodecs.h"
#include "ortc/Ortc.h"
#include "messages/Requests.h"
#include "rooms/RoomManager.h"
#include "pool/WorkerPool.h"
#include "cmocka.h"
#include "fake_worker.h"

namespace msp::fake {

// maxPeersPerRouter: a small one makes a room grow a router on another worker early.
inline Settings testSettings(uint32_t workers = 2, uint32_t maxPeersPerRouter = 100) {
  auto loaded = loadSettings([](const std::string&) { return std::optional<std::string>(); },
                             [](const std::string&) { return std::optional<std::string>(); },
                             "/bin/true");  // must be executable; the fake spawner never runs it
  if (auto* error = std::get_if<SettingsError>(&loaded)) fail_msg("%s", error->message.c_str());
  Settings settings = std::get<Settings>(loaded);
  settings.workerCount = workers;
  settings.maxPeersPerRouter = maxPeersPerRouter;
  settings.statsPort = 0;
  return settings;
}

// Runs the loop until cond holds; fails the test after limitMs of loop time.
inline void runLoopUntil(uv_loop_t* loop, const std::function<bool()>& cond, uint64_t limitMs = 5000) {
  uint64_t until = (uv_update_time(loop), uv_now(loop)) + limitMs;
  UvHandle<uv_timer_t> tick;  // wakes the loop so the limit is checked even when nothing happens
  tick.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, nullptr);
  uv_timer_start(tick.get(), [](uv_timer_t*) {}, 10, 10);
  while (!cond()) {
    if (uv_now(loop) > until) fail_msg("condition not reached within %llu ms", static_cast<unsigned long long>(limitMs));
    uv_run(loop, UV_RUN_ONCE);
  }
}

class Rooms {
 public:
  explicit Rooms(Settings s = testSettings()) : settings(std::move(s)), fakes(&loop) {
    signal(SIGPIPE, SIG_IGN);  // as in Janus: a write to a closed channel fails with EPIPE instead
    uv_loop_init(&loop);
    loopThread::enter(&loop);  // this test's thread runs the loop
    Json codecs = mediaCodecsFor(settings.mediaCodecs);
    routerCapabilities = ortc::generateRouterRtpCapabilities(codecs.get());
    pool = std::make_unique<WorkerPool>(&loop, settings, fakes.spawner());
    manager = std::make_unique<RoomManager>(*pool, settings, routerCapabilities,
                                            [this](uint64_t session, Json event) { events[session].push_back(event); });
    // As Janus's event handlers would get them (one always on).
    reporter = std::make_unique<LifecycleEvents>([] { return true; }, [this](Json e) { lifecycle.push_back(e); });
    reporter->watch(*manager, *pool);
    bool started = false, ok = false;
    pool->start([&](bool success, const std::string&) {
      started = true;
      ok = success;
    });
    runUntil([&] { return started; });
    assert_true(ok);
  }

  // In Core::stop's order: rooms closed, workers shut down (their pending requests fail), then both freed.
  ~Rooms() {
    if (manager) manager->closeAll();
    bool down = false;
    pool->shutdown([&] { down = true; });
    runUntil([&] { return down; });
    manager.reset();
    pool.reset();
    fakes.clear();
    uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks
    assert_int_equal(uv_loop_close(&loop), 0);  // UV_EBUSY: a handle was left open
    loopThread::leave();
  }
  Rooms(const Rooms&) = delete;
  Rooms& operator=(const Rooms&) = delete;

  void runUntil(const std::function<bool()>& cond, uint64_t limitMs = 5000) { runLoopUntil(&loop, cond, limitMs); }
  // Lets every already-queued thing happen (a few loop turns), without waiting for timers.
  void settle() {
    for (int i = 0; i < 20; ++i) uv_run(&loop, UV_RUN_NOWAIT);
  }

  // Sends a request without waiting: the answer lands in the returned slot.
  std::shared_ptr<std::optional<Json>> send(uint64_t session, const std::string& json) {
    auto answer = std::make_shared<std::optional<Json>>();
    Json body = Json::parse(json);
    if (!body) fail_msg("bad test JSON: %s", json.c_str());
    auto parsed = parseRequest(body.get());
    if (auto* error = std::get_if<ApiError>(&parsed)) {
      *answer = errorAnswer(*error);
      return answer;
    }
    manager->handle(session, std::get<msp::Request>(parsed), [answer](Json reply) { *answer = std::move(reply); });
    return answer;
  }
  Json ask(uint64_t session, const std::string& json) {
    auto answer = send(session, json);
    runUntil([&] { return answer->has_value(); });
    return **answer;
  }

  static int errorCode(const Json& answer) {
    json_t* code = json_object_get(answer.get(), "error_code");
    return code ? static_cast<int>(json_integer_value(code)) : 0;
  }
  static std::string str(const Json& j, const char* key) { return j.string(key).value_or(""); }

  // Events of one name a session got.
  std::vector<Json> eventsOf(uint64_t session, const std::string& name) {
    std::vector<Json> out;
    for (const auto& e : events[session]) {
      if (str(e, "event") == name) out.push_back(e);
    }
    return out;
  }
  size_t lifecycleCount(const std::string& name) {
    size_t n = 0;
    for (const auto& e : lifecycle) n += str(e, "event") == name;
    return n;
  }

  uint32_t minPortOf(size_t slot) const { return settings.portRangeOf(static_cast<uint32_t>(slot)).min; }
  // The fake currently running as that slot's worker.
  Worker& worker(size_t slot) {
    Worker* w = fakes.current(minPortOf(slot));
    if (!w) fail_msg("slot %zu has no live fake worker", slot);
    return *w;
  }
  // The slot a room's peer is on ("worker" of its join answer).
  static size_t workerOf(const Json& answer) {
    return static_cast<size_t>(json_integer_value(json_object_get(answer.get(), "worker")));
  }
  size_t routerCount(const std::string& room) {
    auto it = manager->rooms().find(room);
    return it == manager->rooms().end() ? 0 : it->second->routers.size();
  }

  // A send or recv WebRTC transport of a joined session; returns its id.
  std::string transport(uint64_t session, bool send, bool sctp = false) {
    std::string body = std::string(R"({"request":"createWebRtcTransport","direction":")") + (send ? "send" : "recv") + "\"";
    if (sctp) body += R"(,"sctpCapabilities":{"numStreams":{"OS":1024,"MIS":1024}})";
    Json answer = ask(session, body + "}");
    if (errorCode(answer)) fail_msg("createWebRtcTransport: %s", answer.dump().c_str());
    return str(answer, "id");
  }
  std::string produceAudio(uint64_t session, const std::string& transportId) {
    Json answer = ask(session, R"({"request":"produce","transportId":")" + transportId +
                                   R"(","kind":"audio","rtpParameters":{"mid":"0","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[],"encodings":[{"ssrc":1111}],"rtcp":{"cname":"c"}}})");
    if (errorCode(answer)) fail_msg("produce: %s", answer.dump().c_str());
    return str(answer, "id");
  }
  std::string consumeBody(const std::string& transportId, const std::string& producerId) {
    return R"({"request":"consume","transportId":")" + transportId + R"(","producerId":")" + producerId +
           R"(","rtpCapabilities":)" + routerCapabilities.dump() + "}";
  }
  Json consume(uint64_t session, const std::string& transportId, const std::string& producerId) {
    return ask(session, consumeBody(transportId, producerId));
  }

  Settings settings;
  uv_loop_t loop;
  Workers fakes;
  Json routerCapabilities;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<RoomManager> manager;
  std::unique_ptr<LifecycleEvents> reporter;
  std::map<uint64_t, std::vector<Json>> events;
  std::vector<Json> lifecycle;
};

}  // namespace msp::fake
