#include "channel/ProcStats.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace msp {

std::optional<ProcSample> parseProcStat(const std::string& line) {
  size_t end = line.rfind(')');  // the command name may itself contain spaces and parentheses
  if (end == std::string::npos || end + 2 > line.size()) return std::nullopt;
  std::istringstream fields(line.substr(end + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field) f.push_back(field);
  // After "(comm)": state is field 3 overall → f[0]; utime (14) → f[11], stime (15) → f[12], rss (24) → f[21].
  if (f.size() < 22) return std::nullopt;
  try {
    return ProcSample{std::stoull(f[11]) + std::stoull(f[12]), std::stoull(f[21])};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<ProcSample> readProcStat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  return parseProcStat(line);
}

double cpuShare(uint64_t ticksBefore, uint64_t ticksAfter, uint64_t wallMs, long ticksPerSecond) {
  if (wallMs == 0 || ticksPerSecond <= 0 || ticksAfter < ticksBefore) return 0.0;
  double cpuSeconds = static_cast<double>(ticksAfter - ticksBefore) / static_cast<double>(ticksPerSecond);
  return cpuSeconds / (static_cast<double>(wallMs) / 1000.0);
}

}  // namespace msp
