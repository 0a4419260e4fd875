#include "api/Stats.h"

#include <vector>

namespace msp {
namespace {

constexpr size_t kListedPeersPerRoom = 100;  // /stats stays small for the dashboard's polling

std::vector<Json> roomsBySlot(const WorkerPool& pool, const RoomManager& rooms) {
  std::vector<Json> bySlot;
  for (size_t i = 0; i < pool.slots().size(); ++i) bySlot.push_back(Json::array());
  // A room appears under every worker hosting one of its routers (a room waiting for a worker: under none).
  for (const auto& [id, room] : rooms.rooms()) {
    for (size_t slot : room->workers()) {
      if (slot < bySlot.size()) bySlot[slot].append(Json::adopt(json_stringn(id.data(), id.size())));
    }
  }
  return bySlot;
}

// The fields /stats and /workers share.
Json workerSummary(const WorkerPool::Slot& slot, const Json& rooms) {
  const Worker* worker = slot.worker.get();
  bool live = worker && worker->running();
  Json entry = Json::object();
  entry.set("workerId", static_cast<unsigned long>(slot.index))
      .set("roomCount", static_cast<unsigned long>(json_array_size(rooms.get())))
      .set("cpuUsage", live ? worker->cpuUsage() : 0.0)
      .set("closed", !live)
      .set("draining", slot.draining);
  if (worker) entry.set("pid", static_cast<long long>(worker->pid()));
  else entry.set("pid", Json::adopt(json_null()));
  return entry;
}

}  // namespace

HostInfo sampleHost(const WorkerPool& pool, const RoomManager& rooms) {
  HostInfo info;
  info.rooms = static_cast<uint32_t>(rooms.rooms().size());
  info.draining = rooms.draining();
  for (const auto& [id, room] : rooms.rooms()) {
    info.peers += static_cast<uint32_t>(room->peers.size());
    info.roomPeers[id] = static_cast<uint32_t>(room->peers.size());
  }
  for (const auto& slot : pool.slots()) {
    if (!slot->worker || !slot->worker->running()) continue;
    ++info.workers;
    info.cpuUsage += slot->worker->cpuUsage();
  }
  return info;
}

Json hostsJson(const HostRegistry& hosts) {
  Json list = Json::array();
  for (const auto& [id, host] : hosts.hosts()) {
    Json entry = Json::object();
    entry.set("hostId", id).set("epoch", static_cast<long long>(host.epoch)).set("rooms", host.rooms).set("peers", host.peers)
        .set("workers", host.workers).set("cpuUsage", host.cpuUsage).set("leaseMs", static_cast<long long>(host.leaseMs))
        .set("draining", host.draining).set("self", id == hosts.hostId());
    list.append(entry);
  }
  return list;
}

Json buildStats(const WorkerPool& pool, const RoomManager& rooms, const HostRegistry* hosts) {
  std::vector<Json> bySlot = roomsBySlot(pool, rooms);
  Json workers = Json::array();
  Json distribution = Json::object();
  for (const auto& slot : pool.slots()) {
    workers.append(workerSummary(*slot, bySlot[slot->index]));
    distribution.set(std::to_string(slot->index).c_str(), bySlot[slot->index]);
  }
  // Each room's peers (up to kListedPeersPerRoom), and whether each negotiates with SDP (janus.js with a plain
  // RTCPeerConnection, aiortc, GStreamer, WHIP) or with mediasoup-client's parameters.
  Json roomList = Json::array();
  for (const auto& [id, room] : rooms.rooms()) {
    Json peers = Json::array();
    size_t listed = 0;
    for (const auto& [sessionId, peer] : room->peers) {
      if (listed++ == kListedPeersPerRoom) break;
      Json p = Json::object();
      p.set("peerId", peer.peerId).set("display", peer.display).set("sdp", rooms.isSdpPeer(sessionId));
      if (const RoomRouter* router = room->routerOf(peer)) p.set("worker", static_cast<unsigned long>(router->workerSlot));
      else p.set("worker", Json::adopt(json_null()));
      peers.append(p);
    }
    Json r = Json::object();
    r.set("room", id).set("peerCount", static_cast<unsigned long>(room->peers.size())).set("peers", peers);
    // Who is speaking now (the dashboard marks them): a peer id, or null.
    if (room->speakers.activePeerId.empty()) r.set("activeSpeaker", Json::adopt(json_null()));
    else r.set("activeSpeaker", room->speakers.activePeerId);
    roomList.append(r);
  }
  Json stats = Json::object();
  stats.set("workers", workers).set("distribution", distribution)
      .set("totalRooms", static_cast<unsigned long>(rooms.rooms().size())).set("rooms", roomList);
  if (hosts) stats.set("hosts", hostsJson(*hosts));
  return stats;
}

Json buildWorkers(const WorkerPool& pool, const RoomManager& rooms, const HostRegistry* hosts) {
  std::vector<Json> bySlot = roomsBySlot(pool, rooms);
  Json workers = Json::array();
  for (const auto& slot : pool.slots()) {
    const Worker* worker = slot->worker.get();
    bool live = worker && worker->running();
    Json entry = workerSummary(*slot, bySlot[slot->index]);
    entry.set("rooms", bySlot[slot->index])
        .set("rtcMinPort", slot->ports.min)
        .set("rtcMaxPort", slot->ports.max)
        .set("restarts", slot->restarts)
        .set("rssBytes", static_cast<long long>(live ? worker->rssBytes() : 0))
        .set("uptimeMs", static_cast<long long>(live ? worker->uptimeMs() : 0));
    if (live && !worker->webRtcServerId().empty()) {
      Json server = Json::object();
      server.set("ip", worker->options().listenIp).set("udpPort", slot->ports.min).set("tcpPort", slot->ports.min);
      if (!worker->options().announcedIp.empty()) server.set("announcedIp", worker->options().announcedIp);
      entry.set("webRtcServer", server);
    } else {
      entry.set("webRtcServer", Json::adopt(json_null()));
    }
    if (live) entry.set("lastAnswerMs", static_cast<long long>(worker->sinceLastAnswerMs()));
    else entry.set("lastAnswerMs", Json::adopt(json_null()));
    workers.append(entry);
  }
  Json answer = Json::object();
  answer.set("workers", workers);
  if (hosts) answer.set("hosts", hostsJson(*hosts));
  return answer;
}

}  // namespace msp
