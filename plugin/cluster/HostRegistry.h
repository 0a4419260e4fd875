// This host's membership of the cluster, in Redis. It registers with an epoch from a Redis counter and a lease
// (cluster_lease_ms); a third of a lease later it publishes a ping on its own channel and renews only once
// that ping has come back on its subscriber connection, so a half-open connection lets the lease lapse
// instead of keeping a dead host alive. Renewal is a Lua script that checks the stored epoch: a host that was
// frozen past its lease (or whose Redis restarted empty) is fenced, and registers again with a new epoch, never
// adopting its old entry. Twice a second it reads every live host (reaping expired ones), and says which
// joined and which were lost. Loop thread only.
//
// Keys share the hash tag {hosts} (one slot: the scripts touch one slot only, as Redis Cluster requires):
//   msp:{hosts}:epoch        the epoch counter
//   msp:{hosts}:all          the set of host ids
//   msp:{hosts}:h:<hostId>   a hash {epoch, info} with the lease as its TTL
//   msp:{hosts}:rooms:<hostId>  its rooms: a hash room → peers, with the same TTL
//   msp:{hosts}:ping:<hostId>  the channel of its own pings
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "base/UvHandle.h"
#include "cluster/HostInfo.h"
#include "cluster/RedisClient.h"
#include "config/Config.h"

namespace msp {

// How long a host that stops waits for Redis to take its leave.
constexpr uint64_t kLeaveTimeoutMs = 500;
// How often every host reads the others: a lost host is seen within its lease and this.
constexpr uint64_t kHostRefreshMs = 500;

class HostRegistry {
 public:
  // sample: this host's rooms, peers, workers and CPU, read on the loop whenever it renews.
  using Sample = std::function<HostInfo()>;
  HostRegistry(uv_loop_t* loop, const Settings& settings, Sample sample);
  ~HostRegistry();
  HostRegistry(const HostRegistry&) = delete;
  HostRegistry& operator=(const HostRegistry&) = delete;

  void start();
  // Leaves the cluster at once (its entry deleted: the others see it lost on their next read), then closes.
  void stop();

  const std::string& hostId() const { return hostId_; }
  // What this host publishes changed (it drains): renewed now rather than at the next third of a lease, still
  // only after its ping came back.
  void publishSoon() {
    if (running_ && registered_ && pingNonce_.empty()) ping();
  }
  // 0 while not registered.
  uint64_t epoch() const { return registered_ ? epoch_ : 0; }
  bool registered() const { return registered_; }
  // Loop time of this registration (0 while not registered): since when this host has been in the cluster.
  uint64_t registeredSinceMs() const { return registered_ ? registeredSinceMs_ : 0; }
  // Every live host as last read, this one included (once registered).
  const std::map<std::string, HostInfo>& hosts() const { return hosts_; }

  // Whether a message from that registration of a host must be dropped: the one this host saw lost, while the
  // host is not live again (a frozen host that wakes up still speaks with it until it finds itself fenced).
  bool isFenced(const std::string& hostId, uint64_t epoch) const;
  RedisClient& redis() { return commands_; }
  // Listens on a channel on the subscriber connection (again after every reconnection).
  void subscribe(const std::string& channel, RedisClient::MessageHandler handler) { subscriber_.subscribe(channel, std::move(handler)); }
  // The keys of a host's entry and of its rooms hash ({room: peers}, with the same lease).
  static std::string hostKey(const std::string& hostId) { return "msp:{hosts}:h:" + hostId; }
  static std::string roomsKey(const std::string& hostId) { return "msp:{hosts}:rooms:" + hostId; }
  // Set by the hosts that saw it lost (to its epoch then), for a while: it tells the host, back, that it was.
  static std::string lostKey(const std::string& hostId) { return "msp:{hosts}:lost:" + hostId; }

  // This host registered (again): with a new epoch, whatever it claimed before must be claimed again.
  std::function<void()> onRegistered;
  // This host registered again after the others saw it lost: they have dropped what they shared with it.
  std::function<void()> onIsolated;
  // Another host appeared (or registered again), or was lost (its lease lapsed, or it left).
  std::function<void(const HostInfo& host)> onHostJoined;
  std::function<void(const std::string& hostId)> onHostLost;

 private:
  void registerHost();
  void ping();
  void pingReturned(const std::string& nonce);
  void renew();
  void refresh();
  void fenced(const char* why);
  static std::string newBootId();

  uv_loop_t* loop_;
  std::string hostId_;
  std::string redisHost_;
  uint32_t redisPort_;
  std::string pipeIp_;
  uint64_t leaseMs_;
  Sample sample_;
  RedisClient commands_;
  RedisClient subscriber_;
  bool running_ = false;
  bool registering_ = false;
  bool registered_ = false;
  uint64_t epoch_ = 0;
  uint64_t registeredSinceMs_ = 0;
  std::string bootId_ = newBootId();  // this process's
  uint64_t connectedSinceMs_ = 0;     // loop time its command connection last came up
  uint64_t lastReadMs_ = 0;           // loop time of the last read of every host that Redis answered
  uint64_t answeringAgainMs_ = 0;     // loop time Redis answered again after a silence longer than a lease
  std::map<std::string, uint64_t> expiresAt_;  // another host's lease end, as last read
  std::set<std::string> left_;                 // hosts that said they left
  std::map<std::string, uint64_t> lostAtEpoch_;  // a host this one saw lost → its epoch then
  std::string pingNonce_;      // the ping in flight (empty: none)
  uint64_t pingsSent_ = 0;
  std::map<std::string, HostInfo> hosts_;
  UvHandle<uv_timer_t> leaseTimer_;
  UvHandle<uv_timer_t> refreshTimer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
