// GET /metrics: the pool, rooms and requests in Prometheus text format 0.0.4. Sampling reads the core's
// state (loop thread); formatting is a pure function. Both are unit-tested (tests/unit/metrics_test.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace msp {

class RoomManager;
class WorkerPool;

// Requests answered per request name and result, counted by Janus's threads.
class RequestCounters {
 public:
  using Counts = std::map<std::pair<std::string, bool>, uint64_t>;  // (request, ok) → answers
  void count(const std::string& request, bool ok);
  Counts snapshot() const;

 private:
  mutable std::mutex mutex_;
  Counts counts_;
};

struct MetricsSample {
  struct Worker {
    size_t id = 0;
    bool up = false;
    double cpu = 0.0;
    uint64_t rssBytes = 0;
    size_t rooms = 0;
    uint32_t restarts = 0;
  };
  size_t rooms = 0, peers = 0, transports = 0, producers = 0, consumers = 0;
  std::vector<Worker> workers;
  RequestCounters::Counts requests;
  std::map<std::string, uint64_t> events;  // lifecycle events since the start, by name
  std::optional<size_t> clusterHosts;      // live hosts of the cluster this host sees (nullopt: no cluster)
  size_t clusterPipes = 0;                 // pipe transports to other hosts
};

// Loop thread. Transports, producers and consumers are the peers' own (pipes between routers not counted).
MetricsSample sampleMetrics(const WorkerPool& pool, const RoomManager& rooms);
std::string formatMetrics(const MetricsSample& sample);

}  // namespace msp
