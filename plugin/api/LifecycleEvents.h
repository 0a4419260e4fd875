// What Core reports of the rooms and the pool to those who watch from outside: Janus's event handlers get
// lifecycle events ({"event":"peerJoined","room":…}, api.md "Event handlers"), built only while a handler is
// on, and /metrics counts every event. Subscribed once to the rooms and the pool; loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "base/Json.h"
#include "pool/WorkerPool.h"
#include "rooms/RoomEvents.h"
#include "cluster/HostRegistry.h"
#include "rooms/RoomManager.h"

namespace msp {

class LifecycleEvents {
 public:
  // enabled: whether any event handler is on now (it can change at runtime); notify: hands one event to them.
  LifecycleEvents(std::function<bool()> enabled, std::function<void(Json event)> notify)
      : enabled_(std::move(enabled)), notify_(std::move(notify)) {}

  void watch(RoomManager& rooms, WorkerPool& pool);
  // hostJoined / hostLost (hostId) of the cluster.
  void watch(HostRegistry& hosts);
  // Events seen since the start, by name: the metrics' counters.
  const std::map<std::string, uint64_t>& counts() const { return counts_; }

  static Json toJson(const RoomEvent& event);
  static Json toJson(const WorkerEvent& event);

 private:
  template <typename Event>
  void report(const char* name, const Event& event);

  std::function<bool()> enabled_;
  std::function<void(Json)> notify_;
  std::map<std::string, uint64_t> counts_;
};

}  // namespace msp
