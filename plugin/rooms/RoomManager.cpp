#include "rooms/RoomManager.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "auth/Secrets.h"
#include "auth/Tokens.h"
#include "base/Ids.h"
#include "base/Log.h"
#include "base/LoopThread.h"
#include "base/Overloaded.h"
#include "entities/Router.h"
#include "rooms/RemotePeers.h"

namespace msp {

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

bool changesPeers(const Json& event) {
  static const std::set<std::string> kinds = {"peerJoined", "peerLeft", "peerUpdated", "newProducer", "producerClosed",
                                              "producerPaused", "producerResumed", "newDataProducer", "dataProducerClosed"};
  auto name = event.string("event");
  return name && kinds.count(*name);
}

bool announced(RoomCloseReason reason) {
  return reason == RoomCloseReason::Destroyed || reason == RoomCloseReason::NoWorker ||
         reason == RoomCloseReason::NotCreated;
}

// A join, from its request until it is answered; one per join, stepped again when its router is ready or failed:
//   placing ──no router can take it──────────────────────────▶ failed (448, or 443 when the room went)
//      ├─ placed on a ready router ───────────────────────────▶ joined (answered "joined")
//      └─ placed on a router being made ──▶ waiting
//   waiting ──router ready────────────────────────────────────▶ joined
//      ├─ the handle detached meanwhile ───────────────────────▶ abandoned (445)
//      ├─ the room closed meanwhile ───────────────────────────▶ failed (448 no worker, or 443 destroyed)
//      ├─ its worker became unavailable, attempts left ───────▶ placing again, on another router
//      └─ router failed otherwise, or no attempts left ────────▶ failed (448); an auto room left empty closes
struct RoomManager::PendingJoin {
  uint64_t sessionId;
  std::string roomId;
  std::string display;
  PeerRights rights;
  Reply reply;
  int attempt = 0;
  std::string routerId;  // waiting: the router it waits for
  Json appData;
  bool displayFromToken = false;
};

RoomManager::RoomManager(WorkerPool& pool, const Settings& settings, Json routerRtpCapabilities, EventSink events)
    : pool_(pool), events_(events), adminKey_(settings.adminKey), tokenSecret_(settings.tokenSecret),
      maxPeersPerRoom_(settings.maxPeersPerRoom), maxRooms_(settings.maxRooms),
      routerRtpCapabilities_(std::move(routerRtpCapabilities)), limits_(PlacementLimits::of(settings)),
      audioDefaults_(RoomAudioSettings::of(settings)),
      pipes_([this](const std::string& routerId) { return membership_.readyRouter(routerId); }),
      media_(events, TransportOptions::of(settings), PeerLimits::of(settings),
             [this](const std::string& roomId, const std::string& routerId) { return membership_.roomWithRouter(roomId, routerId); },
             pipes_, observers_),
      sdp_(media_, events,
           [this](uint64_t sessionId) -> std::pair<Room*, const Peer*> {
             Room* room = nullptr;
             Peer* peer = membership_.peerOf(sessionId, &room);
             if (!peer || !room->routerOf(*peer) || !room->routerOf(*peer)->ready()) return {nullptr, nullptr};
             return {room, peer};
           },
           pool.loop()),
      speakers_(events, pipes_, [this](const std::string& roomId) { return membership_.room(roomId); }, pool.loop()),
      failover_(pool, membership_, pipes_, *this, events, observers_, routerRtpCapabilities_) {
  pool_.onWorkerRunning = [this] { failover_.placeWaitingRooms(); };
  media_.onProducerAdded = [this](const std::string& roomId, const std::string& routerId, const Producer& producer, uint64_t owner) {
    if (producer.kind() == "audio") {
      if (Room* room = membership_.roomWithRouter(roomId, routerId)) speakers_.producerAdded(*room, routerId, producer.id());
    }
    sdp_.producerAdded(roomId, producer.id(), owner);
  };
  media_.onProducerClosed = [this](Room& room, const Producer& producer) { speakers_.producerClosed(room, producer.id()); };
  media_.onConsumerEnded = [this](const std::string& transportId, const std::string& consumerId) {
    sdp_.consumerClosed(transportId, consumerId);
  };
}

RoomManager::~RoomManager() {
  pool_.onWorkerRunning = nullptr;
  closeAll();
}

void RoomManager::handle(uint64_t sessionId, const Request& request, Reply reply) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  std::visit(Overloaded{
                 [&](const request::Create& r) { create(r, std::move(reply)); },
                 [&](const request::Destroy& r) { destroy(sessionId, r, std::move(reply)); },
                 [&](const request::Exists& r) { exists(r, std::move(reply)); },
                 [&](const request::List&) { list(std::move(reply)); },
                 [&](const request::Join& r) { join(sessionId, r, std::move(reply)); },
                 [&](const request::Kick& r) { kick(sessionId, r, std::move(reply)); },
                 [&](const request::Leave&) { leave(sessionId, std::move(reply)); },
                 [&](const request::SetDisplay& r) { setDisplay(sessionId, r, std::move(reply)); },
                 [&](const auto&) { media(sessionId, request, std::move(reply)); },
             },
             request);
}

Room& RoomManager::addRoom(const std::string& roomId, bool autoCreated) {
  Room& room = membership_.addRoom(roomId, autoCreated);
  room.speakers.settings = audioDefaults_;
  if (span_) span_->wire(room);
  return room;
}

void RoomManager::routerGone(Room& room, const std::string& routerId) {
  if (hostPipes_) hostPipes_->routerGone(routerId);
  speakers_.routerGone(room, routerId);
}

void RoomManager::enableSpanning(HostBus& bus, const std::string& pipeIp, const std::string& codecs) {
  auto findRoom = [this](const std::string& roomId) { return membership_.room(roomId); };
  hostPipes_ = std::make_unique<HostPipes>(bus, pipeIp, findRoom, pipes_);
  RoomSpan::Hooks hooks;
  hooks.makeRoom = [this](const std::string& roomId) -> Room& {
    Room& room = addRoom(roomId, true);
    RoomEvent created(RoomEvent::Kind::RoomCreated, roomId);
    created.autoCreated = true;
    observers_.emit(created);
    return room;
  };
  hooks.abandoned = [this](Room& room) { closeIfAbandoned(room); };
  hooks.destroyed = [this](const std::string& roomId) { closeRoom(roomId, RoomCloseReason::Destroyed); };
  hooks.remoteProducerAdded = [this](const std::string& roomId, const std::string& producerId) {
    sdp_.producerAdded(roomId, producerId, 0);
    Room* room = membership_.room(roomId);
    const auto* owner = room ? remoteOwnerOf(*room, producerId) : nullptr;
    if (!owner) return;
    auto producer = owner->second.producers.find(producerId);
    if (producer != owner->second.producers.end() && producer->second.kind == "audio") speakers_.remoteProducerAdded(*room, producerId);
  };
  hooks.remoteProducerClosed = [this](Room& room, const std::string& producerId) { speakers_.producerClosed(room, producerId); };
  hooks.kickLocal = [this](const std::string& roomId, const std::string& peerId) {
    Room* room = membership_.room(roomId);
    return room && kickHere(*room, peerId);
  };
  span_ = std::make_unique<RoomSpan>(pool_.loop(), bus, *directory_, *hostPipes_, events_, findRoom, std::move(hooks), codecs);
  for (const auto& [id, room] : membership_.rooms()) span_->wire(*room);
  speakers_.pipeFromHost = [this](Room& room, const std::string& producerId, const std::string& toRouterId, Speakers::Crossed crossed) {
    std::string host = RoomSpan::hostOfProducer(room, producerId);
    if (host.empty()) return;
    hostPipes_->pipeIn(room, producerId, host, toRouterId, [this, producerId, crossed](const Failure& failure) {
      if (failure) return;
      std::string copyRouterId = hostPipes_->copyRouterOf(producerId);
      if (!copyRouterId.empty()) crossed(copyRouterId);
    });
  };
  media_.pipeFromHost = [this](Room& room, const std::string& producerId, const std::string& toRouterId,
                               std::function<void(const Failure&)> done) {
    std::string host = RoomSpan::hostOfProducer(room, producerId);
    if (host.empty()) return false;
    hostPipes_->pipeIn(room, producerId, host, toRouterId, std::move(done));
    return true;
  };
}

RoomRouter& RoomManager::addRouter(Room& room, WorkerPool::Slot& slot) {
  std::string routerId = newUuid();
  RoomRouter& roomRouter = membership_.addRouter(room, routerId, slot.index, slot.worker.get());
  room.waitingSinceMs = 0;
  const std::string roomId = room.id;
  // The reply comes on a later loop turn (the channel defers even immediate failures). Both callbacks live
  // in the worker, which may outlive the rooms (a reply failed when the pool shuts down after them).
  roomRouter.worker->createRouter(routerId, routerRtpCapabilities_,
                                  [this, alive = lifetime_.token(), roomId, routerId] {
                                    if (!alive.expired()) failover_.routerLost(roomId, routerId);
                                  },
                                  [this, alive = lifetime_.token(), roomId, routerId](Router* created, const Failure& failure) {
                                    if (!alive.expired()) routerCreated(roomId, routerId, created, failure);
                                  });
  return roomRouter;
}

void RoomManager::routerCreated(const std::string& roomId, const std::string& routerId, Router* router,
                                const Failure& failure) {
  Room* room = membership_.roomWithRouter(roomId, routerId);
  if (!room) return;  // closed while the worker was creating it
  RoomRouter& roomRouter = room->routers.at(routerId);
  if (!router) {
    MSP_WARN("room %s: worker %zu could not create a router: %s", roomId.c_str(), roomRouter.workerSlot, failure.detail.c_str());
    RoomRouter gone = membership_.takeRouter(*room, routerId);
    Failure why = failure ? failure : Failure::closed("the router closed");
    for (auto& waiter : gone.readyWaiters) waiter(why);  // joins and moves try elsewhere, or give up
    // A room nobody is in or joining, without a router (its `create` was answered with the failure): gone.
    if (Room* still = membership_.room(roomId); still && still->routers.empty() && still->peers.empty() && still->joining.empty()) {
      closeRoom(roomId, RoomCloseReason::NotCreated);
    }
    return;
  }
  roomRouter.router = router;
  media_.wire(*room, roomRouter);
  speakers_.routerReady(*room, roomRouter);
  auto waiters = std::move(roomRouter.readyWaiters);
  roomRouter.readyWaiters.clear();
  for (auto& waiter : waiters) waiter(Failure{});
}

void RoomManager::closeRouter(Room& room, const std::string& routerId, const Failure& waitersGet) {
  RoomRouter* roomRouter = room.router(routerId);
  if (!roomRouter) return;
  pipes_.routerGone(routerId);
  if (roomRouter->worker) roomRouter->worker->closeRouter(routerId);
  RoomRouter gone = membership_.takeRouter(room, routerId);
  routerGone(room, routerId);
  for (auto& waiter : gone.readyWaiters) waiter(waitersGet);
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
    failover_.startWaiting(room);
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

std::optional<Json> RoomManager::refuseNewRoom(const std::string& adminKey) const {
  if (!adminKey_.empty() && !sameSecret(adminKey, adminKey_)) {
    return errorAnswer(kUnauthorized, "unauthorized (a new room needs the admin_key)");
  }
  if (maxRooms_ != 0 && membership_.rooms().size() >= maxRooms_) {
    return errorAnswer(kLimitReached, "limit reached (max_rooms = " + std::to_string(maxRooms_) + ")");
  }
  return std::nullopt;
}

std::optional<Json> RoomManager::refuseRoomAdmin(uint64_t sessionId, const Room& room, const std::string& secret,
                                                 const std::string& adminKey, const std::string& token) const {
  if (room.secret.empty() && adminKey_.empty()) return std::nullopt;  // nothing protects it
  if (sameSecret(secret, room.secret) || sameSecret(adminKey, adminKey_)) return std::nullopt;
  if (!tokenSecret_.empty() && !token.empty()) {
    auto verified = verifyToken(token, tokenSecret_, room.id, static_cast<int64_t>(std::time(nullptr)));
    if (auto* grants = std::get_if<Grants>(&verified); grants && grants->admin) return std::nullopt;
  }
  Room* in = nullptr;
  if (const Peer* peer = membership_.peerOf(sessionId, &in); peer && in == &room && peer->rights.admin) return std::nullopt;
  return errorAnswer(kUnauthorized, "unauthorized (needs the room's secret, the admin_key or an admin token)");
}

void RoomManager::create(const request::Create& request, Reply reply) {
  if (auto refused = refuseNewRoom(request.adminKey)) return reply(*refused);
  if (draining_) return reply(drainingAnswer());
  request::Create named = request;
  named.room = request.room.value_or(randomRoomId());
  if (membership_.room(*named.room)) return reply(errorAnswer(kRoomExists, "room '" + *named.room + "' already exists"));
  if (!directory_) return createHere(named, std::move(reply));
  directory_->claim(*named.room, [this, alive = lifetime_.token(), named, reply = std::move(reply)](ClaimResult claim) {
    if (alive.expired()) return;
    if (claim.kind == ClaimResult::Kind::Elsewhere) {
      return reply(errorAnswer(kRoomExists, "room '" + *named.room + "' already exists (on host " + claim.hostId + ")"));
    }
    if (claim.kind == ClaimResult::Kind::Unavailable) return reply(directoryUnavailable(*named.room));
    createHere(named, reply);
  });
}

void RoomManager::createHere(const request::Create& request, Reply reply) {
  if (auto refused = refuseNewRoom(request.adminKey)) return reply(*refused);
  std::string id = *request.room;
  if (membership_.room(id)) {
    reply(errorAnswer(kRoomExists, "room '" + id + "' already exists"));
    return;
  }
  WorkerPool::Slot* slot = pool_.choose();
  if (!slot) {
    reply(errorAnswer(kWorkerUnavailable, "no live worker"));
    return;
  }
  Room& room = addRoom(id, false);
  room.speakers.settings = audioSettingsFor(request.audio);
  room.pin = request.pin;
  room.secret = request.secret;
  RoomRouter& first = addRouter(room, *slot);
  RoomEvent created(RoomEvent::Kind::RoomCreated, id);
  created.worker = slot->index;
  observers_.emit(created);
  std::string routerId = first.id;
  first.readyWaiters.push_back([this, reply, id, routerId](const Failure& failure) {
    Room* room = membership_.room(id);
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

void RoomManager::destroy(uint64_t sessionId, const request::Destroy& request, Reply reply) {
  Room* room = membership_.room(request.room);
  if (!room) {
    reply(errorAnswer(kNoSuchRoom, "no such room '" + request.room + "'"));
    return;
  }
  if (auto refused = refuseRoomAdmin(sessionId, *room, request.secret, request.adminKey, request.token)) return reply(*refused);
  closeRoom(request.room, RoomCloseReason::Destroyed);
  Json answer = Json::object();
  answer.set("mediasoup", "destroyed").set("room", request.room);
  reply(answer);
}

void RoomManager::exists(const request::Exists& request, Reply reply) {
  auto answer = [room = request.room](bool exists, const std::string& host) {
    Json a = Json::object();
    a.set("mediasoup", "success").set("room", room).set("exists", exists);
    if (!host.empty()) a.set("host", host);
    return a;
  };
  if (membership_.room(request.room) || !directory_) return reply(answer(membership_.room(request.room) != nullptr, ""));
  directory_->lookup(request.room, [alive = lifetime_.token(), answer, reply = std::move(reply)](std::string hostId, bool) {
    if (!alive.expired()) reply(answer(!hostId.empty(), hostId));
  });
}

std::vector<std::string> RoomManager::homeRoomIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, room] : membership_.rooms()) {
    if (room->homeHost.empty()) ids.push_back(id);  // a member's rooms are their home's to claim
  }
  return ids;
}

void RoomManager::list(Reply reply) {
  Json rooms = Json::array();
  for (const auto& [id, room] : membership_.rooms()) {
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
  auto answer = [](Json list) {
    Json a = Json::object();
    a.set("mediasoup", "success").set("list", list);
    return a;
  };
  if (!directory_) return reply(answer(rooms));
  // The other hosts' rooms too, with the host that holds each (as they published them with their leases).
  directory_->otherRooms([this, alive = lifetime_.token(), rooms, answer, reply = std::move(reply)](std::vector<DirectoryRoom> others, bool) {
    if (alive.expired()) return;
    Json all = rooms;
    std::set<std::string> listed;
    for (const auto& other : others) {
      // A room spanning hosts is listed once: as this host's when it has peers of it here.
      if (membership_.room(other.room) || !listed.insert(other.room).second) continue;
      Json entry = Json::object();
      entry.set("room", other.room).set("host", other.hostId).set("peers", other.peers);
      all.append(entry);
    }
    reply(answer(all));
  });
}

// What a join's token (if any) granted, carried through the directory's claim.
struct RoomManager::JoinGrant {
  PeerRights rights;
  std::string display;
  bool displayFromToken = false;
};

void RoomManager::join(uint64_t sessionId, const request::Join& request, Reply reply) {
  if (const std::string* in = membership_.roomOfSession(sessionId)) {
    reply(errorAnswer(kJoinState, "already in room '" + *in + "'"));
    return;
  }
  if (claiming_.count(sessionId)) return reply(errorAnswer(kJoinState, "already joining a room"));
  if (draining_) return reply(drainingAnswer());
  PeerRights rights;
  std::string display = request.display;
  bool displayFromToken = false;
  if (!tokenSecret_.empty()) {
    if (request.token.empty()) return reply(errorAnswer(kUnauthorized, "unauthorized (join needs a token)"));
    auto verified = verifyToken(request.token, tokenSecret_, request.room, static_cast<int64_t>(std::time(nullptr)));
    if (auto* error = std::get_if<TokenError>(&verified)) {
      return reply(errorAnswer(kUnauthorized, std::string("unauthorized (token: ") + toString(*error) + ")"));
    }
    const Grants& grants = std::get<Grants>(verified);
    rights = PeerRights{grants.publish, grants.subscribe, grants.admin};
    if (grants.display) display = *grants.display;  // the issuer's word wins over the client's
    displayFromToken = grants.display.has_value();
  }
  JoinGrant grant{rights, display, displayFromToken};
  if (membership_.room(request.room) || !directory_) return joinHere(sessionId, request, grant, std::move(reply));
  // A room this host does not have: made here only if no other live host holds it.
  claiming_.insert(sessionId);
  directory_->claim(request.room, [this, alive = lifetime_.token(), sessionId, request, grant, reply = std::move(reply)](ClaimResult claim) {
    if (alive.expired()) return;
    if (!claiming_.count(sessionId)) return reply(errorAnswer(kJoinState, "the handle left before the join completed"));
    if (claim.kind == ClaimResult::Kind::Mine || membership_.room(request.room)) {
      claiming_.erase(sessionId);
      return joinHere(sessionId, request, grant, reply);
    }
    if (claim.kind == ClaimResult::Kind::Unavailable) {
      claiming_.erase(sessionId);
      return reply(directoryUnavailable(request.room));
    }
    if (!span_) {
      claiming_.erase(sessionId);
      return reply(errorAnswer(kWorkerUnavailable, "room '" + request.room + "' is on host " + claim.hostId + ": join it there"));
    }
    // Held by another host: this host joins the room as a member (it learns the peers there), then as usual.
    span_->joinMember(request.room, claim.hostId, [this, alive, sessionId, request, grant, reply, home = claim.hostId](const Failure& failure) {
      if (alive.expired()) return;
      if (!claiming_.erase(sessionId)) return reply(errorAnswer(kJoinState, "the handle left before the join completed"));
      if (failure) return reply(errorAnswer(kWorkerUnavailable, "room '" + request.room + "' on host " + home + ": " + failure.detail));
      joinHere(sessionId, request, grant, reply);
    });
  });
}

// Made here while the directory cannot say whether another host has it, a room could split in two: refused
// until Redis answers again (the rooms this host has go on meanwhile).
Json RoomManager::directoryUnavailable(const std::string& roomId) {
  // A claim that timed out may still land in Redis later: released (after it, on the same connection) unless
  // the room is here by now, so that it does not hold a room this host does not have.
  if (directory_ && !membership_.room(roomId)) directory_->release(roomId);
  return errorAnswer(kWorkerUnavailable, "room '" + roomId + "' is not on this host and the cluster directory (Redis) cannot be reached "
                                         "to find or claim it: try again later");
}

Json RoomManager::drainingAnswer() const {
  std::string other = hostTakingPeers_ ? hostTakingPeers_() : std::string();
  if (other.empty()) return errorAnswer(kWorkerUnavailable, "this host is draining (it takes no new peers) and no other host takes them");
  Json answer = errorAnswer(kWorkerUnavailable, "this host is draining (it takes no new peers): join on host " + other);
  answer.set("hostId", other);
  return answer;
}

void RoomManager::joinHere(uint64_t sessionId, const request::Join& request, JoinGrant grant, Reply reply) {
  if (Room* room = membership_.room(request.room)) {
    if (!room->pin.empty() && !sameSecret(request.pin, room->pin)) {
      return reply(errorAnswer(kUnauthorized, "unauthorized (wrong or missing pin)"));
    }
    // The room's peers on its other hosts count too, as this host last heard of them (two hosts admitting a
    // peer at the same moment may go one over).
    if (maxPeersPerRoom_ != 0 && room->peers.size() + room->joining.size() + room->remotePeers.size() >= maxPeersPerRoom_) {
      return reply(errorAnswer(kLimitReached, "limit reached (max_peers_per_room = " + std::to_string(maxPeersPerRoom_) + ")"));
    }
  } else {
    if (auto refused = refuseNewRoom(request.adminKey)) return reply(*refused);
    if (!pool_.hasLiveWorker()) {
      reply(errorAnswer(kWorkerUnavailable, "no live worker"));
      return;
    }
    addRoom(request.room, true);
    RoomEvent created(RoomEvent::Kind::RoomCreated, request.room);
    created.autoCreated = true;
    observers_.emit(created);
  }
  membership_.enter(sessionId, request.room);  // joining: a second join is refused meanwhile
  joinAttempt(PendingJoin{sessionId, request.room, grant.display, grant.rights, std::move(reply), 0, "",
                          request.appData ? request.appData : Json::object(), grant.displayFromToken});
}

void RoomManager::joinAttempt(PendingJoin join) {
  Room* room = membership_.room(join.roomId);
  RoomRouter* target = room ? place(*room, join.sessionId) : nullptr;
  if (!target) {
    membership_.forgetSession(join.sessionId);
    join.reply(room ? errorAnswer(kWorkerUnavailable, "no live worker")
                    : errorAnswer(kNoSuchRoom, "room '" + join.roomId + "' was destroyed"));
    if (room) closeIfAbandoned(*room);
    return;
  }
  if (target->ready()) return addPeer(*room, *target, join, std::move(join.reply));
  room->joining.insert(join.sessionId);
  join.routerId = target->id;
  target->readyWaiters.push_back([this, join](const Failure& failure) { joinTargetReady(join, failure); });
}

void RoomManager::joinTargetReady(PendingJoin join, const Failure& failure) {
  const std::string* in = membership_.roomOfSession(join.sessionId);
  bool stillJoining = in && *in == join.roomId;
  Room* room = membership_.room(join.roomId);
  RoomRouter* target = room ? room->router(join.routerId) : nullptr;
  if (room) room->joining.erase(join.sessionId);
  bool joins = stillJoining && room && !failure && target;
  if (!joins && target) target->peers.erase(join.sessionId);  // not counted there any more
  if (!stillJoining) return join.reply(errorAnswer(kJoinState, "the handle left before the join completed"));
  if (!room) {
    membership_.forgetSession(join.sessionId);
    join.reply(failure.unavailable() ? errorAnswer(kWorkerUnavailable, "no live worker could host room '" + join.roomId + "'")
                                     : errorAnswer(kNoSuchRoom, "room '" + join.roomId + "' was destroyed"));
    return;
  }
  if (!joins) {
    if (failure.unavailable() && join.attempt + 1 < kMaxPlacementAttempts) {
      ++join.attempt;
      return joinAttempt(std::move(join));
    }
    membership_.forgetSession(join.sessionId);
    join.reply(errorAnswer(kWorkerUnavailable, "no worker could take the peer: " + failure.detail));
    closeIfAbandoned(*room);
    return;
  }
  addPeer(*room, *target, join, std::move(join.reply));
}

void RoomManager::kick(uint64_t sessionId, const request::Kick& request, Reply reply) {
  Room* room = membership_.room(request.room);
  if (!room) return reply(errorAnswer(kNoSuchRoom, "no such room '" + request.room + "'"));
  if (auto refused = refuseRoomAdmin(sessionId, *room, request.secret, request.adminKey, request.token)) return reply(*refused);
  auto success = [] {
    Json answer = Json::object();
    answer.set("mediasoup", "success");
    return answer;
  };
  if (kickHere(*room, request.peerId)) return reply(success());
  if (!span_ || !room->remotePeers.count(request.peerId)) {
    return reply(errorAnswer(kNoSuchEntity, "no such peer '" + request.peerId + "' in this room"));
  }
  // Another host's peer: that host removes it (its snapshot then tells everyone peerLeft).
  span_->kickRemote(*room, request.peerId, [reply, success, peerId = request.peerId](const Failure& failure) {
    if (!failure) return reply(success());
    if (failure.kind == Failure::Kind::Rejected || failure.kind == Failure::Kind::Closed) {
      return reply(errorAnswer(kNoSuchEntity, "no such peer '" + peerId + "' in this room"));
    }
    reply(errorAnswer(kWorkerUnavailable, failure.detail));
  });
}

bool RoomManager::kickHere(Room& room, const std::string& peerId) {
  auto kicked = std::find_if(room.peers.begin(), room.peers.end(), [&](const auto& entry) { return entry.second.peerId == peerId; });
  if (kicked == room.peers.end()) return false;
  uint64_t kickedSession = kicked->first;
  MSP_VERB("room %s: peer %s kicked", room.id.c_str(), peerId.c_str());
  Json event = apiEvent("kicked");
  event.set("room", room.id);
  events_(kickedSession, event);
  removePeer(room, kickedSession);  // the others hear peerLeft; an auto room left empty closes
  return true;
}

Json RoomManager::peersOf(Room& room, uint64_t exceptSessionId) {
  Json others = Json::array();
  for (const auto& [id, peer] : room.peers) {
    if (id == exceptSessionId) continue;
    RoomRouter* theirs = room.routerOf(peer);
    Json entry = theirs && theirs->router ? media_.producersOf(*theirs->router, id) : Json::object();
    if (!json_object_get(entry.get(), "producers")) entry.set("producers", Json::array()).set("dataProducers", Json::array());
    entry.set("peerId", peer.peerId).set("display", peer.display).set("appData", peer.appData);
    if (theirs) entry.set("worker", static_cast<unsigned long>(theirs->workerSlot));
    else entry.set("worker", Json::adopt(json_null()));
    others.append(entry);
  }
  // Peers on the room's other hosts (worker null: not one of this host's; "host" says which).
  for (const auto& [peerId, remote] : room.remotePeers) {
    Json entry = remotePeerJson(peerId, remote, true);
    entry.set("producers", remoteProducersJson(remote, false)).set("worker", Json::adopt(json_null()));
    others.append(entry);
  }
  return others;
}

void RoomManager::addPeer(Room& room, RoomRouter& roomRouter, const PendingJoin& join, Reply reply) {
  uint64_t sessionId = join.sessionId;
  Json others = peersOf(room, sessionId);
  Peer& peer = membership_.addPeer(room, roomRouter, sessionId, newUuid(), join.display);
  peer.rights = join.rights;
  peer.appData = join.appData;
  peer.displayFromToken = join.displayFromToken;

  Json joined = apiEvent("peerJoined");
  joined.set("peerId", peer.peerId).set("display", peer.display).set("worker", static_cast<unsigned long>(roomRouter.workerSlot))
      .set("appData", peer.appData);
  RoomEvent joinedEvent(RoomEvent::Kind::PeerJoined, room.id);
  joinedEvent.peerId = peer.peerId;
  joinedEvent.display = peer.display;
  joinedEvent.worker = roomRouter.workerSlot;
  observers_.emit(joinedEvent);
  broadcast(room, events_, joined, sessionId);

  Json answer = Json::object();
  answer.set("mediasoup", "joined").set("room", room.id).set("worker", static_cast<unsigned long>(roomRouter.workerSlot))
      .set("peerId", peer.peerId).set("routerRtpCapabilities", routerRtpCapabilities_).set("peers", others)
      .set("activeSpeaker", speakers_.activeSpeakerOf(room));
  reply(answer);
}

void RoomManager::leave(uint64_t sessionId, Reply reply) {
  Room* room = nullptr;
  if (!membership_.peerOf(sessionId, &room)) {
    reply(errorAnswer(kJoinState, "not in a room"));
    return;
  }
  std::string roomId = room->id;
  removePeer(*room, sessionId);
  Json answer = Json::object();
  answer.set("mediasoup", "left").set("room", roomId);
  reply(answer);
}

void RoomManager::setDisplay(uint64_t sessionId, const request::SetDisplay& request, Reply reply) {
  Room* room = nullptr;
  Peer* peer = membership_.peerOf(sessionId, &room);
  if (!peer) return reply(errorAnswer(kJoinState, "not in a room: join first"));
  if (peer->displayFromToken) return reply(errorAnswer(kUnauthorized, "unauthorized (the access token sets the display)"));
  peer->display = request.display;
  Json updated = apiEvent("peerUpdated");
  updated.set("peerId", peer->peerId).set("display", peer->display);
  broadcast(*room, events_, updated, sessionId);
  Json answer = Json::object();
  answer.set("mediasoup", "success");
  reply(answer);
}

RoomAudioSettings RoomManager::audioSettingsFor(const request::RoomAudio& own) const {
  RoomAudioSettings settings = audioDefaults_;
  if (own.audioLevels) settings.audioLevels = *own.audioLevels;
  if (own.audioLevelIntervalMs) settings.audioLevelIntervalMs = *own.audioLevelIntervalMs;
  if (own.audioLevelThreshold) settings.audioLevelThreshold = *own.audioLevelThreshold;
  if (own.activeSpeaker) settings.activeSpeaker = *own.activeSpeaker;
  if (own.activeSpeakerIntervalMs) settings.activeSpeakerIntervalMs = *own.activeSpeakerIntervalMs;
  return settings;
}

void RoomManager::sessionGone(uint64_t sessionId) {
  MSP_ASSERT_LOOP_THREAD(pool_.loop());
  claiming_.erase(sessionId);
  const std::string* in = membership_.roomOfSession(sessionId);
  if (!in) return;
  Room* room = membership_.room(*in);
  if (!room) {
    membership_.forgetSession(sessionId);
    return;
  }
  if (room->peers.count(sessionId)) return removePeer(*room, sessionId);
  // Still joining: its pending join finds it gone; the router it was counted on may now be unused.
  membership_.forgetSession(sessionId);
  room->joining.erase(sessionId);
  std::string unusedRouter;
  for (auto& [id, roomRouter] : room->routers) {
    if (roomRouter.peers.erase(sessionId)) unusedRouter = id;
  }
  if (!closeIfAbandoned(*room) && !unusedRouter.empty()) closeRouterIfUnused(*room, unusedRouter);
}

void RoomManager::media(uint64_t sessionId, const Request& request, Reply reply) {
  Room* room = nullptr;
  Peer* peer = membership_.peerOf(sessionId, &room);
  if (!peer) {
    reply(errorAnswer(kJoinState, "not in a room: join first"));
    return;
  }
  RoomRouter* roomRouter = room->routerOf(*peer);
  if (!roomRouter || !roomRouter->ready()) {
    reply(errorAnswer(kWorkerUnavailable, "the peer is moving to another worker: wait for the moved event"));
    return;
  }
  if (std::holds_alternative<request::PublishSdp>(request) || std::holds_alternative<request::SubscribeSdp>(request) ||
      std::holds_alternative<request::SdpAnswer>(request) || std::holds_alternative<request::UnpublishSdp>(request)) {
    return sdp_.handle(*room, *peer, request, std::move(reply));
  }
  media_.handle(*room, *peer, request, std::move(reply));
}

void RoomManager::removePeer(Room& room, uint64_t sessionId) {
  auto it = room.peers.find(sessionId);
  if (it == room.peers.end()) return;
  RoomRouter* roomRouter = room.routerOf(it->second);
  std::string routerId = roomRouter ? roomRouter->id : "";
  // Its producers close first: the others hear (and their piped copies close) before peerLeft.
  if (roomRouter && roomRouter->router) media_.peerLeaving(*roomRouter->router, sessionId);
  Json left = apiEvent("peerLeft");
  left.set("peerId", it->second.peerId).set("display", it->second.display);
  RoomEvent leftEvent(RoomEvent::Kind::PeerLeft, room.id);
  leftEvent.peerId = it->second.peerId;
  observers_.emit(leftEvent);
  membership_.removePeer(room, sessionId);
  sdp_.forget(sessionId);
  broadcast(room, events_, left);
  if (closeIfAbandoned(room)) return;
  if (!routerId.empty()) closeRouterIfUnused(room, routerId);
}

bool RoomManager::closeIfAbandoned(Room& room) {
  if (!room.autoCreated || !room.peers.empty() || !room.joining.empty()) return false;
  if (RoomSpan::keptForOtherHosts(room)) return false;  // its home keeps it while other hosts have peers in it
  closeRoom(room.id, RoomCloseReason::Empty);
  return true;
}

void RoomManager::closeRoom(std::string roomId, RoomCloseReason reason) {
  std::unique_ptr<Room> room = membership_.takeRoom(roomId);
  if (!room) return;
  if (span_) span_->roomClosing(*room, reason == RoomCloseReason::Destroyed);
  if (directory_) directory_->release(roomId);
  MSP_VERB("room %s closed (%s)", roomId.c_str(), toString(reason));
  RoomEvent closedEvent(RoomEvent::Kind::RoomClosed, roomId);
  closedEvent.reason = toString(reason);
  observers_.emit(closedEvent);

  if (announced(reason)) {
    Json closed = apiEvent("roomClosed");
    closed.set("room", roomId).set("reason", toString(reason));
    broadcast(*room, events_, closed);
  }
  Failure why = reason == RoomCloseReason::NoWorker || reason == RoomCloseReason::NotCreated
                    ? Failure::workerGone("no live worker could host room '" + roomId + "'")
                    : Failure::closed("room '" + roomId + "' was closed");
  for (const auto& [sessionId, peer] : room->peers) sdp_.forget(sessionId);
  speakers_.roomClosing(*room);
  std::vector<std::string> routerIds;
  for (const auto& [id, roomRouter] : room->routers) routerIds.push_back(id);
  for (const auto& id : routerIds) closeRouter(*room, id, why);
}

void RoomManager::closeAll() {
  failover_.stop();
  while (!membership_.rooms().empty()) closeRoom(membership_.rooms().begin()->first, RoomCloseReason::Shutdown);
}

}  // namespace msp
