#include "base/Log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>

namespace msp {
namespace {

void stderrSink(LogLevel level, const char* message) {
  static const char* const names[] = {"", "FATAL", "ERR", "WARN", "INFO", "VERB", "HUGE", "DBG"};
  std::fprintf(stderr, "[mediasoup][%s] %s\n", names[static_cast<int>(level)], message);
}

std::atomic<LogSink> currentSink{stderrSink};
std::atomic<LogFilter> currentFilter{nullptr};

}  // namespace

void setLogSink(LogSink sink, LogFilter filter) {
  currentFilter.store(sink ? filter : nullptr);
  currentSink.store(sink ? sink : stderrSink);
}

void logf(LogLevel level, const char* format, ...) {
  if (LogFilter filter = currentFilter.load(); filter && !filter(level)) return;
  char buffer[2048];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  currentSink.load()(level, buffer);
}

}  // namespace msp
