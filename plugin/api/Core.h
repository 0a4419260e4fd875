// The plugin's core: owns the loop thread and, on it, the worker pool and the rooms; owns the registry of
// Janus sessions and the stats server. Janus's threads call in; they wait for the loop's answer
// (with a timeout), never on a lock held while a worker works.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "config/Config.h"
#include "base/EventLoop.h"
#include "api/HttpServer.h"
#include "api/Whip.h"
#include "api/LifecycleEvents.h"
#include "cluster/ClusterBus.h"
#include "cluster/RoomClaims.h"
#include "api/Metrics.h"
#include "base/Json.h"
#include "rooms/RoomManager.h"
#include "pool/WorkerPool.h"

namespace msp {

class Core {
 public:
  // Pushes an event to a live Janus handle.
  using PushEvent = std::function<void(void* handle, json_t* event)>;
  // Drops the plugin's reference to a Janus handle (once, when the core is done with it).
  using ReleaseHandle = std::function<void(void* handle)>;

  // Whether any of Janus's event handlers is on now; hands one lifecycle event to them.
  using EventsEnabled = std::function<bool()>;
  using NotifyEvent = std::function<void(Json event)>;

  Core(Settings settings, PushEvent push, ReleaseHandle release, EventsEnabled eventsEnabled = nullptr,
       NotifyEvent notify = nullptr);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  bool start(std::string& error);
  void stop();

  void createSession(void* handle);
  Json handleMessage(void* handle, json_t* body, bool hasJsep);
  Json handleAdmin(json_t* request);
  void destroySession(void* handle);
  Json querySession(void* handle);

  // Runs work on the loop; waits for its reply (or a timeout error).
  Json runOnLoop(std::function<void(Reply)> work, std::chrono::milliseconds timeout);

 private:
  // One attached Janus handle. Shared by every thread using it (a message in flight, an event being pushed);
  // the last one to let go releases the Janus handle, so Janus frees it only when the core is done with it.
  struct Session {
    Session(uint64_t id, void* handle, ReleaseHandle release) : id(id), handle(handle), release(std::move(release)) {}
    ~Session() {
      if (release) release(handle);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    const uint64_t id;
    void* const handle;
    ReleaseHandle release;
    std::mutex mutex;   // held while pushing, so destroy never races a push on a dying handle
    std::atomic<bool> alive{true};
  };
  std::shared_ptr<Session> findSession(void* handle);
  // A session id no Janus handle has (WHIP peers).
  uint64_t newSessionId();
  void pushEvent(uint64_t sessionId, const Json& event);
  // /stats and /workers (also the Admin API's answers), built on the loop.
  Json apiDocument(const std::string& path);
  // What the stats server answers for a path: those two, /metrics, or nullopt for any other path.
  std::optional<HttpDocument> httpDocument(const std::string& path);
  std::chrono::milliseconds answerTimeout() const;

  Settings settings_;
  PushEvent push_;
  ReleaseHandle release_;
  LifecycleEvents lifecycle_;  // loop thread only
  EventLoop loop_;
  std::unique_ptr<WorkerPool> pool_;   // loop thread only
  std::unique_ptr<RoomManager> rooms_; // loop thread only
  std::unique_ptr<HostRegistry> hosts_;  // loop thread only; null without cluster_redis
  std::unique_ptr<RoomClaims> claims_;   // loop thread only; with hosts_
  std::unique_ptr<ClusterBus> bus_;      // loop thread only; with hosts_
  std::unique_ptr<WhipEndpoint> whip_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<HttpServer> whipHttp_;  // when whip_port is set: WHIP on its own address
  RequestCounters requestCounters_;
  std::mutex sessionsMutex_;
  std::unordered_map<void*, std::shared_ptr<Session>> sessions_;
  std::unordered_map<uint64_t, std::shared_ptr<Session>> sessionsById_;
  uint64_t nextSessionId_ = 1;
  bool started_ = false;
};

}  // namespace msp
