// Where a joining (or moving) peer goes inside a room that spans workers: a pure function over the room's
// routers and the pool's workers, so it is tested without processes (like chooseWorker, which it uses).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "config/Config.h"
#include "pool/LoadBalancer.h"

namespace msp {

struct RouterLoad {
  size_t worker = 0;         // the slot hosting it
  size_t peers = 0;          // peers placed on it (joined, joining or moving there)
  bool usable = true;        // its worker is alive (and not draining)
};

struct PlacementLimits {
  uint32_t maxPeersPerRouter = 100;  // 0: no limit
  double routerCpuLimit = 0.8;       // share of one core of the router's worker
  double cpuTieTolerance = 0.05;     // for chooseWorker among the workers without a router of the room
  static PlacementLimits of(const Settings& settings) {
    return {settings.maxPeersPerRouter, settings.routerCpuLimit, settings.cpuTieTolerance};
  }
};

struct Placement {
  enum class Kind {
    ExistingRouter,  // `router` is the index into the room's routers
    NewRouter,       // a new router of the room on worker `worker`
    NoWorker,        // no live worker at all
  };
  Kind kind = Kind::NoWorker;
  size_t router = 0;
  size_t worker = 0;
};

// The usable router with the fewest peers among those under both limits (peers < max, its worker's CPU <
// limit); ties go to the lower CPU, then the earlier router. None: a new router on the balancer's choice
// among live workers that host none of the room's routers. Every live worker hosts one already: the usable
// router with the fewest peers, limits or not.
Placement placePeer(const std::vector<RouterLoad>& routers, const std::vector<WorkerLoad>& workers,
                    const PlacementLimits& limits);

}  // namespace msp
