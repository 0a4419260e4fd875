#include "cluster/HostInfo.h"

#include "base/Json.h"

namespace msp {
namespace {

constexpr size_t kMaxHostInfoBytes = 4096;

std::optional<uint32_t> count(json_t* object, const char* key) {
  json_t* value = json_object_get(object, key);
  if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 100000000) return std::nullopt;
  return static_cast<uint32_t>(json_integer_value(value));
}

}  // namespace

std::string encodeHostInfo(const HostInfo& info) {
  Json json = Json::object();
  json.set("pipeIp", info.pipeIp).set("bootId", info.bootId).set("rooms", info.rooms).set("peers", info.peers).set("workers", info.workers)
      .set("cpuUsage", info.cpuUsage).set("draining", info.draining);
  return json.dump();
}

std::string encodeRoomPeers(const std::map<std::string, uint32_t>& roomPeers) {
  Json json = Json::object();
  for (const auto& [room, peers] : roomPeers) json.set(room.c_str(), peers);
  return json.dump();
}

std::optional<HostInfo> decodeHostInfo(const std::string& hostId, uint64_t epoch, const std::string& text) {
  if (text.size() > kMaxHostInfoBytes) return std::nullopt;
  Json json = Json::parse(text);
  if (!json || !json_is_object(json.get())) return std::nullopt;
  HostInfo info;
  info.hostId = hostId;
  info.epoch = epoch;
  auto pipeIp = json.string("pipeIp");
  auto bootId = json.string("bootId");
  auto rooms = count(json.get(), "rooms"), peers = count(json.get(), "peers"), workers = count(json.get(), "workers");
  json_t* cpu = json_object_get(json.get(), "cpuUsage");
  if (!pipeIp || pipeIp->size() > 64 || !bootId || bootId->empty() || bootId->size() > 64 || !rooms || !peers || !workers || !json_is_number(cpu)) return std::nullopt;
  info.pipeIp = *pipeIp;
  info.bootId = *bootId;
  info.rooms = *rooms;
  info.peers = *peers;
  info.workers = *workers;
  info.cpuUsage = json_number_value(cpu);
  json_t* draining = json_object_get(json.get(), "draining");  // absent from hosts that predate draining
  if (draining && !json_is_boolean(draining)) return std::nullopt;
  info.draining = json_is_true(draining);
  return info;
}

std::string hostTakingPeers(const std::map<std::string, HostInfo>& hosts, const std::string& self) {
  const std::pair<const std::string, HostInfo>* best = nullptr;
  for (const auto& entry : hosts) {
    const HostInfo& host = entry.second;
    if (entry.first == self || host.draining || host.workers == 0) continue;
    // The map is ordered by id: a tie keeps the lower one.
    if (!best || host.peers < best->second.peers ||
        (host.peers == best->second.peers && host.cpuUsage < best->second.cpuUsage)) {
      best = &entry;
    }
  }
  return best ? best->first : std::string();
}

HostChanges diffHosts(const std::map<std::string, HostInfo>& before, const std::map<std::string, HostInfo>& after) {
  HostChanges changes;
  for (const auto& [id, info] : before) {
    auto now = after.find(id);
    if (now == after.end() || now->second.bootId != info.bootId) changes.lost.push_back(id);
  }
  for (const auto& [id, info] : after) {
    auto was = before.find(id);
    if (was == before.end() || was->second.bootId != info.bootId) changes.joined.push_back(id);
  }
  return changes;
}

}  // namespace msp
