#include "channel/WorkerLog.h"

namespace msp {

LogLevel workerLogLevel(char workerLevel, std::string_view text) {
  if (workerLevel == 'E') {
    // mediasoup's MS_THROW_ERROR / MS_THROW_TYPE_ERROR: a refused request, answered to its client.
    bool refusedRequest = text.find("throwing MediaSoupError") != std::string_view::npos ||
                          text.find("throwing MediaSoupTypeError") != std::string_view::npos;
    return refusedRequest ? LogLevel::Verbose : LogLevel::Error;
  }
  if (workerLevel == 'W') return LogLevel::Warn;
  return LogLevel::Debug;
}

void LogThrottle::roll(uint64_t nowMs) {
  if (!started_) {
    started_ = true;
    windowStartMs_ = nowMs;
    return;
  }
  if (nowMs - windowStartMs_ < windowMs_) return;
  endedSuppressed_ += suppressed_;
  suppressed_ = 0;
  lines_ = 0;
  windowStartMs_ = nowMs;
}

bool LogThrottle::admit(uint64_t nowMs) {
  roll(nowMs);
  if (lines_ < linesPerWindow_) {
    ++lines_;
    return true;
  }
  ++suppressed_;
  return false;
}

uint64_t LogThrottle::takeSuppressed(uint64_t nowMs) {
  roll(nowMs);
  uint64_t taken = endedSuppressed_;
  endedSuppressed_ = 0;
  return taken;
}

}  // namespace msp
