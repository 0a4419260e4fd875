// What a host of the cluster publishes about itself in Redis, and what changed between two views of the
// cluster. Pure functions: the registry (HostRegistry) does the Redis side.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace msp {

struct HostInfo {
  std::string hostId;
  uint64_t epoch = 0;     // from Redis's counter at its registration: a re-registered host has a new one
  std::string bootId;     // its process's: a host that restarted has a new one (its earlier state is gone)
  std::string pipeIp;     // where its pipe transports listen
  uint32_t rooms = 0;
  uint32_t peers = 0;
  uint32_t workers = 0;   // live
  double cpuUsage = 0;    // its workers' summed share of a core
  uint64_t leaseMs = 0;   // what is left of its lease when read (not encoded: Redis keeps the time)
  bool draining = false;  // Admin drainHost: it takes no new peers
  // Its rooms and their peers (not in the JSON: a hash of its own beside it, with the same lease).
  std::map<std::string, uint32_t> roomPeers;
};

// The rooms of a host as the JSON object the registry's scripts store ({"room": peers, …}).
std::string encodeRoomPeers(const std::map<std::string, uint32_t>& roomPeers);

// The JSON stored in Redis (host id and epoch are stored beside it).
std::string encodeHostInfo(const HostInfo& info);
// Another host's JSON, checked: nullopt for anything malformed (another host's bytes must not crash us).
std::optional<HostInfo> decodeHostInfo(const std::string& hostId, uint64_t epoch, const std::string& json);

// Where a peer that a draining host turns away should go: the live host, other than `self`, that takes peers
// and has the fewest (then the least CPU, then the lowest id, so every host names the same one). Empty: none.
std::string hostTakingPeers(const std::map<std::string, HostInfo>& hosts, const std::string& self);

struct HostChanges {
  std::vector<std::string> joined;  // new, or restarted (a new boot id: its earlier state is gone)
  std::vector<std::string> lost;    // gone, or restarted; a host that only registered again (a new epoch, Redis
                                    // restarted or it was fenced) is neither: what it had goes on
};
HostChanges diffHosts(const std::map<std::string, HostInfo>& before, const std::map<std::string, HostInfo>& after);

}  // namespace msp
