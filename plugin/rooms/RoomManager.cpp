#include "rooms/RoomManager.h"

#include "base/Ids.h"
#include "base/Log.h"
#include "base/LoopThread.h"
#include "base/Overloaded.h"
#include "entities/Router.h"

namespace msp {
namespace {

// Routers in a row a join (or a move) may lose to failing workers before it gives up.
constexpr int kMaxPlacementAttempts = 3;

}  // namespace

const char* toString(RoomEvent::Kind kind) {
  switch (kind) {
    case RoomEvent::Kind::RoomCreated: return "roomCreated";
    case RoomEvent::Kind::RoomClosed: return "roomClosed";
    case RoomEvent::Kind::PeerJoined: return "peerJoined";
    case RoomEvent::Kind::PeerLeft: return "peerLeft";
    case RoomEvent::Kind::PeerMoved: return "peerMoved";
    case RoomEvent::Kind::ProducerCreated: return "producerCreated";
    case RoomEvent::Kind::ProducerClosed: return "producerClosed";
  }
  return "unknown";
}

const char* toString(RoomCloseReason reason) {
  switch (reason) {
    case RoomCloseReason::Destroyed: return "destroyed";
    case RoomCloseReason::Empty: return "empty";
    case RoomCloseReason::NoWorker: return "noWorker";
    case RoomCloseReason::NotCreated: return "notCreated";
    case RoomCloseReason::Shutdown: return "shutdown";
  }
  return "unknown";
}

bool announced(RoomCloseReason reason) {
  return reason == RoomCloseReason::Destroyed || reason == RoomCloseReason::NoWorker ||
         reason == RoomCloseReason::NotCreated;
}

RoomManager::RoomManager(WorkerPool& pool, const Settings& settings, Json routerRtpCapabilities, EventSink events)
    : pool_(pool), events_(events), routerRtpCapabilities_(std::move(routerRtpCapabilities)),
      limits_(PlacementLimits::of(settings)),
      pipes_([this](const std::string& routerId) { return readyRouter(routerId); }),
      media_(events, TransportOptions::of(settings),
             [this](const std::string& roomId, const std::string& routerId) { return roomWithRouter(roomId, routerId); },
             pipes_, observers_) {
  pool_.onWorkerRunning = [this] { placeWaitingRooms(); };
}

RoomManager::~RoomManager() {
  pool_.onWorkerRunning = nullptr;
  closeAll();
}

void RoomManager::handle(uint64_t sessionId, const Request& request, Reply reply) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  std::visit(Overloaded{
                 [&](const request::Create& r) { create(r, std::move(reply)); },
                 [&](const request::Destroy& r) { destroy(r, std::move(reply)); },
                 [&](const request::Exists& r) { exists(r, std::move(reply)); },
                 [&](const request::List&) { list(std::move(reply)); },
                 [&](const request::Join& r) { join(sessionId, r, std::move(reply)); },
                 [&](const request::Leave&) { leave(sessionId, std::move(reply)); },
                 [&](const auto&) { media(sessionId, request, std::move(reply)); },
             },
             request);
}

Room* RoomManager::findRoom(const std::string& roomId) {
  auto it = rooms_.find(roomId);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room* RoomManager::roomWithRouter(const std::string& roomId, const std::string& routerId) {
  Room* room = findRoom(roomId);
  return room && room->router(routerId) ? room : nullptr;
}

Router* RoomManager::readyRouter(const std::string& routerId) {
  auto it = routerRooms_.find(routerId);
  if (it == routerRooms_.end()) return nullptr;
  Room* room = findRoom(it->second);
  RoomRouter* roomRouter = room ? room->router(routerId) : nullptr;
  return roomRouter ? roomRouter->router : nullptr;
}

RoomRouter& RoomManager::addRouter(Room& room, WorkerPool::Slot& slot) {
  std::string routerId = newUuid();
  RoomRouter& roomRouter = room.routers[routerId];
  roomRouter.id = routerId;
  roomRouter.workerSlot = slot.index;
  roomRouter.worker = slot.worker.get();
  routerRooms_[routerId] = room.id;
  room.waitingSinceMs = 0;
  const std::string roomId = room.id;
  // The reply comes on a later loop turn (the channel defers even immediate failures).
  roomRouter.worker->createRouter(routerId, routerRtpCapabilities_, [this, roomId, routerId] { routerLost(roomId, routerId); },
                                  [this, roomId, routerId](Router* created, const Failure& failure) {
                                    routerCreated(roomId, routerId, created, failure);
                                  });
  return roomRouter;
}

void RoomManager::routerCreated(const std::string& roomId, const std::string& routerId, Router* router,
                                const Failure& failure) {
  Room* room = roomWithRouter(roomId, routerId);
  if (!room) return;  // closed while the worker was creating it
  RoomRouter& roomRouter = room->routers.at(routerId);
  if (!router) {
    MSP_WARN("room %s: worker %zu could not create a router: %s", roomId.c_str(), roomRouter.workerSlot, failure.detail.c_str());
    auto waiters = std::move(roomRouter.readyWaiters);
    room->routers.erase(routerId);
    routerRooms_.erase(routerId);
    Failure why = failure ? failure : Failure::closed("the router closed");
    for (auto& waiter : waiters) waiter(why);  // joins and moves try elsewhere, or give up
    // A room nobody is in or joining, without a router (its `create` was answered with the failure): gone.
    if (Room* still = findRoom(roomId); still && still->routers.empty() && still->peers.empty() && still->joining.empty()) {
      closeRoom(roomId, RoomCloseReason::NotCreated);
    }
    return;
  }
  roomRouter.router = router;
  media_.wire(*room, roomRouter);
  auto waiters = std::move(roomRouter.readyWaiters);
  roomRouter.readyWaiters.clear();
  for (auto& waiter : waiters) waiter(Failure{});
}

void RoomManager::routerLost(const std::string& roomId, const std::string& routerId) {
  Room* room = roomWithRouter(roomId, routerId);
  if (!room) return;
  MSP_INFO("room %s lost its router on worker %zu", roomId.c_str(), room->routers.at(routerId).workerSlot);
  RoomRouter lost = evacuate(*room, routerId, "workerDied");
  // Joins that waited for it try another router.
  for (auto& waiter : lost.readyWaiters) waiter(Failure::workerGone("the router's worker died"));
}

RoomRouter RoomManager::evacuate(Room& room, const std::string& routerId, const char* reason) {
  const std::string roomId = room.id;
  RoomRouter gone = std::move(room.routers.at(routerId));
  room.routers.erase(routerId);
  routerRooms_.erase(routerId);
  // The peers on other routers hear which producers went away (the router still lists them, for now).
  if (gone.router) {
    for (uint64_t sessionId : gone.peers) {
      Json own = media_.producersOf(*gone.router, sessionId);
      for (const auto* list : {"producers", "dataProducers"}) {
        size_t i;
        json_t* entry;
        json_array_foreach(json_object_get(own.get(), list), i, entry) {
          bool media = std::string(list) == "producers";
          Json e = apiEvent(media ? "producerClosed" : "dataProducerClosed");
          e.set(media ? "producerId" : "dataProducerId", Json::borrow(json_object_get(entry, "id")));
          for (const auto& [other, peer] : room.peers) {
            if (!gone.peers.count(other)) events_(other, e);
          }
          if (media) {
            RoomEvent closed{RoomEvent::Kind::ProducerClosed, roomId};
            closed.producerId = json_string_value(json_object_get(entry, "id"));
            closed.reason = reason;
            observers_.emit(closed);
          }
        }
      }
    }
  }
  // Copies of its producers on the other routers close there (their consumers are told); pipes go.
  pipes_.routerGone(routerId);
  if (room.routers.empty() && !ensureRouter(room) && !pool_.respawns()) {
    closeRoom(roomId, RoomCloseReason::NoWorker);
    return gone;
  }
  for (uint64_t sessionId : gone.peers) {
    Room* still = findRoom(roomId);
    if (still && still->peers.count(sessionId)) movePeer(*still, sessionId, 0, reason);
  }
  return gone;
}

void RoomManager::drainWorker(size_t slot, Reply reply) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  if (slot >= pool_.slots().size()) return reply(errorAnswer(kInvalidElement, "no worker " + std::to_string(slot)));
  if (pool_.slots()[slot]->draining) return reply(errorAnswer(kInvalidElement, "worker " + std::to_string(slot) + " is drained already"));
  pool_.markDraining(slot);
  size_t moved = 0;
  std::vector<std::pair<std::string, std::string>> routers;  // (room, router) on that worker
  for (const auto& [roomId, room] : rooms_) {
    for (const auto& [routerId, roomRouter] : room->routers) {
      if (roomRouter.workerSlot == slot) routers.emplace_back(roomId, routerId);
    }
  }
  for (const auto& [roomId, routerId] : routers) {
    Room* room = roomWithRouter(roomId, routerId);
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

void RoomManager::closeRouter(Room& room, const std::string& routerId, const Failure& waitersGet) {
  RoomRouter* roomRouter = room.router(routerId);
  if (!roomRouter) return;
  pipes_.routerGone(routerId);
  auto waiters = std::move(roomRouter->readyWaiters);
  if (roomRouter->worker) roomRouter->worker->closeRouter(routerId);
  room.routers.erase(routerId);
  routerRooms_.erase(routerId);
  for (auto& waiter : waiters) waiter(waitersGet);
}

void RoomManager::closeRouterIfUnused(Room& room, const std::string& routerId) {
  RoomRouter* roomRouter = room.router(routerId);
  // Nobody on it means nothing is piped from it either (only peers produce); the room keeps its last router.
  if (roomRouter && roomRouter->peers.empty() && room.routers.size() > 1) {
    MSP_VERB("room %s: router on worker %zu has no peers left: closing it", room.id.c_str(), roomRouter->workerSlot);
    closeRouter(room, routerId, Failure::closed("the router closed"));
  }
}

bool RoomManager::ensureRouter(Room& room) {
  if (!room.routers.empty()) return true;
  WorkerPool::Slot* slot = pool_.choose();
  if (!slot) {
    startWaiting(room);
    return false;
  }
  addRouter(room, *slot);
  return true;
}

RoomRouter* RoomManager::place(Room& room, uint64_t sessionId) {
  std::vector<RouterLoad> loads;
  std::vector<RoomRouter*> routers;
  for (auto& [id, roomRouter] : room.routers) {
    RouterLoad load;
    load.worker = roomRouter.workerSlot;
    load.peers = roomRouter.peers.size();
    load.usable = roomRouter.worker && roomRouter.worker->running();
    loads.push_back(load);
    routers.push_back(&roomRouter);
  }
  Placement placement = placePeer(loads, pool_.loads(), limits_);
  RoomRouter* chosen = nullptr;
  switch (placement.kind) {
    case Placement::Kind::ExistingRouter:
      chosen = routers[placement.router];
      break;
    case Placement::Kind::NewRouter:
      if (WorkerPool::Slot* slot = pool_.take(placement.worker)) chosen = &addRouter(room, *slot);
      break;
    case Placement::Kind::NoWorker:
      return nullptr;
  }
  if (chosen) chosen->peers.insert(sessionId);
  return chosen;
}

void RoomManager::movePeer(Room& room, uint64_t sessionId, int attempt, const char* reason) {
  Peer& peer = room.peers.at(sessionId);
  if (RoomRouter* old = room.routerOf(peer)) old->peers.erase(sessionId);
  peer.routerId.clear();
  RoomRouter* target = place(room, sessionId);
  if (!target) {
    if (!pool_.respawns()) return closeRoom(room.id, RoomCloseReason::NoWorker);
    return startWaiting(room);  // placeWaitingRooms moves it once a worker runs
  }
  peer.routerId = target->id;
  if (target->ready()) return sendMoved(room, peer, *target, reason);
  std::string roomId = room.id, routerId = target->id;
  target->readyWaiters.push_back([this, roomId, routerId, sessionId, attempt, reason](const Failure& failure) {
    Room* room = findRoom(roomId);
    auto peer = room ? room->peers.find(sessionId) : decltype(room->peers.end()){};
    if (!room || peer == room->peers.end() || peer->second.routerId != routerId) return;  // left, or moved on
    if (failure) {
      if (attempt + 1 < kMaxPlacementAttempts) return movePeer(*room, sessionId, attempt + 1, reason);
      return closeRoom(roomId, RoomCloseReason::NoWorker);
    }
    sendMoved(*room, peer->second, room->routers.at(routerId), reason);
  });
}

void RoomManager::sendMoved(Room& room, const Peer& peer, const RoomRouter& roomRouter, const char* reason) {
  MSP_INFO("room %s: peer %s moved to worker %zu", room.id.c_str(), peer.peerId.c_str(), roomRouter.workerSlot);
  Json moved = apiEvent("moved");
  // `peers` as in the join answer: what the peer consumes again (the others' producers it had are gone).
  moved.set("room", room.id).set("worker", static_cast<unsigned long>(roomRouter.workerSlot))
      .set("routerRtpCapabilities", routerRtpCapabilities_).set("reason", reason)
      .set("peers", peersOf(room, peer.sessionId));
  events_(peer.sessionId, moved);
  RoomEvent peerMovedEvent{RoomEvent::Kind::PeerMoved, room.id};
  peerMovedEvent.peerId = peer.peerId;
  peerMovedEvent.worker = roomRouter.workerSlot;
  peerMovedEvent.reason = reason;
  observers_.emit(peerMovedEvent);
  Json peerMoved = apiEvent("peerMoved");
  peerMoved.set("peerId", peer.peerId).set("worker", static_cast<unsigned long>(roomRouter.workerSlot));
  broadcast(room, peerMoved, peer.sessionId);
}

void RoomManager::startWaiting(Room& room) {
  if (room.waitingSinceMs == 0) room.waitingSinceMs = uv_now(pool_.loop());
  if (!waitingTimer_) {
    waitingTimer_.init([this](uv_timer_t* h) { return uv_timer_init(pool_.loop(), h); }, this);
    uv_timer_start(waitingTimer_.get(), [](uv_timer_t* t) { ownerOf<RoomManager>(t)->expireWaitingRooms(); }, 500, 500);
  }
}

void RoomManager::placeWaitingRooms() {
  std::vector<std::string> waiting;
  for (const auto& [id, room] : rooms_) {
    if (room->waitingSinceMs != 0) waiting.push_back(id);
  }
  for (const auto& id : waiting) {
    Room* room = findRoom(id);
    if (!room || room->waitingSinceMs == 0) continue;
    room->waitingSinceMs = 0;
    if (!ensureRouter(*room)) continue;
    std::vector<uint64_t> homeless;
    for (const auto& [sessionId, peer] : room->peers) {
      if (peer.routerId.empty()) homeless.push_back(sessionId);
    }
    for (uint64_t sessionId : homeless) {
      if ((room = findRoom(id)) && room->peers.count(sessionId)) movePeer(*room, sessionId, 0, "workerDied");
    }
  }
}

void RoomManager::expireWaitingRooms() {
  uint64_t now = uv_now(pool_.loop());
  std::vector<std::string> expired;
  bool anyWaiting = false;
  for (const auto& [id, room] : rooms_) {
    if (room->waitingSinceMs == 0) continue;
    if (now - room->waitingSinceMs >= noWorkerTimeoutMs) expired.push_back(id);
    else anyWaiting = true;
  }
  for (const auto& id : expired) closeRoom(id, RoomCloseReason::NoWorker);
  if (!anyWaiting) waitingTimer_.close();
}

void RoomManager::create(const request::Create& request, Reply reply) {
  std::string id = request.room.value_or(randomRoomId());
  if (rooms_.count(id)) {
    reply(errorAnswer(kRoomExists, "room '" + id + "' already exists"));
    return;
  }
  WorkerPool::Slot* slot = pool_.choose();
  if (!slot) {
    reply(errorAnswer(kWorkerUnavailable, "no live worker"));
    return;
  }
  auto owned = std::make_unique<Room>();
  Room& room = *owned;
  room.id = id;
  rooms_[id] = std::move(owned);
  RoomRouter& first = addRouter(room, *slot);
  RoomEvent created{RoomEvent::Kind::RoomCreated, id};
  created.worker = slot->index;
  observers_.emit(created);
  std::string routerId = first.id;
  first.readyWaiters.push_back([this, reply, id, routerId](const Failure& failure) {
    Room* room = findRoom(id);
    if (!room) {
      reply(failure.unavailable() ? errorAnswer(kWorkerUnavailable, "no live worker could create room '" + id + "'")
                                  : errorAnswer(kNoSuchRoom, "room '" + id + "' was destroyed"));
      return;
    }
    const RoomRouter* router = room->router(routerId);
    if (!router && !room->routers.empty()) router = &room->routers.begin()->second;  // it moved meanwhile
    if (failure && !router) {
      reply(errorAnswer(kWorkerUnavailable, "no live worker could create room '" + id + "': " + failure.detail));
      return;
    }
    Json answer = Json::object();
    answer.set("mediasoup", "created").set("room", id).set("worker", static_cast<unsigned long>(router->workerSlot));
    reply(answer);
  });
}

void RoomManager::destroy(const request::Destroy& request, Reply reply) {
  if (!rooms_.count(request.room)) {
    reply(errorAnswer(kNoSuchRoom, "no such room '" + request.room + "'"));
    return;
  }
  closeRoom(request.room, RoomCloseReason::Destroyed);
  Json answer = Json::object();
  answer.set("mediasoup", "destroyed").set("room", request.room);
  reply(answer);
}

void RoomManager::exists(const request::Exists& request, Reply reply) {
  Json answer = Json::object();
  answer.set("mediasoup", "success").set("room", request.room).set("exists", rooms_.count(request.room) > 0);
  reply(answer);
}

void RoomManager::list(Reply reply) {
  Json rooms = Json::array();
  for (const auto& [id, room] : rooms_) {
    Json entry = Json::object();
    entry.set("room", id);
    std::vector<size_t> slots = room->workers();
    // `worker`: where it started (its first router); `workers`: every worker hosting one of its routers.
    if (!room->routers.empty()) entry.set("worker", static_cast<unsigned long>(room->routers.begin()->second.workerSlot));
    else entry.set("worker", Json::adopt(json_null()));  // waiting for a live worker
    Json workers = Json::array();
    for (size_t slot : slots) workers.append(Json::adopt(json_integer(static_cast<json_int_t>(slot))));
    entry.set("workers", workers).set("peers", static_cast<unsigned long>(room->peers.size()));
    rooms.append(entry);
  }
  Json answer = Json::object();
  answer.set("mediasoup", "success").set("list", rooms);
  reply(answer);
}

void RoomManager::join(uint64_t sessionId, const request::Join& request, Reply reply) {
  if (sessionRooms_.count(sessionId)) {
    reply(errorAnswer(kJoinState, "already in room '" + sessionRooms_[sessionId] + "'"));
    return;
  }
  if (!rooms_.count(request.room)) {
    if (!pool_.hasLiveWorker()) {
      reply(errorAnswer(kWorkerUnavailable, "no live worker"));
      return;
    }
    auto owned = std::make_unique<Room>();
    owned->id = request.room;
    owned->autoCreated = true;
    rooms_[request.room] = std::move(owned);
    RoomEvent created{RoomEvent::Kind::RoomCreated, request.room};
    created.autoCreated = true;
    observers_.emit(created);
  }
  sessionRooms_[sessionId] = request.room;  // joining: a second join is refused meanwhile
  joinAttempt(sessionId, request.room, request.display, std::move(reply), 0);
}

void RoomManager::joinAttempt(uint64_t sessionId, const std::string& roomId, const std::string& display, Reply reply,
                              int attempt) {
  Room* room = findRoom(roomId);
  RoomRouter* target = room ? place(*room, sessionId) : nullptr;
  if (!target) {
    sessionRooms_.erase(sessionId);
    reply(room ? errorAnswer(kWorkerUnavailable, "no live worker") : errorAnswer(kNoSuchRoom, "room '" + roomId + "' was destroyed"));
    if (room) closeIfAbandoned(*room);
    return;
  }
  if (target->ready()) {
    addPeer(*room, *target, sessionId, display, std::move(reply));
    return;
  }
  room->joining.insert(sessionId);
  std::string routerId = target->id;
  target->readyWaiters.push_back([this, sessionId, roomId, routerId, display, reply, attempt](const Failure& failure) {
    auto joined = sessionRooms_.find(sessionId);
    bool stillJoining = joined != sessionRooms_.end() && joined->second == roomId;
    Room* room = findRoom(roomId);
    RoomRouter* target = room ? room->router(routerId) : nullptr;
    if (room) room->joining.erase(sessionId);
    if (!stillJoining || !room || failure || !target) {
      if (target) target->peers.erase(sessionId);
    }
    if (!stillJoining) {  // detached (or timed out) while waiting: nobody to add
      reply(errorAnswer(kJoinState, "the handle left before the join completed"));
      return;
    }
    if (!room) {
      sessionRooms_.erase(joined);
      reply(failure.unavailable() ? errorAnswer(kWorkerUnavailable, "no live worker could host room '" + roomId + "'")
                                  : errorAnswer(kNoSuchRoom, "room '" + roomId + "' was destroyed"));
      return;
    }
    if (failure || !target) {
      if (failure.unavailable() && attempt + 1 < kMaxPlacementAttempts) {
        return joinAttempt(sessionId, roomId, display, reply, attempt + 1);
      }
      sessionRooms_.erase(joined);
      reply(errorAnswer(kWorkerUnavailable, "no worker could take the peer: " + failure.detail));
      closeIfAbandoned(*room);
      return;
    }
    addPeer(*room, *target, sessionId, display, reply);
  });
}

Json RoomManager::peersOf(Room& room, uint64_t exceptSessionId) {
  Json others = Json::array();
  for (const auto& [id, peer] : room.peers) {
    if (id == exceptSessionId) continue;
    RoomRouter* theirs = room.routerOf(peer);
    Json entry = theirs && theirs->router ? media_.producersOf(*theirs->router, id) : Json::object();
    if (!json_object_get(entry.get(), "producers")) entry.set("producers", Json::array()).set("dataProducers", Json::array());
    entry.set("peerId", peer.peerId).set("display", peer.display);
    if (theirs) entry.set("worker", static_cast<unsigned long>(theirs->workerSlot));
    else entry.set("worker", Json::adopt(json_null()));
    others.append(entry);
  }
  return others;
}

void RoomManager::addPeer(Room& room, RoomRouter& roomRouter, uint64_t sessionId, const std::string& display, Reply reply) {
  Json others = peersOf(room, sessionId);
  Peer& peer = room.peers[sessionId];
  peer.sessionId = sessionId;
  peer.peerId = newUuid();
  peer.display = display;
  peer.roomId = room.id;
  peer.routerId = roomRouter.id;
  roomRouter.peers.insert(sessionId);
  sessionRooms_[sessionId] = room.id;

  Json joined = apiEvent("peerJoined");
  joined.set("peerId", peer.peerId).set("display", peer.display).set("worker", static_cast<unsigned long>(roomRouter.workerSlot));
  RoomEvent joinedEvent{RoomEvent::Kind::PeerJoined, room.id};
  joinedEvent.peerId = peer.peerId;
  joinedEvent.display = peer.display;
  joinedEvent.worker = roomRouter.workerSlot;
  observers_.emit(joinedEvent);
  broadcast(room, joined, sessionId);

  Json answer = Json::object();
  answer.set("mediasoup", "joined").set("room", room.id).set("worker", static_cast<unsigned long>(roomRouter.workerSlot))
      .set("peerId", peer.peerId).set("routerRtpCapabilities", routerRtpCapabilities_).set("peers", others);
  reply(answer);
}

void RoomManager::leave(uint64_t sessionId, Reply reply) {
  auto joined = sessionRooms_.find(sessionId);
  auto room = joined == sessionRooms_.end() ? rooms_.end() : rooms_.find(joined->second);
  if (room == rooms_.end() || !room->second->peers.count(sessionId)) {
    reply(errorAnswer(kJoinState, "not in a room"));
    return;
  }
  std::string roomId = room->first;
  removePeer(*room->second, sessionId);
  Json answer = Json::object();
  answer.set("mediasoup", "left").set("room", roomId);
  reply(answer);
}

void RoomManager::sessionGone(uint64_t sessionId) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  auto joined = sessionRooms_.find(sessionId);
  if (joined == sessionRooms_.end()) return;
  Room* room = findRoom(joined->second);
  if (!room) {
    sessionRooms_.erase(joined);
    return;
  }
  if (room->peers.count(sessionId)) return removePeer(*room, sessionId);
  // Still joining: its waiter finds it gone; the router it was counted on may now be unused.
  sessionRooms_.erase(joined);
  room->joining.erase(sessionId);
  std::string unusedRouter;
  for (auto& [id, roomRouter] : room->routers) {
    if (roomRouter.peers.erase(sessionId)) unusedRouter = id;
  }
  if (!closeIfAbandoned(*room) && !unusedRouter.empty()) closeRouterIfUnused(*room, unusedRouter);
}

void RoomManager::media(uint64_t sessionId, const Request& request, Reply reply) {
  auto joined = sessionRooms_.find(sessionId);
  Room* room = joined == sessionRooms_.end() ? nullptr : findRoom(joined->second);
  auto peer = room ? room->peers.find(sessionId) : decltype(room->peers.end()){};
  if (!room || peer == room->peers.end()) {
    reply(errorAnswer(kJoinState, "not in a room: join first"));
    return;
  }
  RoomRouter* roomRouter = room->routerOf(peer->second);
  if (!roomRouter || !roomRouter->ready()) {
    reply(errorAnswer(kWorkerUnavailable, "the peer is moving to another worker: wait for the moved event"));
    return;
  }
  media_.handle(*room, peer->second, request, std::move(reply));
}

void RoomManager::removePeer(Room& room, uint64_t sessionId) {
  auto it = room.peers.find(sessionId);
  if (it == room.peers.end()) return;
  RoomRouter* roomRouter = room.routerOf(it->second);
  std::string routerId = roomRouter ? roomRouter->id : "";
  // Its producers close first: the others hear (and their piped copies close) before peerLeft.
  if (roomRouter && roomRouter->router) media_.peerLeaving(*roomRouter->router, sessionId);
  if (roomRouter) roomRouter->peers.erase(sessionId);
  Json left = apiEvent("peerLeft");
  left.set("peerId", it->second.peerId).set("display", it->second.display);
  RoomEvent leftEvent{RoomEvent::Kind::PeerLeft, room.id};
  leftEvent.peerId = it->second.peerId;
  observers_.emit(leftEvent);
  room.peers.erase(it);
  sessionRooms_.erase(sessionId);
  broadcast(room, left);
  if (closeIfAbandoned(room)) return;
  if (!routerId.empty()) closeRouterIfUnused(room, routerId);
}

bool RoomManager::closeIfAbandoned(Room& room) {
  if (!room.autoCreated || !room.peers.empty() || !room.joining.empty()) return false;
  closeRoom(room.id, RoomCloseReason::Empty);
  return true;
}

void RoomManager::closeRoom(std::string roomId, RoomCloseReason reason) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return;
  std::unique_ptr<Room> room = std::move(it->second);
  rooms_.erase(it);
  MSP_VERB("room %s closed (%s)", roomId.c_str(), toString(reason));
  RoomEvent closedEvent{RoomEvent::Kind::RoomClosed, roomId};
  closedEvent.reason = toString(reason);
  observers_.emit(closedEvent);

  Json closed = apiEvent("roomClosed");
  closed.set("room", roomId).set("reason", toString(reason));
  for (const auto& [sessionId, peer] : room->peers) {
    sessionRooms_.erase(sessionId);
    if (announced(reason)) events_(sessionId, closed);
  }
  Failure why = reason == RoomCloseReason::NoWorker || reason == RoomCloseReason::NotCreated
                    ? Failure::workerGone("no live worker could host room '" + roomId + "'")
                    : Failure::closed("room '" + roomId + "' was closed");
  std::vector<std::string> routerIds;
  for (const auto& [id, roomRouter] : room->routers) routerIds.push_back(id);
  for (const auto& id : routerIds) closeRouter(*room, id, why);
}

void RoomManager::closeAll() {
  waitingTimer_.close();
  while (!rooms_.empty()) closeRoom(rooms_.begin()->first, RoomCloseReason::Shutdown);
}

void RoomManager::broadcast(const Room& room, Json event, uint64_t exceptSessionId) {
  for (const auto& [sessionId, peer] : room.peers) {
    if (sessionId != exceptSessionId) events_(sessionId, event);
  }
}

const Peer* RoomManager::peerOf(uint64_t sessionId) const {
  auto joined = sessionRooms_.find(sessionId);
  if (joined == sessionRooms_.end()) return nullptr;
  auto room = rooms_.find(joined->second);
  if (room == rooms_.end()) return nullptr;
  auto peer = room->second->peers.find(sessionId);
  return peer == room->second->peers.end() ? nullptr : &peer->second;
}

}  // namespace msp
