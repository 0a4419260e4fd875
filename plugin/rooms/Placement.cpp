#include "rooms/Placement.h"

#include <optional>

namespace msp {
namespace {

double cpuOf(const std::vector<WorkerLoad>& workers, size_t slot) {
  return slot < workers.size() ? workers[slot].cpuUsage : 0.0;
}

// The usable router with the fewest peers (then lower CPU, then lower index), optionally only those under
// the limits.
std::optional<size_t> fewestPeers(const std::vector<RouterLoad>& routers, const std::vector<WorkerLoad>& workers,
                                  const PlacementLimits* limits) {
  std::optional<size_t> best;
  for (size_t i = 0; i < routers.size(); ++i) {
    const RouterLoad& r = routers[i];
    if (!r.usable) continue;
    if (limits) {
      if (limits->maxPeersPerRouter != 0 && r.peers >= limits->maxPeersPerRouter) continue;
      if (cpuOf(workers, r.worker) >= limits->routerCpuLimit) continue;
    }
    if (!best) {
      best = i;
      continue;
    }
    const RouterLoad& b = routers[*best];
    if (r.peers < b.peers || (r.peers == b.peers && cpuOf(workers, r.worker) < cpuOf(workers, b.worker))) best = i;
  }
  return best;
}

}  // namespace

Placement placePeer(const std::vector<RouterLoad>& routers, const std::vector<WorkerLoad>& workers,
                    const PlacementLimits& limits) {
  Placement placement;
  if (auto under = fewestPeers(routers, workers, &limits)) {
    placement.kind = Placement::Kind::ExistingRouter;
    placement.router = *under;
    return placement;
  }
  std::vector<WorkerLoad> candidates = workers;
  for (const RouterLoad& r : routers) {
    if (r.worker < candidates.size()) candidates[r.worker].alive = false;  // hosts the room already
  }
  if (auto worker = chooseWorker(candidates, limits.cpuTieTolerance)) {
    placement.kind = Placement::Kind::NewRouter;
    placement.worker = *worker;
    return placement;
  }
  if (auto any = fewestPeers(routers, workers, nullptr)) {
    placement.kind = Placement::Kind::ExistingRouter;
    placement.router = *any;
  }
  return placement;
}

}  // namespace msp
