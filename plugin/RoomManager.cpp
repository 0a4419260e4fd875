#include "RoomManager.h"

#include "Ids.h"
#include "Log.h"
#include "Overloaded.h"
#include "Router.h"

namespace msp {
namespace {

// How long a room may wait for a live worker (every worker dead, respawns crash-looping) before it closes.
constexpr uint64_t kNoWorkerTimeoutMs = 10000;
// Workers in a row that may fail to create a room's router before the room gives up.
constexpr int kMaxPlacementFailures = 3;

}  // namespace

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

RoomManager::RoomManager(WorkerPool& pool, EventSink events, Json routerRtpCapabilities,
                         WebRtcTransportOptions transportOptions)
    : pool_(pool), events_(events), routerRtpCapabilities_(std::move(routerRtpCapabilities)),
      media_(events, std::move(transportOptions),
             [this](const std::string& roomId, const std::string& routerId) { return roomWithRouter(roomId, routerId); }) {
  pool_.onWorkerRunning = [this] { placeWaitingRooms(); };
}

RoomManager::~RoomManager() {
  pool_.onWorkerRunning = nullptr;
  closeAll();
}

void RoomManager::handle(uint64_t sessionId, const Request& request, Reply reply) {
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

Room* RoomManager::createRoom(const std::string& id, bool autoCreated) {
  auto owned = std::make_unique<Room>();
  Room* room = owned.get();
  room->id = id;
  room->autoCreated = autoCreated;
  rooms_[id] = std::move(owned);
  if (!placeRouter(*room)) {
    rooms_.erase(id);
    return nullptr;
  }
  return room;
}

bool RoomManager::placeRouter(Room& room) {
  WorkerPool::Slot* slot = pool_.choose();
  if (!slot) return false;
  room.routerId = newUuid();
  room.workerSlot = slot->index;
  room.worker = slot->worker.get();
  room.router = nullptr;
  room.ready = false;
  room.waitingSinceMs = 0;
  const std::string id = room.id, routerId = room.routerId;
  // The reply comes on a later loop turn (the channel defers even immediate failures).
  room.worker->createRouter(routerId, routerRtpCapabilities_, [this, id, routerId] { routerLost(id, routerId); },
                            [this, id, routerId](Router* created, const Failure& failure) {
                              routerCreated(id, routerId, created, failure);
                            });
  return true;
}

void RoomManager::routerCreated(const std::string& roomId, const std::string& routerId, Router* router,
                                const Failure& failure) {
  Room* room = roomWithRouter(roomId, routerId);
  if (!room) return;  // closed (or placed elsewhere) while the worker was creating it
  if (!router) {
    MSP_WARN("room %s: worker %zu could not create its router: %s", roomId.c_str(), room->workerSlot,
             failure.detail.c_str());
    room->worker = nullptr;
    if (failure.unavailable() && ++room->placementFailures < kMaxPlacementFailures) {
      relocate(*room);  // that worker died or hung: another one takes the room
      return;
    }
    closeRoom(roomId, room->moving ? RoomCloseReason::NoWorker : RoomCloseReason::NotCreated);
    return;
  }
  room->router = router;
  room->ready = true;
  room->placementFailures = 0;
  media_.wire(*room);
  if (room->moving) {
    room->moving = false;
    MSP_INFO("room %s moved to worker %zu", roomId.c_str(), room->workerSlot);
    Json moved = apiEvent("moved");
    moved.set("room", roomId).set("worker", static_cast<unsigned long>(room->workerSlot))
        .set("routerRtpCapabilities", routerRtpCapabilities_).set("reason", "workerDied");
    for (const auto& [sessionId, peer] : room->peers) events_(sessionId, moved);
  }
  auto waiters = std::move(room->readyWaiters);
  room->readyWaiters.clear();
  for (auto& waiter : waiters) waiter(true, 0, "");
}

void RoomManager::routerLost(const std::string& roomId, const std::string& routerId) {
  Room* room = roomWithRouter(roomId, routerId);
  if (!room) return;
  // Its transports, producers and consumers died with the worker; the peers stay joined and set up media
  // again once told where.
  room->router = nullptr;
  room->worker = nullptr;
  room->ready = false;
  room->moving = true;
  relocate(*room);
}

void RoomManager::relocate(Room& room) {
  if (placeRouter(room)) return;
  if (!pool_.respawns()) {
    closeRoom(room.id, RoomCloseReason::NoWorker);
    return;
  }
  // Every worker is down: wait for a respawned one (placeWaitingRooms), but not forever.
  room.routerId.clear();
  room.waitingSinceMs = uv_now(pool_.loop());
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
    auto it = rooms_.find(id);
    if (it != rooms_.end() && it->second->waitingSinceMs != 0) placeRouter(*it->second);
  }
}

void RoomManager::expireWaitingRooms() {
  uint64_t now = uv_now(pool_.loop());
  std::vector<std::string> expired;
  bool anyWaiting = false;
  for (const auto& [id, room] : rooms_) {
    if (room->waitingSinceMs == 0) continue;
    if (now - room->waitingSinceMs >= kNoWorkerTimeoutMs) expired.push_back(id);
    else anyWaiting = true;
  }
  for (const auto& id : expired) closeRoom(id, RoomCloseReason::NoWorker);
  if (!anyWaiting) waitingTimer_.close();
}

Room* RoomManager::roomWithRouter(const std::string& roomId, const std::string& routerId) {
  auto it = rooms_.find(roomId);
  return it != rooms_.end() && !routerId.empty() && it->second->routerId == routerId ? it->second.get() : nullptr;
}

void RoomManager::create(const request::Create& request, Reply reply) {
  std::string id = request.room.value_or(randomRoomId());
  if (rooms_.count(id)) {
    reply(errorAnswer(kRoomExists, "room '" + id + "' already exists"));
    return;
  }
  Room* room = createRoom(id, false);
  if (!room) {
    reply(errorAnswer(kWorkerUnavailable, "no live worker"));
    return;
  }
  room->readyWaiters.push_back([this, reply, id](bool ok, int errorCode, const std::string& failure) {
    auto it = rooms_.find(id);
    if (!ok || it == rooms_.end()) {
      reply(errorAnswer(ok ? kNoSuchRoom : errorCode, ok ? "room '" + id + "' was destroyed" : failure));
      return;
    }
    Json answer = Json::object();
    answer.set("mediasoup", "created").set("room", id).set("worker", static_cast<unsigned long>(it->second->workerSlot));
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
    if (room->worker) entry.set("worker", static_cast<unsigned long>(room->workerSlot));
    else entry.set("worker", Json::adopt(json_null()));  // waiting for a live worker
    entry.set("peers", static_cast<unsigned long>(room->peers.size()));
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
  Room* room = nullptr;
  auto it = rooms_.find(request.room);
  if (it != rooms_.end()) {
    room = it->second.get();
  } else if (!(room = createRoom(request.room, true))) {
    reply(errorAnswer(kWorkerUnavailable, "no live worker"));
    return;
  }
  sessionRooms_[sessionId] = request.room;  // joining: a second join is refused meanwhile
  if (room->ready) {
    addPeer(*room, sessionId, request.display, std::move(reply));
    return;
  }
  room->joining.insert(sessionId);
  std::string roomId = request.room;
  std::string display = request.display;
  room->readyWaiters.push_back([this, sessionId, roomId, display, reply](bool ok, int code, const std::string& error) {
    auto joined = sessionRooms_.find(sessionId);
    bool stillJoining = joined != sessionRooms_.end() && joined->second == roomId;
    auto it = rooms_.find(roomId);
    if (it != rooms_.end()) it->second->joining.erase(sessionId);
    if (!stillJoining) {  // detached (or timed out) while waiting: nobody to add
      reply(errorAnswer(kJoinState, "the handle left before the join completed"));
      return;
    }
    if (!ok || it == rooms_.end()) {
      sessionRooms_.erase(joined);
      reply(errorAnswer(ok ? kNoSuchRoom : code, ok ? "room '" + roomId + "' was destroyed" : error));
      return;
    }
    addPeer(*it->second, sessionId, display, reply);
  });
}

void RoomManager::addPeer(Room& room, uint64_t sessionId, const std::string& display, Reply reply) {
  Json others = Json::array();
  for (const auto& [id, peer] : room.peers) {
    Json entry = media_.producersOf(room, id);
    entry.set("peerId", peer.peerId).set("display", peer.display);
    others.append(entry);
  }
  Peer& peer = room.peers[sessionId];
  peer.sessionId = sessionId;
  peer.peerId = newUuid();
  peer.display = display;
  peer.roomId = room.id;
  sessionRooms_[sessionId] = room.id;

  Json joined = apiEvent("peerJoined");
  joined.set("peerId", peer.peerId).set("display", peer.display);
  broadcast(room, joined, sessionId);

  Json answer = Json::object();
  answer.set("mediasoup", "joined").set("room", room.id).set("worker", static_cast<unsigned long>(room.workerSlot))
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
  auto joined = sessionRooms_.find(sessionId);
  if (joined == sessionRooms_.end()) return;
  auto room = rooms_.find(joined->second);
  if (room == rooms_.end()) {
    sessionRooms_.erase(joined);
    return;
  }
  if (!room->second->peers.count(sessionId)) {  // still joining: its waiter finds it gone
    sessionRooms_.erase(joined);
    room->second->joining.erase(sessionId);
    closeIfAbandoned(*room->second);
    return;
  }
  removePeer(*room->second, sessionId);
}

void RoomManager::media(uint64_t sessionId, const Request& request, Reply reply) {
  auto joined = sessionRooms_.find(sessionId);
  auto room = joined == sessionRooms_.end() ? rooms_.end() : rooms_.find(joined->second);
  if (room == rooms_.end() || !room->second->peers.count(sessionId)) {
    reply(errorAnswer(kJoinState, "not in a room: join first"));
    return;
  }
  if (!room->second->ready) {
    reply(errorAnswer(kWorkerUnavailable, "the room is moving to another worker: wait for the moved event"));
    return;
  }
  media_.handle(*room->second, room->second->peers.at(sessionId), request, std::move(reply));
}

void RoomManager::removePeer(Room& room, uint64_t sessionId) {
  auto it = room.peers.find(sessionId);
  if (it == room.peers.end()) return;
  if (room.router) media_.peerLeaving(room, sessionId);  // its producers close first: the others hear before peerLeft
  Json left = apiEvent("peerLeft");
  left.set("peerId", it->second.peerId).set("display", it->second.display);
  room.peers.erase(it);
  sessionRooms_.erase(sessionId);
  broadcast(room, left);
  closeIfAbandoned(room);
}

void RoomManager::closeIfAbandoned(Room& room) {
  if (room.autoCreated && room.peers.empty() && room.joining.empty()) closeRoom(room.id, RoomCloseReason::Empty);
}

void RoomManager::closeRoom(std::string roomId, RoomCloseReason reason) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return;
  std::unique_ptr<Room> room = std::move(it->second);
  rooms_.erase(it);
  MSP_INFO("room %s closed (%s)", roomId.c_str(), toString(reason));

  Json closed = apiEvent("roomClosed");
  closed.set("room", roomId).set("reason", toString(reason));
  for (const auto& [sessionId, peer] : room->peers) {
    sessionRooms_.erase(sessionId);
    if (announced(reason)) events_(sessionId, closed);
  }
  for (auto& waiter : room->readyWaiters) {
    if (reason == RoomCloseReason::NoWorker || reason == RoomCloseReason::NotCreated) {
      waiter(false, kWorkerUnavailable, "no live worker could host room '" + roomId + "'");
    } else {
      waiter(false, kNoSuchRoom, "room '" + roomId + "' was " + (reason == RoomCloseReason::Destroyed ? "destroyed" : "closed"));
    }
  }
  if (room->worker) room->worker->closeRouter(room->routerId);
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
