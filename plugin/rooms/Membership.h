// Who is in which room, on which of its routers: the rooms layer's index, as janus-plugin-sfu's switchboard.
// Pure data (no worker, no loop, no events): the request handlers and failover change it only through these
// methods, so its three maps (rooms, sessions → room, routers → room) never disagree.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "rooms/Room.h"

namespace msp {

class Membership {
 public:
  const std::map<std::string, std::unique_ptr<Room>>& rooms() const { return rooms_; }
  Room* room(const std::string& roomId) const;
  Room& addRoom(const std::string& roomId, bool autoCreated);
  // Takes the room out of the index with its routers and its joined peers' sessions; null if unknown. Sessions
  // still joining it stay in the index: their pending joins learn that the room went, and answer so.
  std::unique_ptr<Room> takeRoom(const std::string& roomId);

  // A router of the room, counted at once; ready once its Router is set.
  RoomRouter& addRouter(Room& room, const std::string& routerId, size_t workerSlot, Worker* worker);
  // Takes the router out of its room and the index (its peers keep their routerId until moved or gone).
  RoomRouter takeRouter(Room& room, const std::string& routerId);
  // The room of that id, if it still has that router (a late worker reply may outlive either).
  Room* roomWithRouter(const std::string& roomId, const std::string& routerId) const;
  // A ready router by id, in whatever room (for the pipes).
  Router* readyRouter(const std::string& routerId) const;

  // A session is in one room at most, from the start of its join until it leaves: first joining (counted on
  // a router of the room, in room.joining while that router is not ready), then joined (a Peer).
  const std::string* roomOfSession(uint64_t sessionId) const;
  void enter(uint64_t sessionId, const std::string& roomId) { sessionRooms_[sessionId] = roomId; }
  void forgetSession(uint64_t sessionId) { sessionRooms_.erase(sessionId); }
  Peer& addPeer(Room& room, RoomRouter& roomRouter, uint64_t sessionId, std::string peerId, std::string display);
  // A joined peer leaves: off its router, out of the room and the index.
  void removePeer(Room& room, uint64_t sessionId);
  // The joined peer of a session, and its room; null when it is not joined (or only joining).
  Peer* peerOf(uint64_t sessionId, Room** room = nullptr) const;

 private:
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  std::map<uint64_t, std::string> sessionRooms_;   // joined or joining sessions → room id
  std::map<std::string, std::string> routerRooms_; // router id → room id
};

}  // namespace msp
