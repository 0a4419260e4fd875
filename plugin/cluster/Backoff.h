// Reconnect delays: doubling from `first` up to `cap`, each with up to a quarter of random jitter so that
// hosts that lost Redis together do not all come back in the same millisecond. Pure: the caller owns time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace msp {

class Backoff {
 public:
  Backoff(uint64_t firstMs, uint64_t capMs, uint32_t seed = std::random_device{}())
      : firstMs_(firstMs), capMs_(capMs), nextMs_(firstMs), random_(seed) {}

  // The delay before the next attempt; each call doubles the following one, up to the cap.
  uint64_t next() {
    uint64_t base = nextMs_;
    nextMs_ = std::min(capMs_, nextMs_ * 2);
    uint64_t jitter = base / 4 == 0 ? 0 : std::uniform_int_distribution<uint64_t>(0, base / 4)(random_);
    return std::min(capMs_, base + jitter);
  }
  // After a success: the next failure starts again from the first delay.
  void reset() { nextMs_ = firstMs_; }

 private:
  uint64_t firstMs_, capMs_, nextMs_;
  std::mt19937 random_;
};

}  // namespace msp
