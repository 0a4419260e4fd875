#include "rooms/RoomSpan.h"

#include <algorithm>

#include "base/Log.h"
#include "entities/Router.h"
#include "rooms/RemotePeers.h"

namespace msp {

RoomSpan::RoomSpan(uv_loop_t* loop, HostBus& bus, RoomDirectory& directory, HostPipes& pipes, EventSink events, FindRoom findRoom,
                   Hooks hooks, std::string codecs)
    : bus_(bus), directory_(directory), pipes_(pipes), events_(std::move(events)), findRoom_(std::move(findRoom)),
      hooks_(std::move(hooks)), codecs_(std::move(codecs)), loop_(loop) {
  flushTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  resyncTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  uv_timer_start(resyncTimer_.get(), [](uv_timer_t* t) { static_cast<RoomSpan*>(t->data)->resync(); }, kResyncMs, kResyncMs);
  bus_.onRequest("member", [this](const BusMessage& request, HostBus::Respond respond) { onMember(request, std::move(respond)); });
  bus_.onNotice("snapshot", [this](const BusMessage& notice) { onSnapshot(notice); });
  bus_.onNotice("roomDestroyed", [this](const BusMessage& notice) { onDestroyed(notice); });
  bus_.onRequest("kick", [this](const BusMessage& request, HostBus::Respond respond) { onKick(request, std::move(respond)); });
}

std::string RoomSpan::hostOfProducer(const Room& room, const std::string& producerId) {
  const auto* owner = remoteOwnerOf(room, producerId);
  return owner ? owner->second.hostId : std::string();
}

void RoomSpan::wire(Room& room) {
  spanned_.insert(room.id);
  room.onPeersChanged = [this](const std::string& roomId) { changed(roomId); };
}

// This host's own peers of the room, as the others need them.
Json RoomSpan::snapshotOf(const Room& room) const {
  Json peers = Json::array();
  for (const auto& [sessionId, peer] : room.peers) {
    RemotePeer described;
    described.display = peer.display;
    described.appData = peer.appData;
    auto roomRouter = room.routers.find(peer.routerId);
    if (roomRouter != room.routers.end() && roomRouter->second.router) {
      for (const Transport* transport : roomRouter->second.router->transportsOf(sessionId)) {
        for (const auto& [id, producer] : transport->producers()) {
          described.producers[id] = RemoteProducer{producer->kind(), producer->appData(), producer->paused()};
        }
        for (const auto& [id, dataProducer] : transport->dataProducers()) {
          described.dataProducers[id] = RemoteDataProducer{dataProducer->label(), dataProducer->protocol(), dataProducer->appData()};
        }
      }
    }
    peers.append(remotePeerJson(peer.peerId, described, false));
  }
  return peers;
}

void RoomSpan::changed(const std::string& roomId) {
  dirty_.insert(roomId);
  // A few milliseconds: what one request changes goes out as one snapshot.
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(flushTimer_.get()))) {
    uv_timer_start(flushTimer_.get(), [](uv_timer_t* t) { static_cast<RoomSpan*>(t->data)->flush(); }, 5, 0);
  }
}

void RoomSpan::flush() {
  auto dirty = std::move(dirty_);
  dirty_.clear();
  for (const auto& roomId : dirty) {
    if (Room* room = findRoom_(roomId)) sendSnapshot(*room);
  }
}

void RoomSpan::resync() {
  // Every room over several hosts again: a snapshot lost on the way is mended within kResyncMs. A copy of the
  // ids: a room whose other hosts all fell silent may close meanwhile.
  std::vector<std::string> rooms(spanned_.begin(), spanned_.end());
  for (const auto& roomId : rooms) {
    if (Room* room = findRoom_(roomId)) dropSilentHosts(*room);
    if (Room* room = findRoom_(roomId)) sendSnapshot(*room);
  }
}

void RoomSpan::dropSilentHosts(Room& room) {
  uint64_t up = bus_.upSinceMs();
  if (up == 0) return;  // this host hears nobody now: their silence says nothing
  uint64_t now = uv_now(loop_);
  std::vector<std::string> silent;
  for (const auto& host : room.memberHosts) {
    auto heard = room.heardFrom.find(host);
    if (now - std::max(up, heard == room.heardFrom.end() ? 0 : heard->second) > kSilentHostMs) silent.push_back(host);
  }
  for (const auto& host : silent) {
    MSP_WARN("cluster: room %s: nothing from host %s for %llu ms: its peers leave here", room.id.c_str(), host.c_str(),
             static_cast<unsigned long long>(kSilentHostMs));
    // The home stays the one to tell (its next snapshot brings its peers back); a member is gone.
    if (host == room.homeHost) {
      room.heardFrom[host] = now;
    } else {
      room.memberHosts.erase(host);
      room.heardFrom.erase(host);
    }
    pipes_.roomHostGone(room.id, host);
    applySnapshot(room, host, Json::array());
  }
  if (!silent.empty() && hooks_.abandoned) hooks_.abandoned(room);
}

void RoomSpan::sendSnapshot(const Room& room) {
  if (room.memberHosts.empty()) return;
  Json peers = snapshotOf(room);
  // A member whose peers are all still joining would read as one that left: it waits for them.
  if (json_array_size(peers.get()) == 0 && !room.homeHost.empty() && !room.joining.empty()) return;
  Json body = Json::object();
  body.set("peers", peers);
  if (room.homeHost.empty()) {
    // From the home, the room's members too: a member that joined while another's word was on its way learns
    // of it here (each sends its snapshots to the others it knows).
    Json members = Json::array();
    for (const auto& host : room.memberHosts) members.append(Json::adopt(json_string(host.c_str())));
    body.set("members", members);
  }
  for (const auto& host : room.memberHosts) bus_.notify(host, "snapshot", room.id, body);
}

void RoomSpan::joinMember(const std::string& roomId, const std::string& home, std::function<void(const Failure&)> done) {
  auto& waiting = joining_[roomId];
  waiting.push_back(std::move(done));
  if (waiting.size() > 1) return;  // another join of this room waits for the home already
  Json body = Json::object();
  body.set("codecs", codecs_);
  bus_.request(home, "member", roomId, body, [this, alive = std::weak_ptr<char>(alive_), roomId, home](const Json& answer, const Failure& failure) {
    if (alive.expired()) return;
    auto waiters = std::move(joining_[roomId]);
    joining_.erase(roomId);
    Failure outcome = failure;
    if (failure && failure.kind != Failure::Kind::Rejected) outcome = Failure::workerGone("host " + home + " (the room's home) did not answer");
    if (!outcome) {
      Room* room = findRoom_(roomId);
      if (!room) {
        room = &hooks_.makeRoom(roomId);
        room->homeHost = home;
        // Guarded and observed here as on its home (before its first router: the observers follow them).
        applyRoomSettings(*room, answer.at("settings"));
      }
      room->memberHosts.insert(home);
      room->heardFrom[home] = uv_now(loop_);
      size_t i;
      json_t* member;
      json_array_foreach(json_object_get(answer.get(), "members"), i, member) {
        if (!json_is_string(member) || json_string_value(member) == bus_.hostId()) continue;
        room->memberHosts.insert(json_string_value(member));
        room->heardFrom[json_string_value(member)] = uv_now(loop_);
      }
      // Every peer the home knows of, by host.
      std::map<std::string, Json> byHost;
      json_t* peer;
      json_array_foreach(json_object_get(answer.get(), "peers"), i, peer) {
        json_t* hostValue = json_object_get(peer, "host");
        std::string host = json_is_string(hostValue) && json_string_length(hostValue) <= 128 ? json_string_value(hostValue) : "";
        if (host.empty() || host == bus_.hostId()) continue;
        if (!byHost.count(host)) byHost[host] = Json::array();
        byHost[host].append(Json::borrow(peer));
      }
      for (auto& [host, peers] : byHost) applySnapshot(*room, host, peers);
      MSP_INFO("cluster: room %s joined as a member of host %s's room (%zu other hosts)", roomId.c_str(), home.c_str(), room->memberHosts.size());
    }
    for (auto& waiter : waiters) waiter(outcome);
  });
}

void RoomSpan::onMember(const BusMessage& request, HostBus::Respond respond) {
  Room* room = findRoom_(request.room);
  if (!room || !room->homeHost.empty()) return respond(Json(), "room '" + request.room + "' is not held here");
  if (request.body.string("codecs").value_or("") != codecs_) {
    return respond(Json(), "the hosts' media_codecs differ (" + codecs_ + " here): a room cannot span them");
  }
  bool newMember = room->memberHosts.insert(request.from).second;
  room->heardFrom[request.from] = uv_now(loop_);
  if (newMember) changed(room->id);  // the other members learn of it from the home's next snapshot, now
  Json peers = snapshotOf(*room);
  size_t i;
  json_t* peer;
  json_array_foreach(peers.get(), i, peer) json_object_set_new(peer, "host", json_string(bus_.hostId().c_str()));
  for (const auto& [peerId, remote] : room->remotePeers) {
    if (remote.hostId != request.from) peers.append(remotePeerJson(peerId, remote, true));
  }
  Json members = Json::array();
  for (const auto& host : room->memberHosts) {
    if (host != request.from) members.append(Json::adopt(json_string(host.c_str())));
  }
  Json answer = Json::object();
  answer.set("peers", peers).set("members", members).set("settings", roomSettingsJson(*room));
  respond(answer, "");
}

void RoomSpan::kickRemote(const Room& room, const std::string& peerId, std::function<void(const Failure&)> done) {
  auto peer = room.remotePeers.find(peerId);
  if (peer == room.remotePeers.end()) return bus_.later([done] { done(Failure::closed("no such peer")); });
  Json body = Json::object();
  body.set("peerId", peerId);
  const std::string host = peer->second.hostId;
  bus_.request(host, "kick", room.id, body, [done, host](const Json&, const Failure& failure) {
    if (!failure || failure.kind == Failure::Kind::Rejected) return done(failure);
    done(Failure::workerGone("host " + host + " (the peer's) did not answer"));
  });
}

// The requesting host checked the room's secret (it has the home's): this one only removes its peer.
void RoomSpan::onKick(const BusMessage& request, HostBus::Respond respond) {
  auto peerId = request.body.string("peerId");
  if (!peerId || !hooks_.kickLocal || !hooks_.kickLocal(request.room, *peerId)) {
    return respond(Json(), "no such peer in room '" + request.room + "' here");
  }
  respond(Json::object(), "");
}

void RoomSpan::onSnapshot(const BusMessage& notice) {
  Room* room = findRoom_(notice.room);
  if (!room || notice.from == bus_.hostId()) return;  // nobody here: nothing to tell
  Json peers = notice.body.at("peers");
  if (!json_is_array(peers.get())) return;
  bool present = json_array_size(peers.get()) > 0;
  if (present) room->memberHosts.insert(notice.from);
  room->heardFrom[notice.from] = uv_now(loop_);
  if (notice.from == room->homeHost) {
    size_t i;
    json_t* member;
    json_array_foreach(json_object_get(notice.body.get(), "members"), i, member) {
      if (i >= kMaxRemotePeers) break;
      if (!json_is_string(member) || json_string_length(member) > 128 || json_string_value(member) == bus_.hostId()) continue;
      if (!room->memberHosts.insert(json_string_value(member)).second) continue;
      room->heardFrom[json_string_value(member)] = uv_now(loop_);
      changed(room->id);  // the new member hears of this host's peers now, not at the next resync
    }
  }
  applySnapshot(*room, notice.from, peers);
  // A member with no peer left has closed its room (and its pipes, whose closePipe may have been lost: ours to
  // it close too); the home keeps its room (and stays the one to tell) even with none.
  if (!present && notice.from != room->homeHost) {
    room->memberHosts.erase(notice.from);
    room->heardFrom.erase(notice.from);
    pipes_.roomHostGone(room->id, notice.from);
    if (hooks_.abandoned) hooks_.abandoned(*room);
  }
}

void RoomSpan::onDestroyed(const BusMessage& notice) {
  Room* room = findRoom_(notice.room);
  if (room && room->homeHost == notice.from && hooks_.destroyed) hooks_.destroyed(notice.room);
}

void RoomSpan::tellLocal(const Room& room, const Json& event) const {
  for (const auto& [sessionId, peer] : room.peers) events_(sessionId, event);
}

void RoomSpan::applySnapshot(Room& room, const std::string& host, const Json& peersJson) {
  std::map<std::string, RemotePeer> after = parseRemotePeers(peersJson, host);
  std::map<std::string, RemotePeer> before;
  for (const auto& [peerId, peer] : room.remotePeers) {
    if (peer.hostId == host) before.emplace(peerId, peer);
  }
  // A peer id another host (or this one) already has is not this host's to describe.
  for (auto it = after.begin(); it != after.end();) {
    auto known = room.remotePeers.find(it->first);
    bool taken = (known != room.remotePeers.end() && known->second.hostId != host) ||
                 std::any_of(room.peers.begin(), room.peers.end(), [&](const auto& p) { return p.second.peerId == it->first; });
    it = taken ? after.erase(it) : std::next(it);
  }
  using Kind = PeerChange::Kind;
  std::vector<std::string> addedProducers, closedProducers;
  for (const auto& change : diffRemotePeers(before, after)) {
    // What closes may belong to a peer that is gone (then only `before` has it); the rest is in `after`.
    const RemotePeer& peer = after.count(change.peerId) ? after.at(change.peerId) : before.at(change.peerId);
    Json e;
    switch (change.kind) {
      case Kind::PeerJoined:
        e = apiEvent("peerJoined");
        e.set("peerId", change.peerId).set("display", peer.display).set("worker", Json::adopt(json_null())).set("host", host)
            .set("appData", peer.appData);
        break;
      case Kind::PeerUpdated:
        e = apiEvent("peerUpdated");
        e.set("peerId", change.peerId).set("display", peer.display);
        break;
      case Kind::ProducerAdded: {
        const RemoteProducer& producer = peer.producers.at(change.producerId);
        e = apiEvent("newProducer");
        e.set("peerId", change.peerId).set("producerId", change.producerId).set("kind", producer.kind).set("appData", producer.appData);
        addedProducers.push_back(change.producerId);
        break;
      }
      case Kind::ProducerPaused:
      case Kind::ProducerResumed:
        pipes_.remoteProducerPaused(room, change.producerId, change.kind == Kind::ProducerPaused);
        e = apiEvent(change.kind == Kind::ProducerPaused ? "producerPaused" : "producerResumed");
        e.set("producerId", change.producerId);
        break;
      case Kind::ProducerClosed:
        pipes_.remoteProducerClosed(room, change.producerId);
        closedProducers.push_back(change.producerId);
        e = apiEvent("producerClosed");
        e.set("producerId", change.producerId);
        break;
      case Kind::DataProducerAdded: {
        const RemoteDataProducer& dataProducer = peer.dataProducers.at(change.producerId);
        e = apiEvent("newDataProducer");
        e.set("peerId", change.peerId).set("dataProducerId", change.producerId).set("label", dataProducer.label)
            .set("protocol", dataProducer.protocol).set("appData", dataProducer.appData);
        break;
      }
      case Kind::DataProducerClosed:
        pipes_.remoteProducerClosed(room, change.producerId);
        e = apiEvent("dataProducerClosed");
        e.set("dataProducerId", change.producerId);
        break;
      case Kind::PeerLeft:
        e = apiEvent("peerLeft");
        e.set("peerId", change.peerId).set("display", peer.display);
        break;
    }
    tellLocal(room, e);
  }
  for (const auto& [peerId, peer] : before) room.remotePeers.erase(peerId);
  for (auto& [peerId, peer] : after) room.remotePeers[peerId] = std::move(peer);
  if (hooks_.remoteProducerClosed) {
    for (const auto& id : closedProducers) hooks_.remoteProducerClosed(room, id);
  }
  if (hooks_.remoteProducerAdded) {
    for (const auto& id : addedProducers) hooks_.remoteProducerAdded(room.id, id);
  }
}

void RoomSpan::roomClosing(Room& room, bool destroyed) {
  room.onPeersChanged = nullptr;
  dirty_.erase(room.id);
  spanned_.erase(room.id);
  Json body = Json::object();
  body.set("peers", Json::array());
  for (const auto& host : room.memberHosts) {
    if (destroyed && room.homeHost.empty()) bus_.notify(host, "roomDestroyed", room.id, Json::object());
    else bus_.notify(host, "snapshot", room.id, body);
  }
}

void RoomSpan::hostLost(const std::string& hostId) {
  // Its pipes first (the copies of its producers close, their consumers are told), then its peers leave.
  pipes_.hostLost(hostId);
  std::vector<std::string> rooms(spanned_.begin(), spanned_.end());
  for (const auto& roomId : rooms) {
    Room* room = findRoom_(roomId);
    if (!room) continue;
    bool knew = room->memberHosts.erase(hostId) > 0;
    for (const auto& [peerId, peer] : room->remotePeers) knew |= peer.hostId == hostId;
    if (!knew) continue;
    applySnapshot(*room, hostId, Json::array());
    if (room->homeHost == hostId) homeLost(*room);
    else if (hooks_.abandoned) hooks_.abandoned(*room);
  }
}

void RoomSpan::isolated() {
  std::set<std::string> others;
  for (const auto& roomId : spanned_) {
    if (Room* room = findRoom_(roomId)) {
      for (const auto& [peerId, peer] : room->remotePeers) others.insert(peer.hostId);
      others.insert(room->memberHosts.begin(), room->memberHosts.end());
    }
  }
  for (const auto& host : others) {
    pipes_.hostLost(host);
    for (const auto& roomId : spanned_) {
      if (Room* room = findRoom_(roomId)) applySnapshot(*room, host, Json::array());
    }
  }
}

// Its members race for the claim (compare-and-set against the lost home's): one wins and is the home; the
// others learn which.
void RoomSpan::homeLost(Room& room) {
  std::string roomId = room.id;
  directory_.claim(roomId, [this, alive = std::weak_ptr<char>(alive_), roomId](ClaimResult claim) {
    if (alive.expired()) return;
    Room* room = findRoom_(roomId);
    if (!room) return;
    if (claim.kind == ClaimResult::Kind::Elsewhere) return heldElsewhere(*room, claim.hostId);
    room->homeHost.clear();  // ours now (or Redis cannot tell: ours until it can)
    MSP_INFO("cluster: room %s: its home was lost; this host holds it now", roomId.c_str());
  });
}

void RoomSpan::heldElsewhere(Room& room, const std::string& home) {
  if (!room.homeHost.empty() && room.homeHost == home) return;
  room.homeHost = home;
  room.memberHosts.insert(home);
  room.heardFrom[home] = uv_now(loop_);
  room.autoCreated = true;  // a member's room: it closes with its last peer here
  MSP_INFO("cluster: room %s: its home is now host %s", room.id.c_str(), home.c_str());
  sendSnapshot(room);
  if (hooks_.abandoned) hooks_.abandoned(room);
}

}  // namespace msp
