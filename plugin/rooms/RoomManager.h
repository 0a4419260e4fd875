// Who is in which room, on which of its routers, and which workers host them. A room is one or more routers
// on different workers: a joining peer goes where placePeer() says (a new router when the room's routers are
// full), consuming across routers goes through RouterPipes, and a dead worker's peers move to live routers.
// Runs on the loop thread; answers through Reply callbacks once the workers have done the work.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "base/Json.h"
#include "rooms/MediaSignaling.h"
#include "rooms/Placement.h"
#include "messages/Requests.h"
#include "config/Config.h"
#include "rooms/Room.h"
#include "rooms/RoomEvents.h"
#include "rooms/RouterPipes.h"
#include "base/UvHandle.h"
#include "pool/WorkerPool.h"

namespace msp {

class RoomManager {
 public:
  // settings: what rooms, placement and transports follow (read here, once). events pushes an event to a Janus
  // session (when it is still alive).
  RoomManager(WorkerPool& pool, const Settings& settings, Json routerRtpCapabilities, EventSink events);
  ~RoomManager();
  RoomManager(const RoomManager&) = delete;
  RoomManager& operator=(const RoomManager&) = delete;

  // Watchers of what happens in the rooms (event handlers, metrics); subscribed once, at start.
  void observe(RoomObserver observer) { observers_.subscribe(std::move(observer)); }

  void handle(uint64_t sessionId, const Request& request, Reply reply);
  // Detach or session timeout: leave like `leave`, without an answer.
  void sessionGone(uint64_t sessionId);
  // Shutdown: every room closes (peers are told), routers go with their workers.
  void closeAll();
  // Admin: the worker takes no new routers, its peers move to other workers (`moved`, reason "drained"),
  // then it stops without respawn. Answers the number of peers moved.
  void drainWorker(size_t slot, Reply reply);

  const std::map<std::string, std::unique_ptr<Room>>& rooms() const { return rooms_; }
  // How long a room may wait for a live worker (every worker dead, respawns crash-looping) before it closes.
  uint64_t noWorkerTimeoutMs = 10000;
  const Peer* peerOf(uint64_t sessionId) const;

 private:
  void create(const request::Create& request, Reply reply);
  void destroy(const request::Destroy& request, Reply reply);
  void exists(const request::Exists& request, Reply reply);
  void list(Reply reply);
  void join(uint64_t sessionId, const request::Join& request, Reply reply);
  void joinAttempt(uint64_t sessionId, const std::string& roomId, const std::string& display, Reply reply, int attempt);
  void leave(uint64_t sessionId, Reply reply);
  void media(uint64_t sessionId, const Request& request, Reply reply);

  Room* findRoom(const std::string& roomId);
  // The room of that id, if it still has that router.
  Room* roomWithRouter(const std::string& roomId, const std::string& routerId);
  // A ready router by id, in whatever room (for the pipes).
  Router* readyRouter(const std::string& routerId);

  // A new router of the room on that worker: counts at once, ready later (routerCreated).
  RoomRouter& addRouter(Room& room, WorkerPool::Slot& slot);
  void routerCreated(const std::string& roomId, const std::string& routerId, Router* router, const Failure& failure);
  // The router's worker died: the others hear of its producers, its peers move.
  void routerLost(const std::string& roomId, const std::string& routerId);
  // The router leaves the room (its worker died, or is drained): the others hear of its producers, pipes
  // to it close, its peers move elsewhere. Returns the router (its entry is gone from the room).
  RoomRouter evacuate(Room& room, const std::string& routerId, const char* reason);
  // Ours: the router closes (room closing, or an extra router left without peers).
  void closeRouter(Room& room, const std::string& routerId, const Failure& waitersGet);
  void closeRouterIfUnused(Room& room, const std::string& routerId);
  // Gives a room without any router one on the least-loaded worker; false when none is alive.
  bool ensureRouter(Room& room);
  // The router a session goes to (placePeer), the session counted on it; null when no worker is alive.
  RoomRouter* place(Room& room, uint64_t sessionId);
  // A joined peer whose router went away goes to another one; `moved` tells it where once that is ready.
  // reason: "workerDied" | "drained".
  void movePeer(Room& room, uint64_t sessionId, int attempt, const char* reason);
  void sendMoved(Room& room, const Peer& peer, const RoomRouter& roomRouter, const char* reason);
  // No worker is alive: the room waits for one (placeWaitingRooms), or closes after kNoWorkerTimeoutMs.
  void startWaiting(Room& room);
  void placeWaitingRooms();
  void expireWaitingRooms();

  void addPeer(Room& room, RoomRouter& roomRouter, uint64_t sessionId, const std::string& display, Reply reply);
  // [{peerId, display, producers, dataProducers}] of the room's peers but one.
  Json peersOf(Room& room, uint64_t exceptSessionId);
  void removePeer(Room& room, uint64_t sessionId);
  // An auto-created room with nobody in it or joining it closes; true when it did.
  bool closeIfAbandoned(Room& room);
  // Closes a room: peers get roomClosed (when announced), waiters fail, its routers close.
  // By value: callers often pass the key of the map entry this erases.
  void closeRoom(std::string roomId, RoomCloseReason reason);
  void broadcast(const Room& room, Json event, uint64_t exceptSessionId = 0);

  WorkerPool& pool_;
  EventSink events_;
  RoomEvents observers_;
  Json routerRtpCapabilities_;
  PlacementLimits limits_;
  RouterPipes pipes_;
  MediaSignaling media_;
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::map<uint64_t, std::string> sessionRooms_;   // joined (or joining) sessions → room id
  std::map<std::string, std::string> routerRooms_; // router id → room id
  UvHandle<uv_timer_t> waitingTimer_;              // runs while some room waits for a live worker
};

}  // namespace msp
