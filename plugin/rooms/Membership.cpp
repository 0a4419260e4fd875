#include "rooms/Membership.h"

namespace msp {

Room* Membership::room(const std::string& roomId) const {
  auto it = rooms_.find(roomId);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room& Membership::addRoom(const std::string& roomId, bool autoCreated) {
  auto& room = rooms_[roomId];
  room = std::make_unique<Room>();
  room->id = roomId;
  room->autoCreated = autoCreated;
  return *room;
}

std::unique_ptr<Room> Membership::takeRoom(const std::string& roomId) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return nullptr;
  std::unique_ptr<Room> room = std::move(it->second);
  rooms_.erase(it);
  for (const auto& [sessionId, peer] : room->peers) sessionRooms_.erase(sessionId);
  for (const auto& [routerId, roomRouter] : room->routers) routerRooms_.erase(routerId);
  return room;
}

RoomRouter& Membership::addRouter(Room& room, const std::string& routerId, size_t workerSlot, Worker* worker) {
  RoomRouter& roomRouter = room.routers[routerId];
  roomRouter.id = routerId;
  roomRouter.workerSlot = workerSlot;
  roomRouter.worker = worker;
  routerRooms_[routerId] = room.id;
  return roomRouter;
}

RoomRouter Membership::takeRouter(Room& room, const std::string& routerId) {
  RoomRouter gone;
  auto it = room.routers.find(routerId);
  if (it != room.routers.end()) {
    gone = std::move(it->second);
    room.routers.erase(it);
  }
  routerRooms_.erase(routerId);
  return gone;
}

Room* Membership::roomWithRouter(const std::string& roomId, const std::string& routerId) const {
  Room* found = room(roomId);
  return found && found->router(routerId) ? found : nullptr;
}

Router* Membership::readyRouter(const std::string& routerId) const {
  auto it = routerRooms_.find(routerId);
  if (it == routerRooms_.end()) return nullptr;
  Room* found = room(it->second);
  RoomRouter* roomRouter = found ? found->router(routerId) : nullptr;
  return roomRouter ? roomRouter->router : nullptr;
}

const std::string* Membership::roomOfSession(uint64_t sessionId) const {
  auto it = sessionRooms_.find(sessionId);
  return it == sessionRooms_.end() ? nullptr : &it->second;
}

Peer& Membership::addPeer(Room& room, RoomRouter& roomRouter, uint64_t sessionId, std::string peerId, std::string display) {
  Peer& peer = room.peers[sessionId];
  peer.sessionId = sessionId;
  peer.peerId = std::move(peerId);
  peer.display = std::move(display);
  peer.roomId = room.id;
  peer.routerId = roomRouter.id;
  roomRouter.peers.insert(sessionId);
  room.joining.erase(sessionId);
  sessionRooms_[sessionId] = room.id;
  return peer;
}

void Membership::removePeer(Room& room, uint64_t sessionId) {
  auto it = room.peers.find(sessionId);
  if (it == room.peers.end()) return;
  if (RoomRouter* roomRouter = room.routerOf(it->second)) roomRouter->peers.erase(sessionId);
  room.peers.erase(it);
  sessionRooms_.erase(sessionId);
}

Peer* Membership::peerOf(uint64_t sessionId, Room** roomOut) const {
  const std::string* roomId = roomOfSession(sessionId);
  Room* found = roomId ? room(*roomId) : nullptr;
  auto peer = found ? found->peers.find(sessionId) : decltype(found->peers.end()){};
  if (!found || peer == found->peers.end()) return nullptr;
  if (roomOut) *roomOut = found;
  return &peer->second;
}

}  // namespace msp
