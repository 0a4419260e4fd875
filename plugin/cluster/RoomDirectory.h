// Which host holds a room, across the hosts of a cluster: what the rooms layer asks before it makes a room, so
// that one room name is one room. RoomClaims is the Redis one; without a cluster there is none. Loop thread;
// callbacks never run inside the call that registers them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace msp {

struct ClaimResult {
  enum class Kind {
    Mine,         // this host holds the room (it was free, or already ours, or its holder is gone)
    Elsewhere,    // another live host holds it: hostId
    Unavailable,  // Redis cannot be asked now: a room this host does not have is not made (448)
  };
  Kind kind = Kind::Unavailable;
  std::string hostId;
};

struct DirectoryRoom {
  std::string room;
  std::string hostId;
  uint32_t peers = 0;
};

class RoomDirectory {
 public:
  virtual ~RoomDirectory() = default;
  virtual void claim(const std::string& roomId, std::function<void(ClaimResult)> done) = 0;
  // The room closed here: its claim goes (if it is still this registration's).
  virtual void release(const std::string& roomId) = 0;
  // The live host holding the room (empty: none); unavailable: Redis cannot be asked now.
  virtual void lookup(const std::string& roomId, std::function<void(std::string hostId, bool unavailable)> done) = 0;
  // Every other live host's rooms, as they last published them (within a third of a lease).
  virtual void otherRooms(std::function<void(std::vector<DirectoryRoom> rooms, bool unavailable)> done) = 0;
};

}  // namespace msp
