#include "cluster/HostRegistry.h"

#include <algorithm>

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "base/Ids.h"
#include "base/Log.h"

namespace msp {
namespace {

const char* kEpochKey = "msp:{hosts}:epoch";
const char* kHostsKey = "msp:{hosts}:all";
const char* kHostPrefix = "msp:{hosts}:h:";

// Writes a host's rooms hash ({room: peers} as JSON) with the lease. KEYS[r]: the hash. Shared by both scripts.
#define MSP_WRITE_ROOMS(r, roomsArg, leaseArg) \
  "redis.call('DEL', KEYS[" #r "])\n" \
  "for room, peers in pairs(cjson.decode(ARGV[" #roomsArg "])) do redis.call('HSET', KEYS[" #r "], room, peers) end\n" \
  "if redis.call('EXISTS', KEYS[" #r "]) == 1 then redis.call('PEXPIRE', KEYS[" #r "], ARGV[" #leaseArg "]) end\n"

// KEYS: host key, hosts set, rooms hash. ARGV: host id, epoch, info, lease ms, rooms.
const char* kRegisterScript =
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'info', ARGV[3])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[4])\n"
    "redis.call('SADD', KEYS[2], ARGV[1])\n"
    MSP_WRITE_ROOMS(3, 5, 4)
    "return 1";

// KEYS: host key, rooms hash. ARGV: epoch, info, lease ms, rooms. 0: fenced (the entry is gone or another
// registration's).
const char* kRenewScript =
    "if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'info', ARGV[2])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    MSP_WRITE_ROOMS(2, 4, 3)
    "return 1";

// KEYS: hosts set. ARGV: host key prefix. [[id, epoch, info, pttl], …] (pttl -1: it left); entries whose lease
// lapsed are reaped.
const char* kListScript = R"(
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. id
  local entry = redis.call('HMGET', key, 'epoch', 'info', 'left')
  local ttl = redis.call('PTTL', key)
  if entry[1] and entry[2] and ttl > 0 then
    if entry[3] then ttl = -1 end
    table.insert(out, {id, entry[1], entry[2], ttl})
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out)";

// KEYS: host key, hosts set, rooms hash. ARGV: host id, epoch. Only its own registration: marked as left for a
// few seconds (the others see it leave at once, not when its lease would have lapsed), its rooms gone.
const char* kLeaveScript = R"(
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'left', '1')
  redis.call('PEXPIRE', KEYS[1], 5000)
  redis.call('DEL', KEYS[3])
end
return 1)";

}  // namespace

HostRegistry::HostRegistry(uv_loop_t* loop, const Settings& settings, Sample sample)
    : loop_(loop), hostId_(settings.hostId), redisHost_(settings.clusterRedisHost), redisPort_(settings.clusterRedisPort), pipeIp_(settings.clusterPipeIp), leaseMs_(settings.clusterLeaseMs),
      sample_(std::move(sample)),
      commands_(loop, settings.clusterRedisHost, settings.clusterRedisPort, "commands", settings.clusterRedisUser, settings.clusterRedisPassword),
      subscriber_(loop, settings.clusterRedisHost, settings.clusterRedisPort, "subscriber", settings.clusterRedisUser,
                  settings.clusterRedisPassword) {
  leaseTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  refreshTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
}

HostRegistry::~HostRegistry() {
  running_ = false;
  commands_.stop();
  subscriber_.stop();
}

void HostRegistry::start() {
  running_ = true;
  commands_.onUp = [this] {
    connectedSinceMs_ = uv_now(loop_);
    registerHost();
  };
  commands_.onDown = [this] { fenced("the Redis connection dropped"); };
  subscriber_.onUp = [this] {
    if (!registered_) registerHost();
  };
  subscriber_.subscribe("msp:{hosts}:ping:" + hostId_, [this](const std::string&, const std::string& nonce) { pingReturned(nonce); });
  commands_.start();
  subscriber_.start();
  uv_timer_start(leaseTimer_.get(), [](uv_timer_t* t) { static_cast<HostRegistry*>(t->data)->ping(); }, leaseMs_ / 3, leaseMs_ / 3);
  uv_timer_start(refreshTimer_.get(), [](uv_timer_t* t) { static_cast<HostRegistry*>(t->data)->refresh(); }, kHostRefreshMs, kHostRefreshMs);
}

void HostRegistry::stop() {
  if (!running_) return;
  running_ = false;
  uv_timer_stop(leaseTimer_.get());
  uv_timer_stop(refreshTimer_.get());
  subscriber_.stop();
  if (registered_) {
    // On a connection of its own, waited for (at most kLeaveTimeoutMs, once, at shutdown): the loop may stop
    // before it would have written it on the async one, and the others would wait out the lease.
    std::vector<std::string> args = {"EVAL", kLeaveScript, "3", hostKey(hostId_), kHostsKey, roomsKey(hostId_), hostId_, std::to_string(epoch_)};
    timeval timeout{0, static_cast<suseconds_t>(kLeaveTimeoutMs * 1000)};
    if (redisContext* context = redisConnectWithTimeout(redisHost_.c_str(), static_cast<int>(redisPort_), timeout)) {
      if (!context->err) {
        redisSetTimeout(context, timeout);
        auto run = [context](const std::vector<std::string>& command) {
          RedisArgv words(command);
          if (void* reply = redisCommandArgv(context, words.count(), words.argv.data(), words.lengths.data())) freeReplyObject(reply);
        };
        if (auto auth = commands_.authCommand(); !auth.empty()) run(auth);
        run(args);
      }
      redisFree(context);
    }
    MSP_INFO("cluster: host %s left the cluster", hostId_.c_str());
  }
  registered_ = false;
}

void HostRegistry::fenced(const char* why) {
  if (registered_) MSP_WARN("cluster: host %s no longer registered (%s)", hostId_.c_str(), why);
  registered_ = false;
  pingNonce_.clear();
}

// Only with both connections up: a host the others see can be reached on its inbox.
void HostRegistry::registerHost() {
  if (!running_ || registering_ || !commands_.connected() || !subscriber_.connected()) return;
  registering_ = true;
  std::weak_ptr<char> alive = alive_;
  commands_.command({"INCR", kEpochKey}, [this, alive](const RedisReply* reply, const Failure& failure) {
    if (alive.expired()) return;
    if (!reply || reply->type != RedisReply::Type::Integer) {
      registering_ = false;
      return;  // the next lease tick tries again
    }
    uint64_t epoch = static_cast<uint64_t>(reply->integer);
    HostInfo info = sample_();
    info.pipeIp = pipeIp_;
    info.bootId = bootId_;
    commands_.command({"EVAL", kRegisterScript, "3", hostKey(hostId_), kHostsKey, roomsKey(hostId_), hostId_, std::to_string(epoch),
                       encodeHostInfo(info), std::to_string(leaseMs_), encodeRoomPeers(info.roomPeers)},
                      [this, alive, epoch](const RedisReply* reply, const Failure&) {
      if (alive.expired()) return;
      registering_ = false;
      if (!reply || reply->isError()) {
        MSP_WARN("cluster: registering host %s failed: %s", hostId_.c_str(), reply ? reply->text.c_str() : "no answer");
        return;
      }
      uint64_t previous = epoch_;
      epoch_ = epoch;
      registered_ = running_;
      registeredSinceMs_ = std::max<uint64_t>(uv_now(loop_), 1);
      // Registered again: if another host saw this one lost meanwhile (frozen, or cut off from Redis while the
      // others were not), they have closed what they shared with it, so this one drops its side too. Redis
      // restarting empty, or down for everyone, is not that: what the hosts share goes on.
      if (previous != 0) {
        commands_.command({"GETDEL", lostKey(hostId_)}, [this, alive, previous](const RedisReply* reply, const Failure&) {
          if (alive.expired() || !reply || reply->type != RedisReply::Type::String || reply->text != std::to_string(previous)) return;
          MSP_WARN("cluster: host %s was seen lost by the others: what it shared with them is dropped", hostId_.c_str());
          if (onIsolated) onIsolated();
        });
      }
      MSP_INFO("cluster: host %s registered (epoch %llu, lease %llu ms)", hostId_.c_str(), static_cast<unsigned long long>(epoch),
               static_cast<unsigned long long>(leaseMs_));
      refresh();
      if (registered_ && onRegistered) onRegistered();
    });
  });
}

// A third of a lease: the ping goes out on the command connection; the renewal waits for it to come back.
void HostRegistry::ping() {
  if (!running_) return;
  if (!registered_) return registerHost();
  if (!pingNonce_.empty()) {
    // The last ping never came back: one of the connections is half-open. Both start again (the lease lapses
    // meanwhile unless they come back in time).
    MSP_WARN("cluster: host %s: its ping did not come back through Redis; reconnecting", hostId_.c_str());
    pingNonce_.clear();
    subscriber_.reconnect();
    commands_.reconnect();
    return;
  }
  pingNonce_ = std::to_string(epoch_) + "-" + std::to_string(++pingsSent_);
  commands_.command({"PUBLISH", "msp:{hosts}:ping:" + hostId_, pingNonce_}, [](const RedisReply*, const Failure&) {});
}

void HostRegistry::pingReturned(const std::string& nonce) {
  if (nonce != pingNonce_ || nonce.empty()) return;
  pingNonce_.clear();
  renew();
}

void HostRegistry::renew() {
  if (!registered_) return;
  HostInfo info = sample_();
  info.pipeIp = pipeIp_;
  info.bootId = bootId_;
  std::weak_ptr<char> alive = alive_;
  uint64_t epoch = epoch_;
  commands_.command({"EVAL", kRenewScript, "2", hostKey(hostId_), roomsKey(hostId_), std::to_string(epoch), encodeHostInfo(info),
                     std::to_string(leaseMs_), encodeRoomPeers(info.roomPeers)},
                    [this, alive, epoch](const RedisReply* reply, const Failure&) {
    if (alive.expired() || !reply || epoch != epoch_) return;
    if (reply->type == RedisReply::Type::Integer && reply->integer == 0) {
      fenced("its lease lapsed or Redis lost it: it registers again with a new epoch");
      registerHost();
    }
  });
}

bool HostRegistry::isFenced(const std::string& hostId, uint64_t epoch) const {
  // Only the registration seen lost, and only while its host is not live again (an exact match: a Redis that
  // restarted empty counts epochs from 1 again). Anything else is let through: this host's view of the others'
  // epochs lags a read behind, and a lagging fence would drop a live host's words.
  if (hosts_.count(hostId)) return false;
  auto lost = lostAtEpoch_.find(hostId);
  return lost != lostAtEpoch_.end() && lost->second == epoch;
}

std::string HostRegistry::newBootId() { return newUuid().substr(0, 13); }

void HostRegistry::refresh() {
  if (!running_ || !commands_.connected()) return;
  std::weak_ptr<char> alive = alive_;
  commands_.command({"EVAL", kListScript, "1", kHostsKey, kHostPrefix}, [this, alive](const RedisReply* reply, const Failure&) {
    if (alive.expired() || !running_ || !reply || reply->type != RedisReply::Type::Array) return;
    std::map<std::string, HostInfo> now;
    for (const auto& entry : reply->elements) {
      if (entry.type != RedisReply::Type::Array || entry.elements.size() != 4) continue;
      const auto& id = entry.elements[0];
      const auto& epoch = entry.elements[1];
      const auto& info = entry.elements[2];
      const auto& ttl = entry.elements[3];
      if (id.type != RedisReply::Type::String || epoch.type != RedisReply::Type::String || info.type != RedisReply::Type::String ||
          ttl.type != RedisReply::Type::Integer) continue;
      char* end = nullptr;
      uint64_t epochValue = std::strtoull(epoch.text.c_str(), &end, 10);
      if (*end != '\0') continue;
      auto decoded = decodeHostInfo(id.text, epochValue, info.text);
      if (!decoded) {
        MSP_WARN("cluster: host %s published an entry this host cannot read; ignored", id.text.c_str());
        continue;
      }
      if (ttl.integer < 0) continue;  // it left: gone at once
      decoded->leaseMs = static_cast<uint64_t>(ttl.integer);
      now[id.text] = *decoded;
      expiresAt_[id.text] = uv_now(loop_) + decoded->leaseMs;
      left_.erase(id.text);
    }
    for (const auto& entry : reply->elements) {
      if (entry.type == RedisReply::Type::Array && entry.elements.size() == 4 && entry.elements[3].integer < 0) left_.insert(entry.elements[0].text);
    }
    // A host gone from Redis before its lease would have lapsed (Redis restarted empty) is kept until then:
    // it registers again meanwhile, and what it shares with this one goes on.
    uint64_t nowMs = uv_now(loop_);
    // Redis that answers again after a silence longer than a lease (unreachable, or frozen with every
    // connection up): every lease lapsed meanwhile, nobody's fault. Each host gets a whole lease from now to
    // register again, as after this host's own connection came back.
    if (lastReadMs_ != 0 && nowMs - lastReadMs_ > leaseMs_) answeringAgainMs_ = nowMs;
    lastReadMs_ = nowMs;
    for (const auto& [id, info] : hosts_) {
      if (id == hostId_ || now.count(id) || left_.count(id)) continue;
      auto expires = expiresAt_.find(id);
      uint64_t until = std::max({expires != expiresAt_.end() ? expires->second : 0, connectedSinceMs_ + leaseMs_,
                                 answeringAgainMs_ + leaseMs_});
      if (nowMs < until) {
        HostInfo kept = info;
        kept.leaseMs = until - nowMs;
        now[id] = kept;
      }
    }
    // Our own entry gone (Redis restarted empty, or our lease lapsed unseen): register again.
    auto own = now.find(hostId_);
    if (registered_ && (own == now.end() || own->second.epoch != epoch_)) {
      fenced("its entry is gone from Redis");
      registerHost();
    }
    HostChanges changes = diffHosts(hosts_, now);
    std::map<std::string, HostInfo> before = std::move(hosts_);
    hosts_ = std::move(now);
    for (auto it = expiresAt_.begin(); it != expiresAt_.end();) it = hosts_.count(it->first) ? std::next(it) : expiresAt_.erase(it);
    for (auto it = left_.begin(); it != left_.end();) it = hosts_.count(*it) ? std::next(it) : left_.erase(it);
    for (const auto& [id, info] : hosts_) lostAtEpoch_.erase(id);
    for (const auto& id : changes.lost) {
      if (id == hostId_) continue;
      MSP_INFO("cluster: host %s lost", id.c_str());
      if (before.count(id)) lostAtEpoch_[id] = before.at(id).epoch;
      // Said in Redis, so that the host, should it come back, knows the others dropped it.
      commands_.command({"SET", lostKey(id), std::to_string(before.count(id) ? before.at(id).epoch : 0), "PX", std::to_string(10 * leaseMs_)},
                        [](const RedisReply*, const Failure&) {});
      if (onHostLost) onHostLost(id);
    }
    for (const auto& id : changes.joined) {
      if (id == hostId_) continue;
      MSP_INFO("cluster: host %s joined", id.c_str());
      if (onHostJoined) onHostJoined(hosts_.at(id));
    }
  });
}

}  // namespace msp
