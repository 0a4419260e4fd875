// A room outlives its workers. When a router's worker dies (or is drained), failover takes the router out of
// its room, tells the room's other peers which producers went with it, closes the pipes to it, and moves its
// peers to another router of the room (`moved` to each, `peerMoved` to the others). With no live worker at all
// the room waits for one, and closes (noWorker) when none comes back in time. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/Json.h"
#include "base/UvHandle.h"
#include "messages/ApiError.h"
#include "pool/WorkerPool.h"
#include "rooms/Membership.h"
#include "rooms/RoomEvents.h"
#include "rooms/RouterPipes.h"

namespace msp {

// What failover asks of the rooms it does not own (RoomManager implements it).
class RoomPlacement {
 public:
  virtual ~RoomPlacement() = default;
  // The router the session goes to, the session counted on it; null when no worker can take it.
  virtual RoomRouter* place(Room& room, uint64_t sessionId) = 0;
  // Gives a room without any router one on the least-loaded worker; false when none is alive.
  virtual bool ensureRouter(Room& room) = 0;
  virtual void closeRoom(std::string roomId, RoomCloseReason reason) = 0;
  // [{peerId, display, producers, dataProducers, worker}] of the room's peers but one (join and moved answers).
  virtual Json peersOf(Room& room, uint64_t exceptSessionId) = 0;
  // The router left the room (already out of room.routers; its pipes closed): what lived on it goes on elsewhere.
  virtual void routerGone(Room& room, const std::string& routerId) = 0;
};

class Failover {
 public:
  Failover(WorkerPool& pool, Membership& membership, RouterPipes& pipes, RoomPlacement& placement, EventSink events,
           const RoomEvents& observers, Json routerRtpCapabilities);
  Failover(const Failover&) = delete;
  Failover& operator=(const Failover&) = delete;

  // The router's worker died: its room goes on without it.
  void routerLost(const std::string& roomId, const std::string& routerId);
  // Admin: the worker takes no new routers, its peers move (reason "drained"), then it stops for good.
  void drainWorker(size_t slot, Reply reply);
  // No worker can take the room now: it waits for one (placeWaitingRooms), or closes after noWorkerTimeoutMs.
  void startWaiting(Room& room);
  // A worker runs again (a respawn, a resume): rooms that waited for one are placed.
  void placeWaitingRooms();
  void stop() { waitingTimer_.close(); }

  // How long a room may wait for a live worker (every worker dead, respawns crash-looping) before it closes.
  uint64_t noWorkerTimeoutMs = 10000;

 private:
  // The router leaves its room: the others hear of its producers, pipes to it close, its peers move.
  // reason: "workerDied" | "drained". Returns the router, out of the room.
  RoomRouter evacuate(Room& room, const std::string& routerId, const char* reason);
  // producerClosed / dataProducerClosed to the peers on other routers, for each producer of the gone router.
  void announceLostProducers(const Room& room, const RoomRouter& gone, const char* reason);
  void movePeer(Room& room, uint64_t sessionId, int attempt, const char* reason);
  struct PendingMove;
  void moveTargetReady(const PendingMove& move, const Failure& failure);
  void sendMoved(Room& room, const Peer& peer, const RoomRouter& roomRouter, const char* reason);
  void expireWaitingRooms();

  WorkerPool& pool_;
  Membership& membership_;
  RouterPipes& pipes_;
  RoomPlacement& placement_;
  EventSink events_;
  const RoomEvents& observers_;
  Json routerRtpCapabilities_;
  UvHandle<uv_timer_t> waitingTimer_;  // runs while some room waits for a live worker
};

}  // namespace msp
