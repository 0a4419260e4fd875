#include "rooms/SdpSignaling.h"

#include <algorithm>
#include <utility>

#include "base/Log.h"
#include "base/Overloaded.h"
#include "rooms/RemotePeers.h"
#include "entities/Router.h"
#include "ortc/Ortc.h"
#include "sdp/Sdp.h"

namespace msp {
namespace {

bool isError(const Json& answer) { return json_object_get(answer.get(), "error_code") != nullptr; }

Json answerNamed(const char* name) {
  Json a = Json::object();
  a.set("mediasoup", name);
  return a;
}

// The same answer with a prefix to its text: which m-line or producer it was about.
Json withContext(const Json& error, const std::string& context) {
  json_t* code = json_object_get(error.get(), "error_code");
  const char* text = json_string_value(json_object_get(error.get(), "error"));
  return errorAnswer(static_cast<int>(json_integer_value(code)), context + ": " + (text ? text : ""));
}

// The peer whose producer this is (its own, not a pipe's copy), in any router of the room.
std::string producingPeer(const Room& room, const std::string& producerId) {
  for (const auto& [id, roomRouter] : room.routers) {
    if (!roomRouter.router) continue;
    Transport* owner = nullptr;
    if (roomRouter.router->findProducer(producerId, &owner) && !owner->isPipe()) {
      auto peer = room.peers.find(owner->owner());
      return peer == room.peers.end() ? std::string() : peer->second.peerId;
    }
  }
  const auto* remote = remoteOwnerOf(room, producerId);  // another host's peer's
  return remote ? remote->first : std::string();
}

}  // namespace

SdpSignaling::SdpSignaling(MediaSignaling& media, EventSink events, FindPeer findPeer, uv_loop_t* loop)
    : media_(media), events_(std::move(events)), findPeer_(std::move(findPeer)), deferred_(loop) {}

void SdpSignaling::handle(Room& room, const Peer& peer, const Request& request, Reply reply) {
  prune(room, peer);
  std::visit(Overloaded{
                 [&](const request::PublishSdp& r) { publish(room, peer, r, std::move(reply)); },
                 [&](const request::SubscribeSdp& r) { subscribe(room, peer, r, std::move(reply)); },
                 [&](const request::SdpAnswer& r) { answer(room, peer, r, std::move(reply)); },
                 [&](const request::UnpublishSdp& r) { unpublish(room, peer, r, std::move(reply)); },
                 [&](const auto&) { reply(errorAnswer(kUnknownRequest, "not an SDP request")); },
             },
             request);
}

bool SdpSignaling::isSdpPeer(uint64_t sessionId) const {
  return std::any_of(transports_.begin(), transports_.end(), [&](const auto& entry) { return entry.second.sessionId == sessionId; });
}

void SdpSignaling::forget(uint64_t sessionId) {
  for (auto it = transports_.begin(); it != transports_.end();) {
    if (it->second.sessionId == sessionId) it = transports_.erase(it);
    else ++it;
  }
}

void SdpSignaling::prune(Room& room, const Peer& peer) {
  Router& router = MediaSignaling::routerOf(room, peer);
  for (auto it = transports_.begin(); it != transports_.end();) {
    const SdpTransport& t = it->second;
    bool gone = t.sessionId == peer.sessionId && !t.busy && (t.routerId != peer.routerId || !router.transport(t.transportId));
    if (gone) it = transports_.erase(it);
    else ++it;
  }
}

SdpSignaling::SdpTransport* SdpSignaling::own(Room& room, const Peer& peer, const std::string& transportId, Reply& reply) {
  auto it = transports_.find(transportId);
  if (it == transports_.end() || it->second.sessionId != peer.sessionId || !MediaSignaling::routerOf(room, peer).transport(transportId)) {
    reply(errorAnswer(kNoSuchEntity, "no such SDP transport '" + transportId + "'"));
    return nullptr;
  }
  if (it->second.busy) {
    reply(errorAnswer(kInvalidElement, "invalid element (transportId: a negotiation is already under way on it)"));
    return nullptr;
  }
  return &it->second;
}

void SdpSignaling::ask(uint64_t sessionId, Request request, std::function<void(Json answer)> then) {
  auto [room, peer] = findPeer_(sessionId);
  if (!room) return then(errorAnswer(kJoinState, "not in a room any more"));
  // The next step runs on a later loop turn, never inside MediaSignaling's (or an entity's) call: a step may
  // close what that call is still using.
  media_.handle(*room, *peer, request, [this, alive = lifetime_.token(), then = std::move(then)](Json answer) {
    if (alive.expired()) return;
    deferred_.post([then, answer = std::move(answer)] { then(answer); });
  });
}

void SdpSignaling::closeTransport(uint64_t sessionId, const std::string& transportId) {
  transports_.erase(transportId);
  ask(sessionId, request::CloseTransport{transportId}, [](Json) {});
}

// ---- Publishing -------------------------------------------------------------------------------------------

void SdpSignaling::publish(Room& room, const Peer& peer, const request::PublishSdp& r, Reply reply) {
  auto parsed = sdp::parse(r.sdp);
  if (auto* error = std::get_if<sdp::ParseError>(&parsed)) {
    return reply(errorAnswer(kInvalidElement, "invalid element (sdp: " + error->detail + ")"));
  }
  auto offer = std::make_shared<sdp::SessionDescription>(std::get<sdp::SessionDescription>(std::move(parsed)));
  auto planned = sdp::planPublish(*offer, MediaSignaling::routerOf(room, peer).rtpCapabilities().get());
  if (auto* error = std::get_if<sdp::MappingError>(&planned)) return reply(errorAnswer(kInvalidParameters, "invalid SDP offer: " + error->detail));
  auto plan = std::make_shared<sdp::PublishPlan>(std::get<sdp::PublishPlan>(std::move(planned)));
  uint64_t sessionId = peer.sessionId;

  // The answer once every track has its producer: every producer of the transport, by mid.
  auto finish = [this, offer, plan, reply](const std::string& transportId) {
    auto it = transports_.find(transportId);
    if (it == transports_.end()) return reply(errorAnswer(kJoinState, "not in the room any more"));
    SdpTransport& t = it->second;
    t.busy = false;
    ++t.version;
    Json producers = Json::array();
    for (const auto& [mid, producer] : t.producerOfMid) {
      Json p = Json::object();
      p.set("id", producer.first).set("kind", producer.second).set("mid", mid);
      producers.append(p);
    }
    Json a = answerNamed("sdpAnswer");
    a.set("transportId", transportId).set("sdp", sdp::write(sdp::answerPublish(*offer, *plan, t.local, t.sdpSessionId, t.version)))
        .set("producers", producers);
    reply(a);
  };

  if (!r.transportId.empty()) {  // a renegotiation: new mids produce, mids gone close
    SdpTransport* t = own(room, peer, r.transportId, reply);
    if (!t) return;
    if (!t->publisher) return reply(errorAnswer(kInvalidElement, "invalid element (transportId: a subscriber transport takes sdpAnswer)"));
    std::vector<sdp::PublishedTrack> added;
    std::set<std::string> kept;
    for (const sdp::PublishedTrack& track : plan->tracks) {
      if (t->producerOfMid.count(track.mid)) kept.insert(track.mid);
      else added.push_back(track);
    }
    for (auto it = t->producerOfMid.begin(); it != t->producerOfMid.end();) {
      if (kept.count(it->first)) {
        ++it;
        continue;
      }
      ask(sessionId, request::ProducerAction{request::ProducerAction::Kind::Close, it->second.first}, [](Json) {});
      it = t->producerOfMid.erase(it);
    }
    t->busy = true;
    std::string transportId = r.transportId;
    produceFrom(transportId, std::move(added), 0, [this, transportId, finish, reply](Json error) {
      if (error) {
        if (auto it = transports_.find(transportId); it != transports_.end()) it->second.busy = false;
        return reply(error);
      }
      finish(transportId);
    });
    return;
  }

  openTransport(room, peer, true, false, reply, [this, plan, sessionId, finish, reply](const std::string& transportId) {
    produceFrom(transportId, plan->tracks, 0, [this, transportId, plan, sessionId, finish, reply](Json error) {
      if (error) {
        closeTransport(sessionId, transportId);
        return reply(error);
      }
      ask(sessionId, request::ConnectWebRtcTransport{transportId, plan->dtlsParameters}, [this, transportId, sessionId, finish, reply](Json connected) {
        if (isError(connected)) {
          closeTransport(sessionId, transportId);
          return reply(withContext(connected, "DTLS of the offer"));
        }
        if (auto it = transports_.find(transportId); it != transports_.end()) it->second.connected = true;
        finish(transportId);
      });
    });
  });
}

void SdpSignaling::openTransport(const Room& room, const Peer& peer, bool publisher, bool autoUpdate, Reply reply,
                                 std::function<void(const std::string& transportId)> then) {
  SdpTransport entry;
  entry.sessionId = peer.sessionId;
  entry.roomId = room.id;
  entry.routerId = peer.routerId;
  entry.publisher = publisher;
  entry.autoUpdate = autoUpdate;
  ask(peer.sessionId, request::CreateWebRtcTransport{publisher, Json()}, [this, entry, reply, then](Json created) mutable {
    if (isError(created)) return reply(created);
    std::string transportId = *created.string("id");
    entry.transportId = transportId;
    entry.local = {created.at("iceParameters"), created.at("iceCandidates"), created.at("dtlsParameters")};
    entry.sdpSessionId = ortc::generateRandomNumber();
    entry.busy = true;  // until its first offer or answer is out
    transports_[transportId] = entry;
    then(transportId);
  });
}

void SdpSignaling::produceFrom(const std::string& transportId, std::vector<sdp::PublishedTrack> tracks, size_t i,
                               std::function<void(Json error)> done) {
  auto it = transports_.find(transportId);
  if (it == transports_.end()) return done(errorAnswer(kJoinState, "not in the room any more"));
  if (i == tracks.size()) return done(Json());
  const sdp::PublishedTrack& track = tracks[i];
  request::Produce produce{transportId, track.kind, track.rtpParameters, Json()};
  std::string mid = track.mid, kind = track.kind;
  ask(it->second.sessionId, produce, [this, transportId, tracks = std::move(tracks), i, mid, kind, done](Json produced) mutable {
    if (isError(produced)) return done(withContext(produced, "m-line with a=mid:" + mid));
    auto it = transports_.find(transportId);
    if (it == transports_.end()) return done(errorAnswer(kJoinState, "not in the room any more"));
    it->second.producerOfMid[mid] = {*produced.string("id"), kind};
    produceFrom(transportId, std::move(tracks), i + 1, std::move(done));
  });
}

// ---- Subscribing ------------------------------------------------------------------------------------------

void SdpSignaling::subscribe(Room& room, const Peer& peer, const request::SubscribeSdp& r, Reply reply) {
  if (!peer.rights.subscribe) return reply(errorAnswer(kUnauthorized, "unauthorized (the peer's token does not grant subscribe)"));
  std::vector<std::string> producers;
  if (r.producerIds) {
    producers = *r.producerIds;
  } else {
    // Every producer of the room but the peer's own, once (piped copies are the same producer).
    std::set<std::string> seen;
    for (const auto& [id, roomRouter] : room.routers) {
      if (!roomRouter.router) continue;
      for (const auto& [transportId, transport] : roomRouter.router->transports()) {
        if (transport->isPipe() || transport->owner() == peer.sessionId) continue;
        for (const auto& [producerId, producer] : transport->producers()) {
          if (seen.insert(producerId).second) producers.push_back(producerId);
        }
      }
    }
    // And the room's other hosts' (they cross to this host as they are consumed).
    for (const auto& [peerId, remote] : room.remotePeers) {
      for (const auto& [producerId, producer] : remote.producers) {
        if (seen.insert(producerId).second) producers.push_back(producerId);
      }
    }
  }
  openTransport(room, peer, false, r.autoUpdate, reply, [this, producers, reply](const std::string& transportId) {
    consumeFrom(transportId, producers, 0, [this, transportId, reply] {
      auto it = transports_.find(transportId);
      if (it == transports_.end()) return reply(errorAnswer(kJoinState, "not in the room any more"));
      it->second.busy = false;
      Json offer = offerOf(it->second);
      offer.set("mediasoup", "sdpOffer");
      reply(offer);
    });
  });
}

void SdpSignaling::consumeFrom(const std::string& transportId, std::vector<std::string> producers, size_t i,
                               std::function<void()> done) {
  auto it = transports_.find(transportId);
  if (it == transports_.end() || i == producers.size()) return done();
  auto [room, peer] = findPeer_(it->second.sessionId);
  if (!room) return done();
  std::string producerId = producers[i];
  std::string peerId = producingPeer(*room, producerId);
  Json caps = MediaSignaling::routerOf(*room, *peer).rtpCapabilities();
  ask(it->second.sessionId, request::Consume{transportId, producerId, Json::adopt(json_deep_copy(caps.get()))},
      [this, transportId, producers = std::move(producers), i, producerId, peerId, done](Json consumed) mutable {
        auto it = transports_.find(transportId);
        if (it == transports_.end()) return done();
        if (isError(consumed)) {
          // Gone meanwhile, or a codec this router cannot send: that producer is left out, the others go on.
          MSP_VERB("SDP subscriber %s: producer %s left out: %s", transportId.c_str(), producerId.c_str(),
                   json_string_value(json_object_get(consumed.get(), "error")));
          if (json_integer_value(json_object_get(consumed.get(), "error_code")) == kJoinState) return done();
        } else {
          Line line;
          line.consumerId = *consumed.string("id");
          line.producerId = producerId;
          line.line.kind = consumed.string("kind").value_or("");
          line.line.rtpParameters = consumed.at("rtpParameters");
          line.line.mid = line.line.rtpParameters.string("mid").value_or("");
          line.line.streamId = peerId.empty() ? "mediasoup" : peerId;
          line.line.trackId = line.consumerId;
          std::vector<Line>& lines = it->second.lines;
          // A closed m-line of the same kind is recycled, as browsers do with stopped transceivers.
          auto slot = std::find_if(lines.begin(), lines.end(), [&](const Line& l) { return l.line.closed && l.line.kind == line.line.kind; });
          if (slot != lines.end()) *slot = std::move(line);
          else lines.push_back(std::move(line));
        }
        consumeFrom(transportId, std::move(producers), i + 1, std::move(done));
      });
}

Json SdpSignaling::offerOf(SdpTransport& t) {
  ++t.version;
  t.offerOutstanding = true;
  t.changed = false;
  std::vector<sdp::ConsumerLine> lines;
  Json consumers = Json::array();
  for (const Line& line : t.lines) {
    lines.push_back(line.line);
    if (line.line.closed) continue;
    Json c = Json::object();
    c.set("id", line.consumerId).set("producerId", line.producerId).set("peerId", line.line.streamId)
        .set("kind", line.line.kind).set("mid", line.line.mid);
    consumers.append(c);
  }
  Json offer = Json::object();
  offer.set("transportId", t.transportId).set("sdp", sdp::write(sdp::offerSubscribe(lines, t.local, t.sdpSessionId, t.version)))
      .set("consumers", consumers);
  return offer;
}

void SdpSignaling::answer(Room& room, const Peer& peer, const request::SdpAnswer& r, Reply reply) {
  SdpTransport* t = own(room, peer, r.transportId, reply);
  if (!t) return;
  if (t->publisher) return reply(errorAnswer(kInvalidElement, "invalid element (transportId: a publisher transport takes publishSdp)"));
  if (!t->offerOutstanding) return reply(errorAnswer(kInvalidElement, "invalid element (transportId: no offer of this transport awaits an answer)"));
  auto parsed = sdp::parse(r.sdp);
  if (auto* error = std::get_if<sdp::ParseError>(&parsed)) return reply(errorAnswer(kInvalidElement, "invalid element (sdp: " + error->detail + ")"));
  auto read = sdp::readSubscribeAnswer(std::get<sdp::SessionDescription>(parsed), t->lines.size());
  if (auto* error = std::get_if<sdp::MappingError>(&read)) return reply(errorAnswer(kInvalidParameters, "invalid SDP answer: " + error->detail));
  sdp::SubscribeAnswer accepted = std::get<sdp::SubscribeAnswer>(std::move(read));
  std::string transportId = r.transportId;
  uint64_t sessionId = peer.sessionId;

  // Resumes what the client took, drops what it refused, then offers what changed meanwhile.
  auto apply = [this, transportId, sessionId, accepted, reply]() {
    auto it = transports_.find(transportId);
    if (it == transports_.end()) return reply(errorAnswer(kJoinState, "not in the room any more"));
    SdpTransport& t = it->second;
    auto [room, peer] = findPeer_(sessionId);
    Transport* transport = room ? MediaSignaling::routerOf(*room, *peer).transport(transportId) : nullptr;
    for (size_t i = 0; i < t.lines.size() && i < accepted.accepted.size(); ++i) {
      Line& line = t.lines[i];
      if (line.line.closed) continue;
      if (accepted.accepted[i] && !line.resumed) {
        line.resumed = true;
        ask(sessionId, request::ConsumerAction{request::ConsumerAction::Kind::Resume, line.consumerId}, [](Json) {});
      } else if (!accepted.accepted[i]) {
        std::string consumerId = std::exchange(line.consumerId, std::string());
        line.line.closed = true;
        if (transport) transport->closeConsumer(consumerId);
      }
    }
    t.offerOutstanding = false;
    t.busy = false;
    Json a = answerNamed("success");
    a.set("transportId", transportId);
    reply(a);
    schedule(transportId);
  };
  if (t->connected || !accepted.dtlsParameters) return apply();
  t->busy = true;
  ask(sessionId, request::ConnectWebRtcTransport{transportId, accepted.dtlsParameters}, [this, transportId, apply, reply](Json connected) {
    auto it = transports_.find(transportId);
    if (it != transports_.end()) it->second.busy = false;
    if (isError(connected)) return reply(withContext(connected, "DTLS of the answer"));
    if (it == transports_.end()) return reply(errorAnswer(kJoinState, "not in the room any more"));
    it->second.connected = true;
    apply();
  });
}

void SdpSignaling::unpublish(Room& room, const Peer& peer, const request::UnpublishSdp& r, Reply reply) {
  SdpTransport* t = own(room, peer, r.transportId, reply);
  if (!t) return;
  if (t->publisher == r.subscriber) {
    return reply(errorAnswer(kInvalidElement, std::string("invalid element (transportId: not a ") +
                                                  (r.subscriber ? "subscriber" : "publisher") + " transport)"));
  }
  if (r.mids.empty()) {
    closeTransport(peer.sessionId, r.transportId);
    return reply(answerNamed("success"));
  }
  std::set<std::string> mids(r.mids.begin(), r.mids.end());
  if (t->publisher) {
    for (auto it = t->producerOfMid.begin(); it != t->producerOfMid.end();) {
      if (!mids.count(it->first)) {
        ++it;
        continue;
      }
      ask(peer.sessionId, request::ProducerAction{request::ProducerAction::Kind::Close, it->second.first}, [](Json) {});
      it = t->producerOfMid.erase(it);
    }
    return reply(answerNamed("success"));
  }
  Transport* transport = MediaSignaling::routerOf(room, peer).transport(r.transportId);
  for (Line& line : t->lines) {
    if (line.line.closed || !mids.count(line.line.mid)) continue;
    std::string consumerId = std::exchange(line.consumerId, std::string());
    line.line.closed = true;
    t->changed = true;
    if (transport) transport->closeConsumer(consumerId);
  }
  reply(answerNamed("success"));
  schedule(r.transportId);
}

// ---- Renegotiation ----------------------------------------------------------------------------------------

void SdpSignaling::producerAdded(const std::string& roomId, const std::string& producerId, uint64_t ownerSessionId) {
  for (auto& [transportId, t] : transports_) {
    if (t.publisher || !t.autoUpdate || t.roomId != roomId || t.sessionId == ownerSessionId) continue;
    t.toConsume.push_back(producerId);
    schedule(transportId);
  }
}

void SdpSignaling::consumerClosed(const std::string& transportId, const std::string& consumerId) {
  auto it = transports_.find(transportId);
  if (it == transports_.end()) return;
  for (Line& line : it->second.lines) {
    if (line.line.closed || line.consumerId != consumerId) continue;
    line.line.closed = true;
    line.consumerId.clear();
    it->second.changed = true;
    schedule(transportId);
  }
}

// Renegotiations run on a later loop turn: the changes that call for them come from inside entity callbacks.
void SdpSignaling::schedule(const std::string& transportId) {
  if (!dirty_.insert(transportId).second) return;
  deferred_.post([this, transportId] {
    dirty_.erase(transportId);
    renegotiate(transportId);
  });
}

void SdpSignaling::renegotiate(const std::string& transportId) {
  auto it = transports_.find(transportId);
  if (it == transports_.end()) return;
  SdpTransport& t = it->second;
  if (t.offerOutstanding || t.busy) return;  // the answer (or the running step) calls again
  if (!t.toConsume.empty()) {
    t.busy = true;
    std::vector<std::string> producers;
    producers.swap(t.toConsume);
    auto consumerIds = [](const SdpTransport& of) {
      std::vector<std::string> ids;
      for (const Line& line : of.lines) ids.push_back(line.consumerId);
      return ids;
    };
    consumeFrom(transportId, std::move(producers), 0, [this, transportId, consumerIds, before = consumerIds(t)] {
      auto it = transports_.find(transportId);
      if (it == transports_.end()) return;
      it->second.busy = false;
      if (consumerIds(it->second) != before) it->second.changed = true;
      renegotiate(transportId);
    });
    return;
  }
  if (!t.changed) return;
  Json event = offerOf(t);
  event.set("mediasoup", "event").set("event", "sdpOffer");
  events_(t.sessionId, event);
}

}  // namespace msp
