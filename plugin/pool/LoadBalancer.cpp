#include "pool/LoadBalancer.h"

#include <algorithm>

namespace msp {

std::optional<size_t> chooseWorker(const std::vector<WorkerLoad>& workers, double cpuTolerance) {
  std::optional<size_t> fewestRooms;
  double lowestCpu = 0.0;
  for (const WorkerLoad& w : workers) {
    if (!w.alive) continue;
    if (!fewestRooms || w.roomCount < *fewestRooms) {
      fewestRooms = w.roomCount;
      lowestCpu = w.cpuUsage;
    } else if (w.roomCount == *fewestRooms) {
      lowestCpu = std::min(lowestCpu, w.cpuUsage);
    }
  }
  if (!fewestRooms) return std::nullopt;

  std::optional<size_t> best;
  for (size_t i = 0; i < workers.size(); ++i) {
    const WorkerLoad& w = workers[i];
    if (!w.alive || w.roomCount != *fewestRooms || w.cpuUsage > lowestCpu + cpuTolerance) continue;
    if (!best || w.lastChosen < workers[*best].lastChosen) best = i;
  }
  return best;
}

}  // namespace msp
