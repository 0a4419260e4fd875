#include "config/Config.h"

#include <cctype>

#include "ortc/MediaCodecs.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace msp {
namespace {

constexpr uint32_t kMaxPort = 65535;

class Reader {
 public:
  Reader(const ConfigLookup& config, const EnvLookup& env) : config_(config), env_(env) {}

  // The env variable (when named and set) wins over the jcfg value.
  std::optional<std::pair<std::string, std::string>> raw(const char* name, const char* envName) {
    if (envName) {
      if (auto value = env_(envName); value && !value->empty()) return std::make_pair(*value, std::string(envName));
    }
    if (auto value = config_(name)) return std::make_pair(*value, std::string(name));
    return std::nullopt;
  }

  template <typename T>
  bool integer(const char* name, const char* envName, long long min, long long max, T& out) {
    auto value = raw(name, envName);
    if (!value) return true;
    const std::string& text = value->first;
    char* end = nullptr;
    errno = 0;
    long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno || parsed < min || parsed > max) {
      error = "invalid setting " + value->second + " = \"" + text + "\": expected an integer from " +
              std::to_string(min) + " to " + std::to_string(max);
      return false;
    }
    out = static_cast<T>(parsed);
    return true;
  }

  bool real(const char* name, double min, double max, double& out) {
    auto value = raw(name, nullptr);
    if (!value) return true;
    char* end = nullptr;
    double parsed = std::strtod(value->first.c_str(), &end);
    if (value->first.empty() || *end != '\0' || !(parsed >= min && parsed <= max)) {
      error = "invalid setting " + value->second + " = \"" + value->first + "\": expected a number from " +
              std::to_string(min) + " to " + std::to_string(max);
      return false;
    }
    out = parsed;
    return true;
  }

  bool boolean(const char* name, bool& out) {
    auto value = raw(name, nullptr);
    if (!value) return true;
    const std::string& v = value->first;
    if (v == "true" || v == "yes" || v == "1") out = true;
    else if (v == "false" || v == "no" || v == "0") out = false;
    else {
      error = "invalid setting " + value->second + " = \"" + v + "\": expected true or false";
      return false;
    }
    return true;
  }

  bool ip(const char* name, const char* envName, bool optional, std::string& out) {
    auto value = raw(name, envName);
    if (!value) return true;
    unsigned char buffer[sizeof(struct in6_addr)];
    if (optional && value->first.empty()) return true;
    if (inet_pton(AF_INET, value->first.c_str(), buffer) != 1 &&
        inet_pton(AF_INET6, value->first.c_str(), buffer) != 1) {
      error = "invalid setting " + value->second + " = \"" + value->first + "\": expected an IPv4 or IPv6 address";
      return false;
    }
    out = value->first;
    return true;
  }

  bool text(const char* name, const char* envName, std::string& out) {
    if (auto value = raw(name, envName)) out = value->first;
    return true;
  }

  std::string error;

 private:
  const ConfigLookup& config_;
  const EnvLookup& env_;
};

}  // namespace

std::variant<Settings, SettingsError> loadSettings(const ConfigLookup& config, const EnvLookup& env,
                                                   const std::string& defaultWorkerBin) {
  Settings s;
  s.workerBin = defaultWorkerBin;
  Reader r(config, env);
  bool ok = r.integer("workers", "MEDIASOUP_WORKER_COUNT", 1, 1024, s.workerCount) &&
            r.integer("rtc_port_base", nullptr, 1024, kMaxPort, s.rtcPortBase) &&
            r.integer("ports_per_worker", nullptr, 2, kMaxPort, s.portsPerWorker) &&
            r.ip("listen_ip", "WEBRTC_LISTEN_IP", false, s.listenIp) &&
            r.ip("announced_ip", "ANNOUNCED_IP", true, s.announcedIp) &&
            r.ip("stats_ip", nullptr, false, s.statsIp) &&
            r.integer("stats_port", "PORT", 0, kMaxPort, s.statsPort) &&
            r.ip("whip_ip", nullptr, true, s.whipIp) &&
            r.integer("whip_port", nullptr, 0, kMaxPort, s.whipPort) &&
            r.text("worker_bin", "MEDIASOUP_WORKER_BIN", s.workerBin) &&
            r.text("worker_log_level", nullptr, s.workerLogLevel) &&
            r.integer("cpu_sample_interval_ms", nullptr, 100, 1000, s.cpuSampleIntervalMs) &&
            r.real("cpu_tie_tolerance", 0.0, 1.0, s.cpuTieTolerance) &&
            r.boolean("respawn", s.respawn) &&
            r.boolean("webrtc_server", s.webrtcServer) &&
            r.integer("max_peers_per_router", nullptr, 0, 1000000, s.maxPeersPerRouter) &&
            r.real("router_cpu_limit", 0.01, 64.0, s.routerCpuLimit) &&
            r.integer("request_timeout_ms", nullptr, 100, 60000, s.requestTimeoutMs) &&
            r.integer("health_interval_ms", nullptr, 100, 60000, s.healthIntervalMs) &&
            r.integer("health_timeout_ms", nullptr, 200, 600000, s.healthTimeoutMs) &&
            r.text("web_root", nullptr, s.webRoot) &&
            r.text("admin_key", "MEDIASOUP_ADMIN_KEY", s.adminKey) &&
            r.text("token_secret", "MEDIASOUP_TOKEN_SECRET", s.tokenSecret) &&
            r.integer("max_transports_per_peer", nullptr, 0, 1000000, s.maxTransportsPerPeer) &&
            r.integer("max_producers_per_peer", nullptr, 0, 1000000, s.maxProducersPerPeer) &&
            r.integer("max_consumers_per_peer", nullptr, 0, 1000000, s.maxConsumersPerPeer) &&
            r.integer("max_peers_per_room", nullptr, 0, 1000000, s.maxPeersPerRoom) &&
            r.integer("max_rooms", nullptr, 0, 10000000, s.maxRooms) &&
            r.boolean("audio_levels", s.audioLevels) &&
            r.integer("audio_level_interval_ms", nullptr, 250, 5000, s.audioLevelIntervalMs) &&
            r.integer("audio_level_threshold", nullptr, -127, 0, s.audioLevelThreshold) &&
            r.boolean("active_speaker", s.activeSpeaker) &&
            r.integer("active_speaker_interval_ms", nullptr, 100, 5000, s.activeSpeakerIntervalMs) &&
            r.integer("talking_threshold", nullptr, -127, 0, s.talkingThreshold);
  if (!ok) return SettingsError{r.error};

  // List settings: parse names the first bad entry, which the error quotes with `why`.
  auto list = [&r](const char* name, std::string text, auto parse, const char* why, auto& out) -> std::optional<SettingsError> {
    std::string bad;
    r.text(name, nullptr, text);
    auto parsed = parse(text, bad);
    if (!parsed) return SettingsError{std::string("invalid setting ") + name + " = \"" + text + "\": \"" + bad + "\" " + why};
    out = *parsed;
    return std::nullopt;
  };
  if (auto error = list("media_codecs", kDefaultMediaCodecs, parseMediaCodecNames,
                        "is not a codec (known: opus, PCMU, PCMA, G722, VP8, VP9, H264)", s.mediaCodecs)) {
    return *error;
  }
  if (auto error = list("plain_allowed_remotes", "", parseCidrList,
                        "is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1/128)", s.plainAllowedRemotes)) {
    return *error;
  }

  std::string redisUrl;
  r.text("cluster_redis", "MEDIASOUP_CLUSTER_REDIS", redisUrl);
  if (!redisUrl.empty()) {
    auto parsed = parseRedisUrl(redisUrl);
    if (!parsed) {
      // Not echoed when it may hold a password.
      std::string shown = redisUrl.find('@') == std::string::npos ? " = \"" + redisUrl + "\"" : "";
      return SettingsError{"invalid setting cluster_redis" + shown + ": expected redis://[[user]:password@]host[:port]"};
    }
    s.clusterRedisHost = parsed->host;
    s.clusterRedisPort = parsed->port;
    s.clusterRedisUser = parsed->user;
    s.clusterRedisPassword = parsed->password;
    bool ok = r.text("host_id", "MEDIASOUP_HOST_ID", s.hostId) && r.ip("cluster_pipe_ip", nullptr, true, s.clusterPipeIp) &&
              r.integer("cluster_lease_ms", nullptr, 1000, 600000, s.clusterLeaseMs);
    if (!ok) return SettingsError{r.error};
    if (s.clusterPipeIp.empty()) return SettingsError{"invalid setting cluster_pipe_ip: required with cluster_redis (the address other hosts reach this host's pipe transports on)"};
    if (s.hostId.empty()) {
      char name[256] = {};
      gethostname(name, sizeof name - 1);
      s.hostId = std::string(name) + ":" + std::to_string(s.statsPort);
    }
    // It names Redis keys and channels: printable, no spaces or braces (the keys' hash tags use braces).
    bool printable = s.hostId.size() <= 128 && std::all_of(s.hostId.begin(), s.hostId.end(), [](unsigned char c) {
      return c > 0x20 && c < 0x7f && c != '{' && c != '}';
    });
    if (!printable) return SettingsError{"invalid setting host_id = \"" + s.hostId + "\": up to 128 printable characters, no spaces or braces"};
  }

  uint64_t lastPort = uint64_t{s.rtcPortBase} + uint64_t{s.workerCount} * s.portsPerWorker - 1;
  if (lastPort > kMaxPort) {
    return SettingsError{"invalid setting workers = " + std::to_string(s.workerCount) + ": " +
                         std::to_string(s.workerCount) + " workers of " + std::to_string(s.portsPerWorker) +
                         " ports from " + std::to_string(s.rtcPortBase) + " need ports up to " +
                         std::to_string(lastPort) + ", above 65535"};
  }
  if (s.workerLogLevel != "debug" && s.workerLogLevel != "warn" && s.workerLogLevel != "error" &&
      s.workerLogLevel != "none") {
    return SettingsError{"invalid setting worker_log_level = \"" + s.workerLogLevel +
                         "\": expected debug, warn, error or none"};
  }
  if (s.healthTimeoutMs <= s.healthIntervalMs) {
    return SettingsError{"invalid setting health_timeout_ms = " + std::to_string(s.healthTimeoutMs) +
                         ": must be longer than health_interval_ms (" + std::to_string(s.healthIntervalMs) + ")"};
  }
  // An HMAC key much shorter than its 32-byte output is guessable offline from any one token.
  if (!s.tokenSecret.empty() && s.tokenSecret.size() < 16) {
    return SettingsError{"invalid setting token_secret (MEDIASOUP_TOKEN_SECRET): at least 16 bytes (32 random bytes recommended)"};
  }
  if (s.workerBin.empty() || access(s.workerBin.c_str(), X_OK) != 0) {
    return SettingsError{"invalid setting worker_bin (MEDIASOUP_WORKER_BIN) = \"" + s.workerBin +
                         "\": no executable mediasoup worker there"};
  }
  return s;
}

namespace {

// %XX escapes (a password may hold ':' or '@'); nullopt for a malformed one.
std::optional<std::string> percentDecoded(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<RedisEndpoint> parseRedisUrl(const std::string& url) {
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  RedisEndpoint endpoint;
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = credentials.find(':');
    if (colon == std::string::npos) return std::nullopt;  // a user without a password means nothing to AUTH
    auto user = percentDecoded(credentials.substr(0, colon)), password = percentDecoded(credentials.substr(colon + 1));
    if (!user || !password || password->empty()) return std::nullopt;
    endpoint.user = *user;
    endpoint.password = *password;
  }
  std::string host = rest, port;
  if (!rest.empty() && rest[0] == '[') {  // [v6]:port
    size_t close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return std::nullopt;
      port = rest.substr(close + 2);
    }
  } else if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of("/@ ") != std::string::npos) return std::nullopt;
  if (!port.empty()) {
    char* end = nullptr;
    long value = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || value < 1 || value > 65535) return std::nullopt;
    endpoint.port = static_cast<uint32_t>(value);
  }
  endpoint.host = host;
  return endpoint;
}

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace msp
