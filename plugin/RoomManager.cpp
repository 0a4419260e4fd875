#include "RoomManager.h"

#include "Ids.h"
#include "Log.h"
#include "Overloaded.h"
#include "Router.h"

namespace msp {

RoomManager::RoomManager(WorkerPool& pool, EventSink events, Json routerRtpCapabilities,
                         WebRtcTransportOptions transportOptions)
    : pool_(pool), events_(events), routerRtpCapabilities_(std::move(routerRtpCapabilities)),
      media_(events, std::move(transportOptions),
             [this](const std::string& roomId, const std::string& routerId) { return roomWithRouter(roomId, routerId); }) {}

RoomManager::~RoomManager() { closeAll(); }

void RoomManager::handle(uint64_t sessionId, const Request& request, Reply reply) {
  std::visit(Overloaded{
                 [&](const request::Create& r) { create(r, std::move(reply)); },
                 [&](const request::Destroy& r) { destroy(r, std::move(reply)); },
                 [&](const request::Exists& r) { exists(r, std::move(reply)); },
                 [&](const request::List&) { list(std::move(reply)); },
                 [&](const request::Join& r) { join(sessionId, r, std::move(reply)); },
                 [&](const request::Leave&) { leave(sessionId, std::move(reply)); },
                 [&](const auto&) { media(sessionId, request, std::move(reply)); },
             },
             request);
}

Room* RoomManager::createRoom(const std::string& id, bool autoCreated, int& errorCode, std::string& error) {
  WorkerPool::Slot* slot = pool_.choose();
  if (!slot) {
    errorCode = kWorkerUnavailable;
    error = "no live worker";
    return nullptr;
  }
  auto owned = std::make_unique<Room>();
  Room* room = owned.get();
  room->id = id;
  room->routerId = newUuid();
  room->workerSlot = slot->index;
  room->worker = slot->worker.get();
  room->autoCreated = autoCreated;
  rooms_[id] = std::move(owned);

  const std::string routerId = room->routerId;
  auto onWorkerClosed = [this, id, routerId] {
    if (roomWithRouter(id, routerId)) closeRoom(id, "workerDied");
  };
  Router* router = room->worker->createRouter(routerId, routerRtpCapabilities_, onWorkerClosed, [this, id, routerId](Router* created, const std::string& failure) {
    Room* r = roomWithRouter(id, routerId);
    if (!r) return;  // closed while the worker was creating it
    auto waiters = std::move(r->readyWaiters);
    r->readyWaiters.clear();
    if (!created) {
      MSP_WARN("room %s: the worker could not create its router: %s", id.c_str(), failure.c_str());
      rooms_.erase(id);  // its router is already gone from the worker
      for (auto& waiter : waiters) waiter(false, kWorkerUnavailable, "the worker could not create the room: " + failure);
      return;
    }
    r->ready = true;
    for (auto& waiter : waiters) waiter(true, 0, "");
  });
  if (!router) {  // failed at once: the callback above already removed the room
    errorCode = kWorkerUnavailable;
    error = "the worker could not create the room";
    return nullptr;
  }
  room->router = router;
  media_.wire(*room);
  return room;
}

Room* RoomManager::roomWithRouter(const std::string& roomId, const std::string& routerId) {
  auto it = rooms_.find(roomId);
  return it != rooms_.end() && it->second->routerId == routerId ? it->second.get() : nullptr;
}

void RoomManager::create(const request::Create& request, Reply reply) {
  std::string id = request.room.value_or(randomRoomId());
  if (rooms_.count(id)) {
    reply(errorAnswer(kRoomExists, "room '" + id + "' already exists"));
    return;
  }
  int code = 0;
  std::string error;
  Room* room = createRoom(id, false, code, error);
  if (!room) {
    reply(errorAnswer(code, error));
    return;
  }
  size_t slot = room->workerSlot;
  room->readyWaiters.push_back([reply, id, slot](bool ok, int errorCode, const std::string& failure) {
    if (!ok) {
      reply(errorAnswer(errorCode, failure));
      return;
    }
    Json answer = Json::object();
    answer.set("mediasoup", "created").set("room", id).set("worker", static_cast<unsigned long>(slot));
    reply(answer);
  });
}

void RoomManager::destroy(const request::Destroy& request, Reply reply) {
  if (!rooms_.count(request.room)) {
    reply(errorAnswer(kNoSuchRoom, "no such room '" + request.room + "'"));
    return;
  }
  closeRoom(request.room, "destroyed");
  Json answer = Json::object();
  answer.set("mediasoup", "destroyed").set("room", request.room);
  reply(answer);
}

void RoomManager::exists(const request::Exists& request, Reply reply) {
  Json answer = Json::object();
  answer.set("mediasoup", "success").set("room", request.room).set("exists", rooms_.count(request.room) > 0);
  reply(answer);
}

void RoomManager::list(Reply reply) {
  Json rooms = Json::array();
  for (const auto& [id, room] : rooms_) {
    Json entry = Json::object();
    entry.set("room", id).set("worker", static_cast<unsigned long>(room->workerSlot))
        .set("peers", static_cast<unsigned long>(room->peers.size()));
    rooms.append(entry);
  }
  Json answer = Json::object();
  answer.set("mediasoup", "success").set("list", rooms);
  reply(answer);
}

void RoomManager::join(uint64_t sessionId, const request::Join& request, Reply reply) {
  if (sessionRooms_.count(sessionId)) {
    reply(errorAnswer(kJoinState, "already in room '" + sessionRooms_[sessionId] + "'"));
    return;
  }
  Room* room = nullptr;
  auto it = rooms_.find(request.room);
  if (it != rooms_.end()) {
    room = it->second.get();
  } else {
    int code = 0;
    std::string error;
    room = createRoom(request.room, true, code, error);
    if (!room) {
      reply(errorAnswer(code, error));
      return;
    }
  }
  sessionRooms_[sessionId] = request.room;  // joining: a second join is refused meanwhile
  if (room->ready) {
    addPeer(*room, sessionId, request.display, std::move(reply));
    return;
  }
  std::string roomId = request.room;
  std::string display = request.display;
  room->readyWaiters.push_back([this, sessionId, roomId, display, reply](bool ok, int code, const std::string& error) {
    auto joined = sessionRooms_.find(sessionId);
    bool stillJoining = joined != sessionRooms_.end() && joined->second == roomId;
    auto it = rooms_.find(roomId);
    if (!ok || !stillJoining || it == rooms_.end()) {
      if (stillJoining) sessionRooms_.erase(joined);
      reply(errorAnswer(ok ? kNoSuchRoom : code, ok ? "room '" + roomId + "' was closed" : error));
      return;
    }
    addPeer(*it->second, sessionId, display, reply);
  });
}

void RoomManager::addPeer(Room& room, uint64_t sessionId, const std::string& display, Reply reply) {
  Json others = Json::array();
  for (const auto& [id, peer] : room.peers) {
    Json entry = media_.producersOf(room, id);
    entry.set("peerId", peer.peerId).set("display", peer.display);
    others.append(entry);
  }
  Peer& peer = room.peers[sessionId];
  peer.sessionId = sessionId;
  peer.peerId = newUuid();
  peer.display = display;
  peer.roomId = room.id;
  sessionRooms_[sessionId] = room.id;

  Json joined = apiEvent("peerJoined");
  joined.set("peerId", peer.peerId).set("display", peer.display);
  broadcast(room, joined, sessionId);

  Json answer = Json::object();
  answer.set("mediasoup", "joined").set("room", room.id).set("worker", static_cast<unsigned long>(room.workerSlot))
      .set("peerId", peer.peerId).set("routerRtpCapabilities", routerRtpCapabilities_).set("peers", others);
  reply(answer);
}

void RoomManager::leave(uint64_t sessionId, Reply reply) {
  auto joined = sessionRooms_.find(sessionId);
  auto room = joined == sessionRooms_.end() ? rooms_.end() : rooms_.find(joined->second);
  if (room == rooms_.end() || !room->second->peers.count(sessionId)) {
    reply(errorAnswer(kJoinState, "not in a room"));
    return;
  }
  std::string roomId = room->first;
  removePeer(*room->second, sessionId);
  Json answer = Json::object();
  answer.set("mediasoup", "left").set("room", roomId);
  reply(answer);
}

void RoomManager::sessionGone(uint64_t sessionId) {
  auto joined = sessionRooms_.find(sessionId);
  if (joined == sessionRooms_.end()) return;
  auto room = rooms_.find(joined->second);
  if (room == rooms_.end() || !room->second->peers.count(sessionId)) {
    sessionRooms_.erase(joined);  // still joining: its waiter sees it is gone
    return;
  }
  removePeer(*room->second, sessionId);
}

void RoomManager::media(uint64_t sessionId, const Request& request, Reply reply) {
  auto joined = sessionRooms_.find(sessionId);
  auto room = joined == sessionRooms_.end() ? rooms_.end() : rooms_.find(joined->second);
  if (room == rooms_.end() || !room->second->peers.count(sessionId)) {
    reply(errorAnswer(kJoinState, "not in a room: join first"));
    return;
  }
  media_.handle(*room->second, room->second->peers.at(sessionId), request, std::move(reply));
}

void RoomManager::removePeer(Room& room, uint64_t sessionId) {
  auto it = room.peers.find(sessionId);
  if (it == room.peers.end()) return;
  media_.peerLeaving(room, sessionId);  // its producers close first: the others hear before peerLeft
  Json left = apiEvent("peerLeft");
  left.set("peerId", it->second.peerId).set("display", it->second.display);
  room.peers.erase(it);
  sessionRooms_.erase(sessionId);
  broadcast(room, left);
  if (room.autoCreated && room.peers.empty() && room.ready) closeRoom(room.id, "empty");
}

void RoomManager::closeRoom(std::string roomId, const std::string& reason) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return;
  std::unique_ptr<Room> room = std::move(it->second);
  rooms_.erase(it);
  MSP_INFO("room %s on worker %zu closed (%s)", roomId.c_str(), room->workerSlot, reason.c_str());

  Json closed = apiEvent("roomClosed");
  closed.set("room", roomId).set("reason", reason);
  for (const auto& [sessionId, peer] : room->peers) {
    sessionRooms_.erase(sessionId);
    if (reason == "destroyed" || reason == "workerDied") events_(sessionId, closed);
  }
  for (auto& waiter : room->readyWaiters) {
    if (reason == "workerDied") waiter(false, kWorkerUnavailable, "the room's worker died");
    else waiter(false, kNoSuchRoom, "room '" + roomId + "' was closed");
  }
  // A dead worker already dropped the router; otherwise tell the worker.
  if (reason != "workerDied") room->worker->closeRouter(room->routerId);
}

void RoomManager::closeAll() {
  while (!rooms_.empty()) closeRoom(rooms_.begin()->first, "shutdown");
}

void RoomManager::broadcast(const Room& room, Json event, uint64_t exceptSessionId) {
  for (const auto& [sessionId, peer] : room.peers) {
    if (sessionId != exceptSessionId) events_(sessionId, event);
  }
}

const Peer* RoomManager::peerOf(uint64_t sessionId) const {
  auto joined = sessionRooms_.find(sessionId);
  if (joined == sessionRooms_.end()) return nullptr;
  auto room = rooms_.find(joined->second);
  if (room == rooms_.end()) return nullptr;
  auto peer = room->second->peers.find(sessionId);
  return peer == room->second->peers.end() ? nullptr : &peer->second;
}

}  // namespace msp
