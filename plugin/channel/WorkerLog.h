// Where the worker's own log lines go in Janus's log, so that no client can flood it. A request the worker
// refuses (a duplicate ssrc, mid or rid, bad parameters) makes the worker log "throwing MediaSoupError…" at
// error level; the client already gets that reason in its answer, so those lines go to VERB. Every other
// error or warning line passes a per-worker budget; what is over it is counted and summarised once per window.
// Pure: time is passed in.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/Log.h"

namespace msp {

// The Janus level of a worker log line ('E', 'W', 'D' and the worker's own text).
LogLevel workerLogLevel(char workerLevel, std::string_view text);

class LogThrottle {
 public:
  LogThrottle(uint32_t linesPerWindow, uint64_t windowMs) : linesPerWindow_(linesPerWindow), windowMs_(windowMs) {}
  // Whether a line at nowMs is within the budget (else it is counted as suppressed).
  bool admit(uint64_t nowMs);
  // Lines suppressed in a window that has ended (0 while it lasts): to log once, then forgotten.
  uint64_t takeSuppressed(uint64_t nowMs);

 private:
  void roll(uint64_t nowMs);

  uint32_t linesPerWindow_;
  uint64_t windowMs_;
  uint64_t windowStartMs_ = 0;
  bool started_ = false;
  uint32_t lines_ = 0;
  uint64_t suppressed_ = 0;       // in the current window
  uint64_t endedSuppressed_ = 0;  // in windows that ended, not reported yet
};

}  // namespace msp
