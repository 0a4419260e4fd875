// Plugin settings: read from the jcfg (through an interface the shim adapts), overridden by environment
// variables, validated in one place so init fails with one clear line naming the bad setting.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/Cidr.h"

namespace msp {

struct PortRange {
  uint32_t min;
  uint32_t max;
};

struct Settings {
  uint32_t workerCount = 4;
  uint32_t rtcPortBase = 10000;
  uint32_t portsPerWorker = 1000;
  std::string listenIp = "127.0.0.1";
  std::string announcedIp;  // empty: announce listenIp
  std::string statsIp = "127.0.0.1";
  uint32_t statsPort = 3000;  // 0: stats HTTP server off
  std::string whipIp;         // empty: statsIp
  uint32_t whipPort = 0;      // 0: WHIP on the stats server
  std::string workerBin;
  std::string workerLogLevel = "warn";
  uint32_t cpuSampleIntervalMs = 1000;
  double cpuTieTolerance = 0.05;
  bool respawn = true;
  bool webrtcServer = true;          // one WebRtcServer (one UDP + one TCP port) per worker for all its transports
  uint32_t maxPeersPerRouter = 100;  // a room's router takes this many peers, then the room grows a router
  double routerCpuLimit = 0.8;       // nor above this CPU share of its worker (1.0 = one core)
  uint32_t requestTimeoutMs = 5000;
  uint32_t healthIntervalMs = 1000;  // how often each worker is asked a cheap request
  uint32_t healthTimeoutMs = 3000;   // a worker silent this long is killed and handled as dead
  std::string webRoot;  // static files served beside /stats; empty: none
  std::vector<std::string> mediaCodecs;  // names (MediaCodecs.h)
  std::vector<Cidr> plainAllowedRemotes;  // where plain transports may send media; empty: anywhere
  // Access control (empty: off) and limits (0: none), api.md "Access control and limits".
  std::string adminKey;     // `create` (and a `join` that creates) needs it
  std::string tokenSecret;  // `join` needs a token signed HS256 with it
  uint32_t maxTransportsPerPeer = 8;
  uint32_t maxProducersPerPeer = 16;     // media + data
  uint32_t maxConsumersPerPeer = 1000;   // media + data
  uint32_t maxPeersPerRoom = 0;
  uint32_t maxRooms = 0;
  // Each room's audio observers (api.md "Audio levels and active speaker"); a room's `create` may override them.
  bool audioLevels = true;
  uint32_t audioLevelIntervalMs = 1000;
  int audioLevelThreshold = -70;  // dBov
  bool activeSpeaker = true;
  uint32_t activeSpeakerIntervalMs = 300;
  int talkingThreshold = -40;     // dBov: `talking` from here, `stoppedTalking` 10 dB below
  // Several hosts on one Redis (api.md "Several hosts"); off while clusterRedisHost is empty.
  std::string clusterRedisHost;   // from cluster_redis = "redis://host:port"
  uint32_t clusterRedisPort = 6379;
  std::string clusterRedisUser, clusterRedisPassword;  // from the URL's user:password@ (never logged)
  std::string hostId;             // this host's name in the cluster (default hostname:stats_port)
  std::string clusterPipeIp;      // where the other hosts reach this host's pipe transports
  uint32_t clusterLeaseMs = 6000; // a host silent this long is gone for the others
  bool clustered() const { return !clusterRedisHost.empty(); }

  PortRange portRangeOf(uint32_t workerIndex) const {
    uint32_t min = rtcPortBase + workerIndex * portsPerWorker;
    return {min, min + portsPerWorker - 1};
  }
};

// A setting as written in janus.plugin.mediasoup.jcfg, category "general".
using ConfigLookup = std::function<std::optional<std::string>(const std::string& name)>;
// An environment variable.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct SettingsError {
  std::string message;
};

// defaultWorkerBin: the installed worker binary (used when neither the jcfg nor the env names one).
std::variant<Settings, SettingsError> loadSettings(const ConfigLookup& config, const EnvLookup& env,
                                                   const std::string& defaultWorkerBin);

EnvLookup processEnv();

// "redis://[[user]:password@]host[:port]" (port 6379 when absent; host an IPv4/IPv6 address or a name; user and
// password percent-decoded), or nullopt.
struct RedisEndpoint {
  std::string host;
  uint32_t port = 6379;
  std::string user;      // empty: Redis's default user (AUTH with the password alone)
  std::string password;  // empty: no AUTH
};
std::optional<RedisEndpoint> parseRedisUrl(const std::string& url);

}  // namespace msp
