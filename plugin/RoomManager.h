// Who is in which room and which worker hosts it. Runs on the loop thread; answers through Reply callbacks
// once the worker has done the work.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "Json.h"
#include "MediaSignaling.h"
#include "Requests.h"
#include "Room.h"
#include "UvHandle.h"
#include "WorkerPool.h"

namespace msp {

class RoomManager {
 public:
  // events pushes an event to a Janus session (when it is still alive).
  RoomManager(WorkerPool& pool, EventSink events, Json routerRtpCapabilities, WebRtcTransportOptions transportOptions);
  ~RoomManager();
  RoomManager(const RoomManager&) = delete;
  RoomManager& operator=(const RoomManager&) = delete;

  void handle(uint64_t sessionId, const Request& request, Reply reply);
  // Detach or session timeout: leave like `leave`, without an answer.
  void sessionGone(uint64_t sessionId);
  // Shutdown: every room closes (peers are told), routers go with their workers.
  void closeAll();

  const std::map<std::string, std::unique_ptr<Room>>& rooms() const { return rooms_; }
  const Peer* peerOf(uint64_t sessionId) const;

 private:
  void create(const request::Create& request, Reply reply);
  void destroy(const request::Destroy& request, Reply reply);
  void exists(const request::Exists& request, Reply reply);
  void list(Reply reply);
  void join(uint64_t sessionId, const request::Join& request, Reply reply);
  void leave(uint64_t sessionId, Reply reply);
  void media(uint64_t sessionId, const Request& request, Reply reply);

  // Places a new room on the least-loaded worker; the room exists (and counts) at once, ready later.
  // Null (and nothing changed) when no worker is alive.
  Room* createRoom(const std::string& id, bool autoCreated);
  // Asks the least-loaded live worker for a router for the room; false when no worker is alive.
  bool placeRouter(Room& room);
  void routerCreated(const std::string& roomId, const std::string& routerId, Router* router, const Failure& failure);
  // The room's worker died: its peers stay, the room gets a router elsewhere (or waits for a worker).
  void routerLost(const std::string& roomId, const std::string& routerId);
  void relocate(Room& room);
  // A worker came up: rooms waiting for one are placed; rooms that waited too long close (noWorker).
  void placeWaitingRooms();
  void expireWaitingRooms();
  void addPeer(Room& room, uint64_t sessionId, const std::string& display, Reply reply);
  void removePeer(Room& room, uint64_t sessionId);
  // An auto-created room with nobody in it or joining it closes.
  void closeIfAbandoned(Room& room);
  // Closes a room: peers get roomClosed (when announced), waiters fail, its router is closed.
  // By value: callers often pass the key of the map entry this erases.
  void closeRoom(std::string roomId, RoomCloseReason reason);
  // The room of that id, if it is still the one that owns routerId.
  Room* roomWithRouter(const std::string& roomId, const std::string& routerId);
  void broadcast(const Room& room, Json event, uint64_t exceptSessionId = 0);

  WorkerPool& pool_;
  EventSink events_;
  Json routerRtpCapabilities_;
  MediaSignaling media_;
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::map<uint64_t, std::string> sessionRooms_;  // joined (or joining) sessions
  UvHandle<uv_timer_t> waitingTimer_;              // runs while some room waits for a live worker
};


}  // namespace msp
