#include "api/Metrics.h"

#include <cstdio>
#include <sstream>

#include "rooms/RoomManager.h"
#include "entities/Router.h"
#include "pool/WorkerPool.h"

namespace msp {

void RequestCounters::count(const std::string& request, bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_[{request, ok}];
}

RequestCounters::Counts RequestCounters::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

MetricsSample sampleMetrics(const WorkerPool& pool, const RoomManager& rooms) {
  MetricsSample sample;
  std::map<size_t, size_t> routersBySlot;
  for (const auto& [id, room] : rooms.rooms()) {
    ++sample.rooms;
    sample.peers += room->peers.size();
    for (const auto& [routerId, roomRouter] : room->routers) {
      ++routersBySlot[roomRouter.workerSlot];
      if (!roomRouter.router) continue;
      for (const auto& [transportId, transport] : roomRouter.router->transports()) {
        if (transport->isPipe()) continue;
        ++sample.transports;
        sample.producers += transport->producers().size();
        sample.consumers += transport->consumers().size();
      }
    }
  }
  for (const auto& slot : pool.slots()) {
    MetricsSample::Worker w;
    w.id = slot->index;
    w.up = slot->worker && slot->worker->running();
    w.cpu = w.up ? slot->worker->cpuUsage() : 0.0;
    w.rssBytes = w.up ? slot->worker->rssBytes() : 0;
    w.rooms = routersBySlot[slot->index];
    w.restarts = slot->restarts;
    sample.workers.push_back(w);
  }
  return sample;
}

namespace {

void family(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

// Label values are request names and slot numbers: escape anyway, as the format asks.
std::string escaped(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

}  // namespace

std::string formatMetrics(const MetricsSample& s) {
  std::ostringstream out;
  size_t live = 0;
  for (const auto& w : s.workers) live += w.up ? 1 : 0;
  const std::pair<const char*, std::pair<size_t, const char*>> totals[] = {
      {"janus_mediasoup_workers", {live, "Live mediasoup workers."}},
      {"janus_mediasoup_rooms", {s.rooms, "Rooms."}},
      {"janus_mediasoup_peers", {s.peers, "Peers joined to a room."}},
      {"janus_mediasoup_transports", {s.transports, "Peers' transports."}},
      {"janus_mediasoup_producers", {s.producers, "Peers' producers."}},
      {"janus_mediasoup_consumers", {s.consumers, "Peers' consumers."}},
  };
  for (const auto& [name, value] : totals) {
    family(out, name, "gauge", value.second);
    out << name << ' ' << value.first << '\n';
  }
  auto perWorker = [&](const char* name, const char* type, const char* help, auto value) {
    family(out, name, type, help);
    for (const auto& w : s.workers) out << name << "{worker=\"" << w.id << "\"} " << value(w) << '\n';
  };
  perWorker("janus_mediasoup_worker_up", "gauge", "1 when the slot's worker runs.", [](const auto& w) { return w.up ? "1" : "0"; });
  perWorker("janus_mediasoup_worker_cpu_ratio", "gauge", "CPU of the worker, share of one core over the last sample.",
            [](const auto& w) { return number(w.cpu); });
  perWorker("janus_mediasoup_worker_rss_bytes", "gauge", "Resident memory of the worker.",
            [](const auto& w) { return std::to_string(w.rssBytes); });
  perWorker("janus_mediasoup_worker_rooms", "gauge", "Routers (rooms) on the worker.", [](const auto& w) { return std::to_string(w.rooms); });
  perWorker("janus_mediasoup_worker_restarts_total", "counter", "Replacements of the slot's worker.",
            [](const auto& w) { return std::to_string(w.restarts); });
  family(out, "janus_mediasoup_requests_total", "counter", "Client requests answered, by request and result.");
  for (const auto& [key, count] : s.requests) {
    out << "janus_mediasoup_requests_total{request=\"" << escaped(key.first) << "\",result=\"" << (key.second ? "ok" : "error")
        << "\"} " << count << '\n';
  }
  if (s.clusterHosts) {
    family(out, "janus_mediasoup_cluster_hosts", "gauge", "Live hosts of the cluster, this one included.");
    out << "janus_mediasoup_cluster_hosts " << *s.clusterHosts << '\n';
    family(out, "janus_mediasoup_cluster_pipes", "gauge", "Pipe transports to other hosts.");
    out << "janus_mediasoup_cluster_pipes " << s.clusterPipes << '\n';
  }
  family(out, "janus_mediasoup_events_total", "counter", "Room and worker lifecycle events, by event.");
  for (const auto& [name, count] : s.events) out << "janus_mediasoup_events_total{event=\"" << escaped(name) << "\"} " << count << '\n';
  return out.str();
}

}  // namespace msp
