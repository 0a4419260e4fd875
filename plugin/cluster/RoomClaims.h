// The room directory on Redis: a room's holder is a claim, msp:room:{<room>} = {home, epoch} (hash tag: the
// room's slot), taken with a Lua script when a host makes the room. A claim counts while its home is live,
// whatever its epoch; a claim of a lost host is taken over by compare-and-set on that epoch. Claims expire
// after kClaimTtlMs unless their home claims them again, which it does every kReclaimMs and after every
// registration (a new epoch). Listing reads the rooms hashes the hosts publish with their leases.
#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <vector>

#include "base/UvHandle.h"
#include "cluster/HostRegistry.h"
#include "cluster/RoomDirectory.h"

namespace msp {

constexpr uint64_t kClaimTtlMs = 600000;
constexpr uint64_t kReclaimMs = 60000;

class RoomClaims : public RoomDirectory {
 public:
  // localRooms: the rooms this host holds now (to claim again).
  RoomClaims(uv_loop_t* loop, HostRegistry& registry, std::function<std::vector<std::string>()> localRooms);
  ~RoomClaims() override;

  void claim(const std::string& roomId, std::function<void(ClaimResult)> done) override;
  void release(const std::string& roomId) override;
  void lookup(const std::string& roomId, std::function<void(std::string hostId, bool unavailable)> done) override;
  void otherRooms(std::function<void(std::vector<DirectoryRoom> rooms, bool unavailable)> done) override;

  static std::string roomKey(const std::string& roomId) { return "msp:room:{" + roomId + "}"; }

  // A room this host holds was found held by another live host when claimed again (it took the room over
  // while this one was cut off, or both made it while they could not see each other): this host yields.
  std::function<void(const std::string& roomId, const std::string& holder)> onHeldElsewhere;

 private:
  void reclaimAll();
  void takeOver(const std::string& roomId, const std::string& staleHome, const std::string& staleEpoch,
                std::function<void(ClaimResult)> done);

  HostRegistry& registry_;
  std::function<std::vector<std::string>()> localRooms_;
  UvHandle<uv_timer_t> reclaimTimer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
