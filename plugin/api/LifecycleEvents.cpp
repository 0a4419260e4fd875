#include "api/LifecycleEvents.h"

namespace msp {

void LifecycleEvents::watch(RoomManager& rooms, WorkerPool& pool) {
  rooms.observe([this](const RoomEvent& event) { report(toString(event.kind), event); });
  pool.onWorkerEvent = [this](const WorkerEvent& event) {
    report(event.kind == WorkerEvent::Kind::Started ? "workerStarted" : "workerDied", event);
  };
}

void LifecycleEvents::watch(HostRegistry& hosts) {
  auto report = [this](const char* name, const std::string& hostId) {
    ++counts_[name];
    if (!notify_ || !enabled_ || !enabled_()) return;
    Json json = Json::object();
    json.set("event", name).set("hostId", hostId);
    notify_(json);
  };
  hosts.onHostJoined = [report](const HostInfo& host) { report("hostJoined", host.hostId); };
  hosts.onHostLost = [report](const std::string& hostId) { report("hostLost", hostId); };
}

template <typename Event>
void LifecycleEvents::report(const char* name, const Event& event) {
  ++counts_[name];
  if (notify_ && enabled_ && enabled_()) notify_(toJson(event));
}

Json LifecycleEvents::toJson(const RoomEvent& e) {
  Json json = Json::object();
  json.set("event", toString(e.kind)).set("room", e.room);
  if (!e.peerId.empty()) json.set("peerId", e.peerId);
  if (e.kind == RoomEvent::Kind::PeerJoined) json.set("display", e.display);
  if (e.worker) json.set("worker", static_cast<unsigned long>(*e.worker));
  if (e.autoCreated) json.set("autoCreated", true);
  if (!e.producerId.empty()) json.set("producerId", e.producerId);
  if (!e.mediaKind.empty()) json.set("kind", e.mediaKind);
  if (!e.reason.empty()) json.set("reason", e.reason);
  return json;
}

Json LifecycleEvents::toJson(const WorkerEvent& e) {
  Json json = Json::object();
  bool started = e.kind == WorkerEvent::Kind::Started;
  json.set("event", started ? "workerStarted" : "workerDied").set("workerId", static_cast<unsigned long>(e.workerId))
      .set("pid", static_cast<long long>(e.pid));
  if (started) json.set("restarts", e.restarts);
  else json.set("reason", e.reason);
  return json;
}

}  // namespace msp
