// Where a new room goes: a pure function over the workers' loads, so it is tested without processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace msp {

struct WorkerLoad {
  bool alive = false;
  size_t roomCount = 0;
  double cpuUsage = 0.0;     // share of one core over the last sampling interval
  uint64_t lastChosen = 0;   // a monotonically increasing stamp; 0 = never chosen
};

// The live worker with the fewest rooms; among equals, the lowest CPU usage, where usages within
// cpuTolerance of the lowest count as equal; among those, the least recently chosen; then the lowest index.
// nullopt when no worker is alive.
std::optional<size_t> chooseWorker(const std::vector<WorkerLoad>& workers, double cpuTolerance);

}  // namespace msp
