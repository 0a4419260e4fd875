#include "rooms/Failover.h"

#include <algorithm>
#include <vector>

#include "base/Log.h"
#include "base/LoopThread.h"
#include "entities/Router.h"

namespace msp {

// A peer moving to a router that is not ready yet; one per move, run when that router is ready or failed:
//   waiting ──router ready────────────────────────────▶ moved (`moved` to it, `peerMoved` to the others)
//      ├─ router failed, attempts left ───────────────▶ placed again (a new move, attempt + 1)
//      ├─ router failed, no attempts left ────────────▶ the room closes (noWorker)
//      └─ the peer left, or was moved on meanwhile ───▶ nothing (that move is moot)
struct Failover::PendingMove {
  std::string roomId;
  std::string routerId;
  uint64_t sessionId;
  int attempt;
  const char* reason;
};

Failover::Failover(WorkerPool& pool, Membership& membership, RouterPipes& pipes, RoomPlacement& placement, EventSink events,
                   const RoomEvents& observers, Json routerRtpCapabilities)
    : pool_(pool), membership_(membership), pipes_(pipes), placement_(placement), events_(std::move(events)),
      observers_(observers), routerRtpCapabilities_(std::move(routerRtpCapabilities)) {}

void Failover::routerLost(const std::string& roomId, const std::string& routerId) {
  Room* room = membership_.roomWithRouter(roomId, routerId);
  if (!room) return;
  MSP_INFO("room %s lost its router on worker %zu", roomId.c_str(), room->routers.at(routerId).workerSlot);
  RoomRouter lost = evacuate(*room, routerId, "workerDied");
  // Joins that waited for it try another router.
  for (auto& waiter : lost.readyWaiters) waiter(Failure::workerGone("the router's worker died"));
}

RoomRouter Failover::evacuate(Room& room, const std::string& routerId, const char* reason) {
  const std::string roomId = room.id;
  RoomRouter gone = membership_.takeRouter(room, routerId);
  announceLostProducers(room, gone, reason);
  if (room.onPeersChanged) room.onPeersChanged(roomId);  // the room's other hosts learn of them too
  // Copies of its producers on the other routers close there (their consumers are told); pipes go.
  pipes_.routerGone(routerId);
  placement_.routerGone(room, routerId);
  if (room.routers.empty() && !placement_.ensureRouter(room) && !pool_.respawns()) {
    placement_.closeRoom(roomId, RoomCloseReason::NoWorker);
    return gone;
  }
  for (uint64_t sessionId : gone.peers) {
    Room* still = membership_.room(roomId);
    if (still && still->peers.count(sessionId)) movePeer(*still, sessionId, 0, reason);
  }
  return gone;
}

// The router still lists what it had (its worker's death clears it only after this). Its own peers are not
// told: they move, and `moved` lists what exists then.
void Failover::announceLostProducers(const Room& room, const RoomRouter& gone, const char* reason) {
  if (!gone.router) return;
  auto tellOthers = [&](const Json& event) {
    for (const auto& [sessionId, peer] : room.peers) {
      if (!gone.peers.count(sessionId)) events_(sessionId, event);
    }
  };
  // Its peers' own transports only: its pipe transports hold copies of other routers' producers, which live on.
  for (uint64_t owner : gone.peers) {
    for (const Transport* transport : gone.router->transportsOf(owner)) {
      for (const auto& [producerId, producer] : transport->producers()) {
        Json event = apiEvent("producerClosed");
        event.set("producerId", producerId);
        tellOthers(event);
        RoomEvent closed(RoomEvent::Kind::ProducerClosed, room.id);
        closed.producerId = producerId;
        closed.reason = reason;
        observers_.emit(closed);
      }
      for (const auto& [dataProducerId, dataProducer] : transport->dataProducers()) {
        Json event = apiEvent("dataProducerClosed");
        event.set("dataProducerId", dataProducerId);
        tellOthers(event);
      }
    }
  }
}

void Failover::drainWorker(size_t slot, Reply reply) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  if (slot >= pool_.slots().size()) return reply(errorAnswer(kInvalidElement, "no worker " + std::to_string(slot)));
  if (pool_.slots()[slot]->draining) return reply(errorAnswer(kInvalidElement, "worker " + std::to_string(slot) + " is drained already"));
  pool_.markDraining(slot);
  size_t moved = 0;
  std::vector<std::pair<std::string, std::string>> routers;  // (room, router) on that worker
  for (const auto& [roomId, room] : membership_.rooms()) {
    for (const auto& [routerId, roomRouter] : room->routers) {
      if (roomRouter.workerSlot == slot) routers.emplace_back(roomId, routerId);
    }
  }
  for (const auto& [roomId, routerId] : routers) {
    Room* room = membership_.roomWithRouter(roomId, routerId);
    if (!room) continue;
    moved += room->routers.at(routerId).peers.size();
    RoomRouter gone = evacuate(*room, routerId, "drained");
    if (gone.worker) gone.worker->closeRouter(routerId);
    for (auto& waiter : gone.readyWaiters) waiter(Failure::workerGone("the worker is being drained"));
  }
  pool_.stopDrained(slot);
  MSP_INFO("worker %zu drained: %zu routers closed, %zu peers moved", slot, routers.size(), moved);
  Json answer = Json::object();
  answer.set("mediasoup", "success").set("workerId", static_cast<unsigned long>(slot)).set("moved", static_cast<unsigned long>(moved));
  reply(answer);
}

void Failover::movePeer(Room& room, uint64_t sessionId, int attempt, const char* reason) {
  Peer& peer = room.peers.at(sessionId);
  if (RoomRouter* old = room.routerOf(peer)) old->peers.erase(sessionId);
  peer.routerId.clear();
  RoomRouter* target = placement_.place(room, sessionId);
  if (!target) {
    if (!pool_.respawns()) return placement_.closeRoom(room.id, RoomCloseReason::NoWorker);
    return startWaiting(room);  // placeWaitingRooms moves it once a worker runs
  }
  peer.routerId = target->id;
  if (target->ready()) return sendMoved(room, peer, *target, reason);
  PendingMove move{room.id, target->id, sessionId, attempt, reason};
  target->readyWaiters.push_back([this, move](const Failure& failure) { moveTargetReady(move, failure); });
}

void Failover::moveTargetReady(const PendingMove& move, const Failure& failure) {
  Room* room = membership_.room(move.roomId);
  auto peer = room ? room->peers.find(move.sessionId) : decltype(room->peers.end()){};
  if (!room || peer == room->peers.end() || peer->second.routerId != move.routerId) return;  // moot
  if (!failure) return sendMoved(*room, peer->second, room->routers.at(move.routerId), move.reason);
  if (move.attempt + 1 < kMaxPlacementAttempts) return movePeer(*room, move.sessionId, move.attempt + 1, move.reason);
  placement_.closeRoom(move.roomId, RoomCloseReason::NoWorker);
}

void Failover::sendMoved(Room& room, const Peer& peer, const RoomRouter& roomRouter, const char* reason) {
  MSP_INFO("room %s: peer %s moved to worker %zu", room.id.c_str(), peer.peerId.c_str(), roomRouter.workerSlot);
  Json moved = apiEvent("moved");
  // `peers` as in the join answer: what the peer consumes again (the others' producers it had are gone).
  moved.set("room", room.id).set("worker", static_cast<unsigned long>(roomRouter.workerSlot))
      .set("routerRtpCapabilities", routerRtpCapabilities_).set("reason", reason)
      .set("peers", placement_.peersOf(room, peer.sessionId));
  events_(peer.sessionId, moved);
  RoomEvent movedEvent(RoomEvent::Kind::PeerMoved, room.id);
  movedEvent.peerId = peer.peerId;
  movedEvent.worker = roomRouter.workerSlot;
  movedEvent.reason = reason;
  observers_.emit(movedEvent);
  Json peerMoved = apiEvent("peerMoved");
  peerMoved.set("peerId", peer.peerId).set("worker", static_cast<unsigned long>(roomRouter.workerSlot));
  broadcast(room, events_, peerMoved, peer.sessionId);
}

void Failover::startWaiting(Room& room) {
  if (room.waitingSinceMs == 0) room.waitingSinceMs = uv_now(pool_.loop());
  if (waitingTimer_) return;
  waitingTimer_.init([this](uv_timer_t* h) { return uv_timer_init(pool_.loop(), h); }, this);
  uint64_t every = std::min<uint64_t>(500, noWorkerTimeoutMs);
  uv_timer_start(waitingTimer_.get(), [](uv_timer_t* t) { ownerOf<Failover>(t)->expireWaitingRooms(); }, every, every);
}

void Failover::placeWaitingRooms() {
  std::vector<std::string> waiting;
  for (const auto& [id, room] : membership_.rooms()) {
    if (room->waitingSinceMs != 0) waiting.push_back(id);
  }
  for (const auto& id : waiting) {
    Room* room = membership_.room(id);
    if (!room || room->waitingSinceMs == 0) continue;
    room->waitingSinceMs = 0;
    if (!placement_.ensureRouter(*room)) continue;
    std::vector<uint64_t> homeless;
    for (const auto& [sessionId, peer] : room->peers) {
      if (peer.routerId.empty()) homeless.push_back(sessionId);
    }
    for (uint64_t sessionId : homeless) {
      if ((room = membership_.room(id)) && room->peers.count(sessionId)) movePeer(*room, sessionId, 0, "workerDied");
    }
  }
}

void Failover::expireWaitingRooms() {
  uint64_t now = uv_now(pool_.loop());
  std::vector<std::string> expired;
  bool anyWaiting = false;
  for (const auto& [id, room] : membership_.rooms()) {
    if (room->waitingSinceMs == 0) continue;
    if (now - room->waitingSinceMs >= noWorkerTimeoutMs) expired.push_back(id);
    else anyWaiting = true;
  }
  for (const auto& id : expired) placement_.closeRoom(id, RoomCloseReason::NoWorker);
  if (!anyWaiting) waitingTimer_.close();
}

}  // namespace msp
