// A process's CPU time and memory from /proc/PID/stat: no channel round trip to the worker needed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace msp {

struct ProcSample {
  uint64_t cpuTicks = 0;  // utime + stime, in clock ticks
  uint64_t rssPages = 0;
};

std::optional<ProcSample> parseProcStat(const std::string& line);
std::optional<ProcSample> readProcStat(pid_t pid);

// Share of one core used between two samples taken wallMs apart (0.25 = 25 %).
double cpuShare(uint64_t ticksBefore, uint64_t ticksAfter, uint64_t wallMs, long ticksPerSecond);

}  // namespace msp
