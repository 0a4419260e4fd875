#include "rooms/MediaSignaling.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "messages/ApiError.h"
#include "base/Log.h"
#include "ortc/Ortc.h"
#include "base/Overloaded.h"

namespace msp {
namespace {

Json answer(const char* name) {
  Json a = Json::object();
  a.set("mediasoup", name);
  return a;
}

// A failed entity operation, by kind: the client's values cannot work (447, the worker not asked) or the worker
// refused them (447); it cannot answer (448); the entity went away meanwhile, a request racing a close (446).
Json workerError(const Failure& failure) {
  switch (failure.kind) {
    case Failure::Kind::Invalid:
      return errorAnswer(kInvalidParameters, failure.detail);
    case Failure::Kind::Rejected:
      return errorAnswer(kInvalidParameters, "rejected by the worker: " + failure.detail);
    case Failure::Kind::Closed:
      return errorAnswer(kNoSuchEntity, failure.detail);
    case Failure::Kind::Exhausted:
      return errorAnswer(kWorkerUnavailable, "the room's worker cannot take more: " + failure.detail);
    case Failure::Kind::None:
    case Failure::Kind::TimedOut:
    case Failure::Kind::WorkerGone:
    case Failure::Kind::WriteFailed:
      break;
  }
  return errorAnswer(kWorkerUnavailable, "the worker did not answer: " + failure.detail);
}

Json ortcError(const ortc::OrtcError& e) {
  return errorAnswer(kInvalidParameters, std::string(e.unsupported ? "unsupported parameters: " : "invalid parameters: ") + e.what());
}

// DTLS parameters as mediasoup-client sends them: {role?, fingerprints:[{algorithm, value}, …]}.
bool validDtlsParameters(json_t* dtls) {
  json_t* fingerprints = json_object_get(dtls, "fingerprints");
  if (!json_is_array(fingerprints) || json_array_size(fingerprints) == 0) return false;
  size_t i;
  json_t* fp;
  json_array_foreach(fingerprints, i, fp) {
    if (!json_is_string(json_object_get(fp, "algorithm")) || !json_is_string(json_object_get(fp, "value"))) return false;
  }
  json_t* role = json_object_get(dtls, "role");
  if (!role) return true;
  if (!json_is_string(role)) return false;
  const char* r = json_string_value(role);
  return std::strcmp(r, "auto") == 0 || std::strcmp(r, "client") == 0 || std::strcmp(r, "server") == 0;
}

}  // namespace

MediaSignaling::MediaSignaling(EventSink events, TransportOptions transportOptions, PeerLimits limits, FindRoom findRoom,
                               RouterPipes& pipes, const RoomEvents& observers)
    : events_(std::move(events)), transportOptions_(std::move(transportOptions)), limits_(limits),
      findRoom_(std::move(findRoom)), pipes_(pipes), observers_(observers) {}

std::optional<Json> MediaSignaling::refuseRight(bool granted, const char* name) {
  if (granted) return std::nullopt;
  return errorAnswer(kUnauthorized, std::string("unauthorized (the peer's token does not grant ") + name + ")");
}

std::optional<Json> MediaSignaling::reserve(Room& room, const Peer& peer, Held what, Reply& reply) {
  uint32_t limit = what == Held::Transports ? limits_.transports : what == Held::Producers ? limits_.producers : limits_.consumers;
  if (limit == 0) return std::nullopt;
  size_t held = 0;
  for (const Transport* transport : routerOf(room, peer).transportsOf(peer.sessionId)) {
    if (what == Held::Transports) held += 1;
    if (what == Held::Producers) held += transport->producers().size() + transport->dataProducers().size();
    if (what == Held::Consumers) held += transport->consumers().size() + transport->dataConsumers().size();
  }
  auto key = std::make_pair(peer.sessionId, what);
  if (held + inFlight_[key] >= limit) {
    if (inFlight_[key] == 0) inFlight_.erase(key);
    const char* setting = what == Held::Transports ? "max_transports_per_peer"
                          : what == Held::Producers ? "max_producers_per_peer" : "max_consumers_per_peer";
    return errorAnswer(kLimitReached, std::string("limit reached (") + setting + " = " + std::to_string(limit) + ")");
  }
  ++inFlight_[key];
  // Released with the last copy of the reply: after the answer, however the request ended.
  auto release = [this, alive = lifetime_.token(), key](void*) {
    if (alive.expired()) return;
    auto it = inFlight_.find(key);
    if (it != inFlight_.end() && --it->second == 0) inFlight_.erase(it);
  };
  std::shared_ptr<void> hold(nullptr, release);
  reply = [inner = std::move(reply), hold](Json answer) { inner(std::move(answer)); };
  return std::nullopt;
}

void MediaSignaling::wire(Room& room, RoomRouter& roomRouter) {
  Room* r = &room;  // a router (and so this observer) never outlives its room
  RouterObserver& observer = roomRouter.router->observer;
  observer.producerClosed = [this, r](const Transport& of, const Producer& producer) {
    if (of.isPipe()) return pipes_.copyClosed<MediaFlow>(of, producer.id());  // a copy: the original's router announced it
    Json e = apiEvent("producerClosed");
    e.set("producerId", producer.id());
    broadcast(*r, events_, e, of.owner());
    RoomEvent closed(RoomEvent::Kind::ProducerClosed, r->id);
    closed.producerId = producer.id();
    closed.mediaKind = producer.kind();
    observers_.emit(closed);
    if (onProducerClosed) onProducerClosed(*r, producer);
  };
  observer.dataProducerClosed = [this, r](const Transport& of, const DataProducer& dataProducer) {
    if (of.isPipe()) return pipes_.copyClosed<DataFlow>(of, dataProducer.id());
    Json e = apiEvent("dataProducerClosed");
    e.set("dataProducerId", dataProducer.id());
    broadcast(*r, events_, e, of.owner());
  };
  observer.consumerClosed = [this](const Transport& of, const Consumer& consumer) {
    if (of.isPipe()) return pipes_.pipeConsumerClosed(of, consumer);  // the original closed: so does its copy
    Json e = apiEvent("consumerClosed");
    e.set("consumerId", consumer.id()).set("producerId", consumer.producerId());
    events_(of.owner(), e);
    if (onConsumerEnded) onConsumerEnded(of.id(), consumer.id());
  };
  observer.dataConsumerClosed = [this](const Transport& of, const DataConsumer& dataConsumer) {
    if (of.isPipe()) return pipes_.pipeConsumerClosed(of, dataConsumer);
    Json e = apiEvent("dataConsumerClosed");
    e.set("dataConsumerId", dataConsumer.id());
    events_(of.owner(), e);
  };
  observer.transportState = [this](const WebRtcTransport& of) {
    Json e = apiEvent("transportState");
    e.set("transportId", of.id()).set("iceState", of.iceState()).set("dtlsState", of.dtlsState());
    events_(of.owner(), e);
  };
  observer.consumerEvent = [this](const Transport& of, const Consumer& consumer, const std::string& name, const Json& data) {
    if (of.isPipe()) return pipes_.pipeConsumerEvent(of, consumer, name);
    Json e;
    if (name == "producerpause") e = apiEvent("consumerPaused");
    else if (name == "producerresume") e = apiEvent("consumerResumed");
    else if (name == "layerschange") {
      e = apiEvent("consumerLayersChanged");
      json_t* spatial = json_object_get(data.get(), "spatialLayer");
      json_t* temporal = json_object_get(data.get(), "temporalLayer");
      e.set("spatialLayer", spatial ? Json::borrow(spatial) : Json::adopt(json_null()))
          .set("temporalLayer", temporal ? Json::borrow(temporal) : Json::adopt(json_null()));
    } else {
      return;
    }
    e.set("consumerId", consumer.id());
    events_(of.owner(), e);
  };
}

void MediaSignaling::peerLeaving(Router& router, uint64_t sessionId) {
  for (const Transport* transport : router.transportsOf(sessionId)) router.closeTransport(transport->id());
}

Json MediaSignaling::producersOf(const Router& router, uint64_t sessionId) const {
  Json producers = Json::array();
  Json dataProducers = Json::array();
  for (const Transport* transport : router.transportsOf(sessionId)) {
    for (const auto& [producerId, producer] : transport->producers()) {
      Json p = Json::object();
      p.set("id", producerId).set("kind", producer->kind()).set("appData", producer->appData());
      producers.append(p);
    }
    for (const auto& [dataProducerId, dataProducer] : transport->dataProducers()) {
      Json d = Json::object();
      d.set("id", dataProducerId).set("label", dataProducer->label()).set("protocol", dataProducer->protocol())
          .set("appData", dataProducer->appData());
      dataProducers.append(d);
    }
  }
  Json result = Json::object();
  result.set("producers", producers).set("dataProducers", dataProducers);
  return result;
}

Router& MediaSignaling::routerOf(Room& room, const Peer& peer) { return *room.routerOf(peer)->router; }

Transport* MediaSignaling::ownTransport(Room& room, const Peer& peer, const std::string& transportId) const {
  Transport* transport = routerOf(room, peer).transport(transportId);
  return transport && transport->owner() == peer.sessionId ? transport : nullptr;
}

template <typename T>
T* MediaSignaling::transportFor(Room& room, const Peer& peer, const std::string& transportId, std::optional<Direction> needed,
                                const char* action, const Reply& reply) const {
  Transport* transport = ownTransport(room, peer, transportId);
  if (!transport) {
    reply(errorAnswer(kNoSuchEntity, "no such transport '" + transportId + "'"));
    return nullptr;
  }
  T* typed = dynamic_cast<T*>(transport);
  if constexpr (!std::is_same_v<T, Transport>) {
    if (!typed) {
      reply(errorAnswer(kInvalidElement, std::string("invalid element (not a ") + T::kName + " transport)"));
      return nullptr;
    }
  }
  if (needed && transport->direction() != *needed) {
    reply(errorAnswer(kInvalidElement, std::string("invalid element (a ") + (*needed == Direction::Send ? "recv" : "send") +
                                           " transport cannot " + action + ")"));
    return nullptr;
  }
  return typed;
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::CreateWebRtcTransport& r, Reply reply) {
  if (r.send) {
    if (auto refused = refuseRight(peer.rights.publish, "publish")) return reply(*refused);
  }
  if (auto refused = reserve(room, peer, Held::Transports, reply)) return reply(*refused);
  TransportOptions options = transportOptions_;
  if (r.sctpCapabilities) {
    try {
      ortc::validateSctpCapabilities(r.sctpCapabilities.get());
    } catch (const ortc::OrtcError& e) {
      reply(ortcError(e));
      return;
    }
    json_t* numStreams = json_object_get(r.sctpCapabilities.get(), "numStreams");
    options.enableSctp = true;
    options.sctpOS = std::clamp(static_cast<int>(json_number_value(json_object_get(numStreams, "OS"))), 1, 65535);
    options.sctpMIS = std::clamp(static_cast<int>(json_number_value(json_object_get(numStreams, "MIS"))), 1, 65535);
  }
  routerOf(room, peer).createWebRtcTransport(peer.sessionId, r.send ? Direction::Send : Direction::Recv, options,
                                             whenCreated<WebRtcTransport>(room, peer, reply, [](const Transport& transport) {
    const Json& data = transport.data();
    Json a = answer("transport");
    a.set("id", transport.id()).set("iceParameters", data.at("iceParameters")).set("iceCandidates", data.at("iceCandidates"))
        .set("dtlsParameters", data.at("dtlsParameters"));
    if (json_t* sctp = json_object_get(data.get(), "sctpParameters"); sctp && !json_is_null(sctp)) a.set("sctpParameters", Json::borrow(sctp));
    return a;
  }));
}

template <typename T>
Transport::Created<T> MediaSignaling::whenCreated(const Room& room, const Peer& peer, Reply reply,
                                                  std::function<Json(const Transport&)> answerOf) {
  return [this, sessionId = peer.sessionId, roomId = room.id, routerId = peer.routerId, reply = std::move(reply),
          answerOf = std::move(answerOf)](T* transport, const Failure& error) {
    if (!transport) {
      // Its router closed meanwhile: the room closed, or moved to another worker.
      if (error.kind == Failure::Kind::Closed) return reply(errorAnswer(kJoinState, "not in that room's router any more"));
      reply(workerError(error));
      return;
    }
    Room* current = findRoom_(roomId, routerId);
    if (!current || !current->peers.count(sessionId)) {  // left meanwhile: nobody would ever close it
      if (current) current->router(routerId)->router->closeTransport(transport->id());
      reply(errorAnswer(kJoinState, "not in the room any more"));
      return;
    }
    Json a = answerOf(*transport);
    transport->keepOnlyLaterDetails();
    reply(a);  // last: whoever gets it may close the transport at once
  };
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::CreatePlainTransport& r, Reply reply) {
  if (r.send) {
    if (auto refused = refuseRight(peer.rights.publish, "publish")) return reply(*refused);
  }
  if (r.comedia && !r.send && !transportOptions_.plainAllowedRemotes.empty()) {
    // It would send media to whoever sends it a packet first: no address to check against the allow-list.
    return reply(errorAnswer(kUnauthorized, "unauthorized (comedia recv transports are off while plain_allowed_remotes is set)"));
  }
  if (auto refused = reserve(room, peer, Held::Transports, reply)) return reply(*refused);
  PlainTransportOptions options{transportOptions_.listenIp, transportOptions_.announcedIp, r.comedia, r.rtcpMux,
                                r.enableSrtp, r.srtpCryptoSuite};
  routerOf(room, peer).createPlainTransport(peer.sessionId, r.send ? Direction::Send : Direction::Recv, options,
                                            whenCreated<PlainTransport>(room, peer, reply, [](const Transport& transport) {
    const Json& data = transport.data();
    Json a = answer("plainTransport");
    a.set("id", transport.id()).set("ip", data.at("tuple").at("localIp")).set("port", data.at("tuple").at("localPort"));
    if (json_t* rtcp = json_object_get(data.get(), "rtcpTuple")) a.set("rtcpPort", Json::borrow(json_object_get(rtcp, "localPort")));
    if (json_t* srtp = json_object_get(data.get(), "srtpParameters")) a.set("srtpParameters", Json::borrow(srtp));
    return a;
  }));
}

// What a plain transport needs is known from how it was made: a comedia one learns the remote's address from
// its first packet, rtcp-mux takes no RTCP port, SRTP needs the remote's key. Anything else is refused here,
// before the worker (which takes connect only once) sees it.
void MediaSignaling::on(Room& room, const Peer& peer, const request::ConnectPlainTransport& r, Reply reply) {
  PlainTransport* transport = transportFor<PlainTransport>(room, peer, r.transportId, std::nullopt, "", reply);
  if (!transport) return;
  bool comedia = transport->comedia(), rtcpMux = transport->rtcpMux(), srtp = transport->srtp();
  if (comedia && (!r.ip.empty() || r.port || r.rtcpPort)) {
    return reply(errorAnswer(kInvalidElement, "invalid element (ip/port: a comedia transport learns them from the first packet)"));
  }
  if (!comedia && r.ip.empty()) return reply(errorAnswer(kMissingElement, "missing mandatory element (ip)"));
  const auto& allowed = transportOptions_.plainAllowedRemotes;
  if (!r.ip.empty() && !allowed.empty() && !cidrsContain(allowed, r.ip)) {
    return reply(errorAnswer(kUnauthorized, "unauthorized (" + r.ip + " is outside plain_allowed_remotes)"));
  }
  if (!comedia && !r.port) return reply(errorAnswer(kMissingElement, "missing mandatory element (port)"));
  if (rtcpMux && r.rtcpPort) return reply(errorAnswer(kInvalidElement, "invalid element (rtcpPort: the transport muxes RTCP with RTP)"));
  if (!rtcpMux && !comedia && !r.rtcpPort) return reply(errorAnswer(kMissingElement, "missing mandatory element (rtcpPort)"));
  if (srtp && !r.srtpParameters) return reply(errorAnswer(kMissingElement, "missing mandatory element (srtpParameters)"));
  if (!srtp && r.srtpParameters) return reply(errorAnswer(kInvalidElement, "invalid element (srtpParameters: SRTP is off on this transport)"));
  Json parameters = Json::object();
  if (!r.ip.empty()) parameters.set("ip", r.ip).set("port", r.port);
  if (r.rtcpPort) parameters.set("rtcpPort", r.rtcpPort);
  if (r.srtpParameters) {
    Json key = Json::object();
    key.set("cryptoSuite", r.srtpParameters->cryptoSuite).set("keyBase64", r.srtpParameters->keyBase64);
    parameters.set("srtpParameters", key);
  }
  std::string transportId = r.transportId;
  transport->connect(parameters, [reply, transportId](Json connected, const Failure& error) {
    if (error) return reply(workerError(error));
    Json a = answer("connected");
    a.set("transportId", transportId);
    if (json_t* key = json_object_get(connected.get(), "srtpParameters")) a.set("srtpParameters", Json::borrow(key));
    reply(a);
  });
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::ConnectWebRtcTransport& r, Reply reply) {
  WebRtcTransport* transport = transportFor<WebRtcTransport>(room, peer, r.transportId, std::nullopt, "", reply);
  if (!transport) return;
  if (!validDtlsParameters(r.dtlsParameters.get())) {
    return reply(errorAnswer(kInvalidParameters, "invalid dtlsParameters: expected {role?, fingerprints:[{algorithm, value}]}"));
  }
  std::string transportId = r.transportId;
  transport->connect(r.dtlsParameters, [reply, transportId](const Failure& error) {
    if (error) return reply(workerError(error));
    Json a = answer("connected");
    a.set("transportId", transportId);
    reply(a);
  });
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::RestartIce& r, Reply reply) {
  WebRtcTransport* transport = transportFor<WebRtcTransport>(room, peer, r.transportId, std::nullopt, "", reply);
  if (!transport) return;
  std::string transportId = r.transportId;
  transport->restartIce([reply, transportId](Json iceParameters, const Failure& error) {
    if (error) return reply(workerError(error));
    Json a = answer("iceRestarted");
    a.set("transportId", transportId).set("iceParameters", iceParameters);
    reply(a);
  });
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::CloseTransport& r, Reply reply) {
  if (!transportFor<Transport>(room, peer, r.transportId, std::nullopt, "", reply)) return;
  routerOf(room, peer).closeTransport(r.transportId);
  reply(answer("success"));
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::Produce& r, Reply reply) {
  if (auto refused = refuseRight(peer.rights.publish, "publish")) return reply(*refused);
  Transport* transport = transportFor<Transport>(room, peer, r.transportId, Direction::Send, "produce", reply);
  if (!transport) return;
  if (auto refused = reserve(room, peer, Held::Producers, reply)) return reply(*refused);
  uint64_t sessionId = peer.sessionId;
  std::string peerId = peer.peerId, roomId = room.id, routerId = peer.routerId, kind = r.kind;
  Json appData = r.appData ? r.appData : Json::object();
  Failure invalid = transport->produce(r.kind, r.rtpParameters, [this, reply, sessionId, peerId, roomId, routerId, kind, appData](Producer* producer, const Failure& error) {
    if (!producer) return reply(workerError(error));
    producer->setAppData(appData);
    // The room hears first, the reply goes last: whoever gets the reply may close the producer at once.
    std::string producerId = producer->id();
    if (Room* current = findRoom_(roomId, routerId)) {
      Json e = apiEvent("newProducer");
      e.set("peerId", peerId).set("producerId", producerId).set("kind", kind).set("appData", appData);
      broadcast(*current, events_, e, sessionId);
    }
    RoomEvent created(RoomEvent::Kind::ProducerCreated, roomId);
    created.peerId = peerId;
    created.producerId = producerId;
    created.mediaKind = kind;
    observers_.emit(created);
    if (onProducerAdded) onProducerAdded(roomId, routerId, *producer, sessionId);
    Json a = answer("produced");
    a.set("id", producerId);
    reply(a);
  });
  if (invalid) reply(workerError(invalid));
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::ProducerAction& r, Reply reply) {
  Transport* transport = nullptr;
  Producer* producer = routerOf(room, peer).findProducer(r.producerId, &transport);
  if (!producer || transport->owner() != peer.sessionId) return reply(errorAnswer(kNoSuchEntity, "no such producer '" + r.producerId + "'"));
  using Kind = request::ProducerAction::Kind;
  if (r.kind == Kind::Close) {
    transport->closeProducer(r.producerId);  // the router observer tells the others
    return reply(answer("success"));
  }
  bool pause = r.kind == Kind::Pause;
  uint64_t sessionId = peer.sessionId;
  std::string producerId = r.producerId, roomId = room.id, routerId = peer.routerId;
  auto done = [this, reply, pause, sessionId, producerId, roomId, routerId](const Failure& error) {
    if (error) return reply(workerError(error));
    reply(answer("success"));
    if (Room* current = findRoom_(roomId, routerId)) {
      Json e = apiEvent(pause ? "producerPaused" : "producerResumed");
      e.set("producerId", producerId);
      broadcast(*current, events_, e, sessionId);
    }
  };
  if (pause) producer->pause(done);
  else producer->resume(done);
}

// The router of the room where a producer (data producer) was made: its peer's, never a copy's (but a copy from
// another host counts: it is where that host's producer enters this one).
template <typename Find>
static const RoomRouter* originOf(const Room& room, const std::string& exceptRouter, Find find) {
  for (const auto& [id, roomRouter] : room.routers) {
    if (id == exceptRouter || !roomRouter.router) continue;
    Transport* owner = nullptr;
    if (!find(*roomRouter.router, &owner)) continue;
    if (!owner->isPipe() || static_cast<const PipeTransport*>(owner)->crossesHosts()) return &roomRouter;
  }
  return nullptr;
}

namespace {

// What the two consume requests name, and how their errors say it.
const std::string& producerIdOf(const request::Consume& r) { return r.producerId; }
const std::string& producerIdOf(const request::ConsumeData& r) { return r.dataProducerId; }
const char* actionOf(const request::Consume&) { return "consume"; }
const char* actionOf(const request::ConsumeData&) { return "consume data"; }

}  // namespace

void MediaSignaling::on(Room& room, const Peer& peer, const request::Consume& r, Reply reply) {
  consume<MediaFlow>(room, peer, r, std::move(reply));
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::ConsumeData& r, Reply reply) {
  consume<DataFlow>(room, peer, r, std::move(reply));
}

template <typename Flow, typename Request>
void MediaSignaling::consume(Room& room, const Peer& peer, const Request& r, Reply reply) {
  if (auto refused = refuseRight(peer.rights.subscribe, "subscribe")) return reply(*refused);
  if (!transportFor<Transport>(room, peer, r.transportId, Direction::Recv, actionOf(r), reply)) return;
  if (auto refused = reserve(room, peer, Held::Consumers, reply)) return reply(*refused);
  consumeFound<Flow>(room, peer, r, std::move(reply), false);
}

template <typename Flow, typename Request>
void MediaSignaling::consumeFound(Room& room, const Peer& peer, const Request& r, Reply reply, bool crossedHosts) {
  const std::string& producerId = producerIdOf(r);
  if (routerOf(room, peer).template find<Flow>(producerId)) return consumeHere(room, peer, r, std::move(reply));
  std::string roomId = room.id, routerId = peer.routerId;
  uint64_t sessionId = peer.sessionId;
  // Whatever was piped meanwhile, the peer and its transport must still be there.
  auto resume = [this, roomId, routerId, sessionId, r, reply](const Failure& f, auto then) {
    Room* current = findRoom_(roomId, routerId);
    auto p = current ? current->peers.find(sessionId) : decltype(current->peers.end()){};
    if (!current || p == current->peers.end() || p->second.routerId != routerId) {
      return reply(errorAnswer(kJoinState, "not in that room's router any more"));
    }
    if (f) return reply(workerError(f));
    if (!transportFor<Transport>(*current, p->second, r.transportId, Direction::Recv, actionOf(r), reply)) return;
    then(*current, p->second);
  };
  // On another router of the room: piped here first (once, whoever asks), then consumed like a local one.
  const RoomRouter* origin = originOf(room, peer.routerId, [&](Router& router, Transport** owner) {
    return router.template find<Flow>(producerId, owner) != nullptr;
  });
  if (!origin) {
    // A peer's on another host: it crosses to this one (once), then as above.
    if (!crossedHosts && pipeFromHost &&
        pipeFromHost(room, producerId, routerId, [this, resume, r, reply](const Failure& f) {
          resume(f, [this, r, reply](Room& room, const Peer& peer) { consumeFound<Flow>(room, peer, r, reply, true); });
        })) {
      return;
    }
    return reply(errorAnswer(kNoSuchEntity, std::string("no such ") + Flow::kProducerName + " '" + producerId + "' in this room"));
  }
  Failure failure;
  auto outcome = pipes_.pipe<Flow>(producerId, origin->id, routerId, [this, resume, r, reply](const Failure& f) {
    resume(f, [this, r, reply](Room& room, const Peer& peer) { consumeHere(room, peer, r, reply); });
  }, failure);
  if (outcome == RouterPipes::Outcome::Ready) return consumeHere(room, peer, r, std::move(reply));
  if (outcome == RouterPipes::Outcome::Failed) reply(workerError(failure));
}

void MediaSignaling::consumeHere(Room& room, const Peer& peer, const request::Consume& r, Reply reply) {
  Transport* transport = ownTransport(room, peer, r.transportId);
  Producer* producer = routerOf(room, peer).findProducer(r.producerId);
  if (!transport || !producer) return reply(errorAnswer(kNoSuchEntity, "no such producer '" + r.producerId + "' in this room"));
  Failure invalid = transport->consume(*producer, r.rtpCapabilities, [reply](Consumer* consumer, const Failure& error) {
    if (!consumer) return reply(workerError(error));
    Json a = answer("consumer");
    a.set("id", consumer->id()).set("producerId", consumer->producerId()).set("kind", consumer->kind())
        .set("rtpParameters", consumer->rtpParameters()).set("type", consumer->type())
        .set("producerPaused", consumer->producerPaused());
    reply(a);
  });
  if (invalid) reply(workerError(invalid));
}

namespace {

Consumer* ownConsumer(Room& room, const Peer& peer, const std::string& consumerId) {
  for (const Transport* transport : MediaSignaling::routerOf(room, peer).transportsOf(peer.sessionId)) {
    if (Consumer* consumer = transport->consumer(consumerId)) return consumer;
  }
  return nullptr;
}

}  // namespace

void MediaSignaling::on(Room& room, const Peer& peer, const request::ConsumerAction& r, Reply reply) {
  Consumer* consumer = ownConsumer(room, peer, r.consumerId);
  if (!consumer) return reply(errorAnswer(kNoSuchEntity, "no such consumer '" + r.consumerId + "'"));
  auto done = [reply](const Failure& error) { reply(!error ? answer("success") : workerError(error)); };
  if (r.kind == request::ConsumerAction::Kind::Pause) consumer->pause(done);
  else consumer->resume(done);
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::SetPreferredLayers& r, Reply reply) {
  Consumer* consumer = ownConsumer(room, peer, r.consumerId);
  if (!consumer) return reply(errorAnswer(kNoSuchEntity, "no such consumer '" + r.consumerId + "'"));
  consumer->setPreferredLayers(r.spatialLayer, r.temporalLayer,
                               [reply](const Failure& error) { reply(!error ? answer("success") : workerError(error)); });
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::ProduceData& r, Reply reply) {
  if (auto refused = refuseRight(peer.rights.publish, "publish")) return reply(*refused);
  Transport* transport = transportFor<Transport>(room, peer, r.transportId, Direction::Send, "produce data", reply);
  if (!transport) return;
  if (auto refused = reserve(room, peer, Held::Producers, reply)) return reply(*refused);
  uint64_t sessionId = peer.sessionId;
  std::string peerId = peer.peerId, roomId = room.id, routerId = peer.routerId;
  Failure invalid = transport->produceData(r.sctpStreamParameters, r.label, r.protocol,
                         [this, reply, sessionId, peerId, roomId, routerId, appData = r.appData ? r.appData : Json::object()](
                             DataProducer* dataProducer, const Failure& error) {
    if (!dataProducer) return reply(workerError(error));
    dataProducer->setAppData(appData);
    Json a = answer("dataProduced");
    a.set("id", dataProducer->id());
    if (Room* current = findRoom_(roomId, routerId)) {
      Json e = apiEvent("newDataProducer");
      e.set("peerId", peerId).set("dataProducerId", dataProducer->id()).set("label", dataProducer->label())
          .set("protocol", dataProducer->protocol()).set("appData", appData);
      broadcast(*current, events_, e, sessionId);
    }
    reply(a);  // last, as for produce
  });
  if (invalid) reply(workerError(invalid));
}

void MediaSignaling::consumeHere(Room& room, const Peer& peer, const request::ConsumeData& r, Reply reply) {
  Transport* transport = ownTransport(room, peer, r.transportId);
  DataProducer* dataProducer = routerOf(room, peer).findDataProducer(r.dataProducerId);
  if (!transport || !dataProducer) return reply(errorAnswer(kNoSuchEntity, "no such data producer '" + r.dataProducerId + "' in this room"));
  Failure invalid = transport->consumeData(*dataProducer, [reply](DataConsumer* dataConsumer, const Failure& error) {
    if (!dataConsumer) return reply(workerError(error));
    Json a = answer("dataConsumer");
    a.set("id", dataConsumer->id()).set("dataProducerId", dataConsumer->dataProducerId())
        .set("sctpStreamParameters", dataConsumer->sctpStreamParameters()).set("label", dataConsumer->label())
        .set("protocol", dataConsumer->protocol());
    reply(a);
  });
  if (invalid) reply(workerError(invalid));
}

void MediaSignaling::on(Room& room, const Peer& peer, const request::GetStats& r, Reply reply) {
  auto done = [reply](Json stats, const Failure& error) {
    if (error) return reply(workerError(error));
    Json a = answer("stats");
    a.set("stats", stats ? stats : Json::array());
    reply(a);
  };
  using Of = request::GetStats::Of;
  for (Transport* transport : routerOf(room, peer).transportsOf(peer.sessionId)) {
    switch (r.of) {
      case Of::Transport:
        if (transport->id() == r.id) return transport->getStats(done);
        break;
      case Of::Producer:
        if (Producer* p = transport->producer(r.id)) return p->getStats(done);
        break;
      case Of::Consumer:
        if (Consumer* c = transport->consumer(r.id)) return c->getStats(done);
        break;
      case Of::DataProducer:
        if (DataProducer* d = transport->dataProducer(r.id)) return d->getStats(done);
        break;
      case Of::DataConsumer:
        if (DataConsumer* d = transport->dataConsumer(r.id)) return d->getStats(done);
        break;
    }
  }
  reply(errorAnswer(kNoSuchEntity, "no such transport, producer, consumer, data producer or data consumer '" + r.id + "'"));
}

void MediaSignaling::handle(Room& room, const Peer& peer, const Request& request, Reply reply) {
  std::visit(Overloaded{
                 [&](const request::CreateWebRtcTransport& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ConnectWebRtcTransport& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::CreatePlainTransport& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ConnectPlainTransport& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::RestartIce& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::CloseTransport& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::Produce& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ProducerAction& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::Consume& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ConsumerAction& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::SetPreferredLayers& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ProduceData& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::ConsumeData& r) { on(room, peer, r, std::move(reply)); },
                 [&](const request::GetStats& r) { on(room, peer, r, std::move(reply)); },
                 [&](const auto&) { reply(errorAnswer(kUnknownRequest, "not a media request")); },
             },
             request);
}

}  // namespace msp
