#include "rooms/HostPipes.h"

#include <algorithm>
#include <optional>
#include <type_traits>

#include "base/Log.h"
#include "entities/Flows.h"
#include "rooms/RemotePeers.h"

namespace msp {
namespace {

// What a pipe transport answers the other side with: where it listens and its SRTP key.
Json endpointOf(const Transport& transport) {
  Json tuple = transport.data().at("tuple");
  Json endpoint = Json::object();
  endpoint.set("ip", tuple.string("localIp").value_or("")).set("port", tuple.at("localPort"))
      .set("srtpParameters", transport.data().at("srtpParameters"));
  return endpoint;
}

// The other side's endpoint, checked (another host's bytes).
bool readEndpoint(const Json& body, std::string& ip, int& port, Json& srtp) {
  auto ipValue = body.string("ip");
  json_t* portValue = json_object_get(body.get(), "port");
  json_t* srtpValue = json_object_get(body.get(), "srtpParameters");
  if (!ipValue || ipValue->size() > 64 || !json_is_integer(portValue) || json_integer_value(portValue) < 1 ||
      json_integer_value(portValue) > 65535 || !json_is_object(srtpValue)) {
    return false;
  }
  ip = *ipValue;
  port = static_cast<int>(json_integer_value(portValue));
  srtp = Json::borrow(srtpValue);
  return true;
}

// Whether another host's producer of the room is a data producer (SCTP through the pipe) rather than media.
bool isRemoteData(const Room& room, const std::string& producerId) {
  const auto* owner = remoteOwnerOf(room, producerId);
  return owner && owner->second.dataProducers.count(producerId) > 0;
}

// The router of the room where this host's peer's producer (or data producer) is, not a copy piped to it.
template <typename Flow>
std::string originOf(const Room& room, const std::string& producerId) {
  for (const auto& [routerId, roomRouter] : room.routers) {
    Transport* owner = nullptr;
    if (roomRouter.router && roomRouter.router->template find<Flow>(producerId, &owner) && !owner->isPipe()) return routerId;
  }
  return "";
}

}  // namespace

HostPipes::HostPipes(HostBus& bus, std::string pipeIp, FindRoom findRoom, RouterPipes& routerPipes)
    : bus_(bus), pipeIp_(std::move(pipeIp)), findRoom_(std::move(findRoom)), routerPipes_(routerPipes) {
  bus_.onRequest("openPipe", [this](const BusMessage& request, HostBus::Respond respond) { onOpenPipe(request, std::move(respond)); });
  bus_.onNotice("closePipe", [this](const BusMessage& notice) { onClosePipe(notice); });
}

Router* HostPipes::router(const std::string& roomId, const std::string& routerId) const {
  Room* room = findRoom_(roomId);
  RoomRouter* roomRouter = room ? room->router(routerId) : nullptr;
  return roomRouter ? roomRouter->router : nullptr;
}

// ---- this host receives ----

void HostPipes::pipeIn(Room& room, const std::string& producerId, const std::string& from, const std::string& to, Waiter done) {
  Waiter keep = done;
  switch (crossed_.request(producerId, std::move(done))) {
    // Crossed already: the caller finds the copy where it came in.
    case OnceTable<std::string>::Step::Done: return bus_.later([keep] { keep(Failure{}); });
    case OnceTable<std::string>::Step::Waiting: return;
    case OnceTable<std::string>::Step::Start: break;
  }
  InboundKey key{to, from};
  crossedVia_[producerId] = key;
  std::string roomId = room.id;
  ensureInbound(room, key, [this, alive = std::weak_ptr<char>(alive_), roomId, producerId, key](const Failure& failure) {
    if (alive.expired()) return;
    if (failure) return finishCrossing(producerId, failure);
    openPipe(roomId, producerId, key);
  });
}

void HostPipes::ensureInbound(Room& room, const InboundKey& key, Waiter done) {
  switch (inboundReady_.request(key, done)) {
    case OnceTable<InboundKey>::Step::Done: return bus_.later([done] { done(Failure{}); });
    case OnceTable<InboundKey>::Step::Waiting: return;
    case OnceTable<InboundKey>::Step::Start: break;
  }
  RoomRouter* roomRouter = room.router(key.first);
  if (!roomRouter || !roomRouter->router) {
    for (auto& waiter : inboundReady_.finish(key, Failure::closed("the router closed"))) bus_.later([waiter] { waiter(Failure::closed("the router closed")); });
    return;
  }
  std::string roomId = room.id;
  roomRouter->router->createHostPipeTransport(pipeIp_, [this, alive = std::weak_ptr<char>(alive_), roomId, key](PipeTransport* transport, const Failure& failure) {
    if (alive.expired()) return;
    // Its router closed meanwhile (the room emptied): the transport went with it, nothing to keep.
    Failure outcome = !transport ? failure : !router(roomId, key.first) ? Failure::closed("the router closed") : Failure{};
    if (!outcome) inbound_[key] = Inbound{roomId, key.first, key.second, transport->id(), false};
    for (auto& waiter : inboundReady_.finish(key, outcome)) waiter(outcome);
  });
}

void HostPipes::openPipe(const std::string& roomId, const std::string& producerId, const InboundKey& key) {
  auto in = inbound_.find(key);
  Router* here = router(roomId, key.first);
  Transport* transport = in != inbound_.end() && here ? here->transport(in->second.transportId) : nullptr;
  if (!transport) return finishCrossing(producerId, Failure::closed("the pipe transport closed"));
  Json body = endpointOf(*transport);
  Room* room = findRoom_(roomId);
  body.set("producerId", producerId).set("transportId", transport->id()).set("data", room && isRemoteData(*room, producerId));
  bus_.request(key.second, "openPipe", roomId, body,
               [this, alive = std::weak_ptr<char>(alive_), roomId, producerId, key](const Json& answer, const Failure& failure) {
    if (alive.expired()) return;
    if (failure) {
      return finishCrossing(producerId, failure.kind == Failure::Kind::Rejected ? Failure::closed(failure.detail)
                                                                                : Failure::workerGone("host " + key.second + " did not answer: " + failure.detail));
    }
    // The first answer through this transport connects it (to the other side's transport, once).
    auto connectThen = [this, alive, producerId, key, answer](const Failure& connected) {
      if (alive.expired()) return;
      if (connected) return finishCrossing(producerId, connected);
      produceCopy(producerId, key, answer);
    };
    switch (inboundConnected_.request(key, connectThen)) {
      case OnceTable<InboundKey>::Step::Done: return connectThen(Failure{});
      case OnceTable<InboundKey>::Step::Waiting: return;
      case OnceTable<InboundKey>::Step::Start: break;
    }
    std::string ip;
    int port = 0;
    Json srtp;
    auto in = inbound_.find(key);
    Router* here = router(roomId, key.first);
    auto* pipe = in != inbound_.end() && here ? here->transportAs<PipeTransport>(in->second.transportId) : nullptr;
    Failure bad = !readEndpoint(answer, ip, port, srtp) ? Failure::invalid("host " + key.second + " answered without an address")
                  : !pipe ? Failure::closed("the pipe transport closed") : Failure{};
    if (bad) {
      for (auto& waiter : inboundConnected_.finish(key, bad)) waiter(bad);
      return;
    }
    pipe->connect(ip, port, [this, alive, key](const Failure& connected) {
      if (alive.expired()) return;
      if (!connected) inbound_[key].connected = true;
      for (auto& waiter : inboundConnected_.finish(key, connected)) waiter(connected);
    }, srtp);
  });
}

void HostPipes::produceCopy(const std::string& producerId, const InboundKey& key, const Json& answer) {
  auto in = inbound_.find(key);
  Router* here = in != inbound_.end() ? router(in->second.roomId, key.first) : nullptr;
  auto* pipe = here ? here->transportAs<PipeTransport>(in->second.transportId) : nullptr;
  if (!pipe) return finishCrossing(producerId, Failure::closed("the pipe transport closed"));
  auto copied = [this, alive = std::weak_ptr<char>(alive_), producerId](const void* copy, const Failure& failure) {
    if (alive.expired()) return;
    finishCrossing(producerId, copy ? Failure{} : failure);
  };
  json_t* sctpStreamParameters = json_object_get(answer.get(), "sctpStreamParameters");
  if (json_is_object(sctpStreamParameters)) {
    // A data producer: the copy takes the pipe's SCTP stream (what the other host's pipe data consumer sends on).
    auto label = answer.string("label"), protocol = answer.string("protocol");
    if (!label || !protocol || label->size() > 1024 || protocol->size() > 1024) {
      return finishCrossing(producerId, Failure::invalid("host " + key.second + " answered without the data producer's parameters"));
    }
    Failure invalid = pipe->produceData(Json::adopt(json_deep_copy(sctpStreamParameters)), *label, *protocol,
                                        [copied](DataProducer* copy, const Failure& failure) { copied(copy, failure); }, producerId);
    if (invalid) finishCrossing(producerId, Failure::invalid("host " + key.second + "'s data producer cannot be piped here: " + invalid.detail));
    return;
  }
  auto kind = answer.string("kind");
  json_t* rtpParameters = json_object_get(answer.get(), "rtpParameters");
  if (!kind || (*kind != "audio" && *kind != "video") || !json_is_object(rtpParameters)) {
    return finishCrossing(producerId, Failure::invalid("host " + key.second + " answered without the producer's parameters"));
  }
  bool paused = json_is_true(json_object_get(answer.get(), "paused"));
  Failure invalid = pipe->produceCopy(producerId, *kind, Json::adopt(json_deep_copy(rtpParameters)), paused,
                                      [copied](Producer* copy, const Failure& failure) { copied(copy, failure); });
  // Parameters this host's routers cannot take: the hosts' codec settings differ.
  if (invalid) finishCrossing(producerId, Failure::invalid("host " + key.second + "'s producer cannot be piped here (do the hosts' media_codecs differ?): " + invalid.detail));
}

void HostPipes::finishCrossing(const std::string& producerId, const Failure& failure) {
  std::optional<InboundKey> via;
  if (failure) {
    MSP_WARN("cluster: producer %s did not cross to this host: %s", producerId.c_str(), failure.detail.c_str());
    if (auto it = crossedVia_.find(producerId); it != crossedVia_.end()) via = it->second;
    crossedVia_.erase(producerId);
  }
  for (auto& waiter : crossed_.finish(producerId, failure)) waiter(failure);
  // A pipe transport nothing crosses on (its first crossing failed: no answer, a refusal) does not stay; the
  // other host closes its side too, if it made one.
  if (via && std::none_of(crossedVia_.begin(), crossedVia_.end(), [&](const auto& entry) { return entry.second == *via; })) {
    closeInbound(*via, true);
  }
}

void HostPipes::remoteProducerClosed(Room& room, const std::string& producerId) {
  auto via = crossedVia_.find(producerId);
  if (via == crossedVia_.end()) return;
  InboundKey key = via->second;
  crossedVia_.erase(via);
  std::vector<Waiter> pending;
  crossed_.erase(producerId, &pending);
  for (auto& waiter : pending) waiter(Failure::closed("the producer closed"));
  auto in = inbound_.find(key);
  Router* here = in != inbound_.end() ? router(room.id, key.first) : nullptr;
  if (Transport* pipe = here ? here->transport(in->second.transportId) : nullptr) {
    if (pipe->producer(producerId)) pipe->closeProducer(producerId);
    else if (pipe->dataProducer(producerId)) pipe->closeDataProducer(producerId);
  }
}

void HostPipes::remoteProducerPaused(Room& room, const std::string& producerId, bool paused) {
  auto via = crossedVia_.find(producerId);
  if (via == crossedVia_.end()) return;
  auto in = inbound_.find(via->second);
  Router* here = in != inbound_.end() ? router(room.id, via->second.first) : nullptr;
  Transport* pipe = here ? here->transport(in->second.transportId) : nullptr;
  Producer* copy = pipe ? pipe->producer(producerId) : nullptr;
  if (!copy) return;
  auto ignore = [](const Failure&) {};
  if (paused) copy->pause(ignore);
  else copy->resume(ignore);
}

void HostPipes::closeInbound(const InboundKey& key, bool tellOwner) {
  auto in = inbound_.find(key);
  if (in == inbound_.end()) {
    inboundReady_.erase(key);
    inboundConnected_.erase(key);
    return;
  }
  Inbound gone = in->second;
  inbound_.erase(in);
  inboundReady_.erase(key);
  inboundConnected_.erase(key);
  std::vector<std::string> copies;
  for (const auto& [producerId, via] : crossedVia_) {
    if (via == key) copies.push_back(producerId);
  }
  for (const auto& producerId : copies) {
    crossedVia_.erase(producerId);
    crossed_.erase(producerId);
  }
  if (tellOwner) {
    Json body = Json::object();
    body.set("transportId", gone.transportId);
    bus_.notify(gone.hostId, "closePipe", gone.roomId, body);
  }
  if (Router* here = router(gone.roomId, gone.routerId)) here->closeTransport(gone.transportId);  // its copies close
}

// ---- this host sends ----

void HostPipes::onOpenPipe(const BusMessage& request, HostBus::Respond respond) {
  Room* room = findRoom_(request.room);
  auto producerId = request.body.string("producerId");
  auto peerTransportId = request.body.string("transportId");
  std::string ip;
  int port = 0;
  Json srtp;
  if (!room || !producerId || !peerTransportId || !readEndpoint(request.body, ip, port, srtp)) {
    return respond(Json(), room ? "invalid openPipe" : "no such room here");
  }
  // Where the producer is here (its peer's router; a copy from a third host does not cross again).
  bool data = json_is_true(json_object_get(request.body.get(), "data"));
  std::string origin = data ? originOf<DataFlow>(*room, *producerId) : originOf<MediaFlow>(*room, *producerId);
  if (origin.empty()) return respond(Json(), data ? "no such data producer here" : "no such producer here");
  auto key = std::make_pair(request.from, *peerTransportId);
  auto existing = outbound_.find(key);
  if (existing != outbound_.end()) return consumeOut(*room, existing->second, *producerId, data, std::move(respond));
  Router* source = room->router(origin)->router;
  std::string roomId = room->id, from = request.from, producer = *producerId;
  source->createHostPipeTransport(pipeIp_, [this, alive = std::weak_ptr<char>(alive_), roomId, origin, from, key, ip, port, srtp, producer, data,
                                            respond = std::move(respond)](PipeTransport* transport, const Failure& failure) mutable {
    if (alive.expired()) return;
    if (!transport) return respond(Json(), "no pipe transport: " + failure.detail);
    if (!router(roomId, origin)) return respond(Json(), "the room closed here meanwhile");
    if (takeClosedEarly(key)) {
      if (Router* r = router(roomId, origin)) r->closeTransport(transport->id());
      return respond(Json(), "the receiving side closed its pipe meanwhile");
    }
    // Asked twice at once: the first made it; this one goes.
    if (outbound_.count(key)) {
      if (Router* r = router(roomId, origin)) r->closeTransport(transport->id());
      Room* room = findRoom_(roomId);
      if (!room) return respond(Json(), "no such room here");
      return consumeOut(*room, outbound_.at(key), producer, data, std::move(respond));
    }
    outbound_[key] = Outbound{roomId, origin, from, key.second, transport->id()};
    std::string transportId = transport->id();
    transport->connect(ip, port, [this, alive, roomId, key, producer, data, respond = std::move(respond)](const Failure& connected) mutable {
      if (alive.expired()) return;
      Room* room = findRoom_(roomId);
      auto out = outbound_.find(key);
      if (connected || !room || out == outbound_.end()) return respond(Json(), "cannot connect the pipe: " + connected.detail);
      consumeOut(*room, out->second, producer, data, std::move(respond));
    }, srtp);
  });
}

// The producer into the outbound transport (piped first to its router within this host when it lives on
// another), answered with the pipe consumer's parameters. Asked again (a retry): the same consumer's.
void HostPipes::consumeOut(Room& room, Outbound& out, const std::string& producerId, bool data, HostBus::Respond respond) {
  if (data) return consumeOutFlow<DataFlow>(room, out, producerId, std::move(respond));
  consumeOutFlow<MediaFlow>(room, out, producerId, std::move(respond));
}

template <typename Flow>
void HostPipes::consumeOutFlow(Room& room, Outbound& out, const std::string& producerId, HostBus::Respond respond) {
  constexpr bool kData = std::is_same_v<Flow, DataFlow>;
  Router* source = room.router(out.routerId) ? room.router(out.routerId)->router : nullptr;
  PipeTransport* transport = source ? source->transportAs<PipeTransport>(out.transportId) : nullptr;
  if (!transport) return respond(Json(), "the pipe transport closed");
  auto answer = [transport](const typename Flow::Consumer& consumer) {
    Json body = endpointOf(*transport);
    if constexpr (kData) {
      body.set("sctpStreamParameters", consumer.sctpStreamParameters()).set("label", consumer.label()).set("protocol", consumer.protocol());
    } else {
      body.set("kind", consumer.kind()).set("rtpParameters", consumer.rtpParameters()).set("paused", consumer.producerPaused());
    }
    return body;
  };
  for (const auto& [id, consumer] : Flow::consumers(*transport)) {
    if (Flow::producerIdOf(*consumer) == producerId) return respond(answer(*consumer), "");
  }
  auto* producer = source->template find<Flow>(producerId);
  if (!producer) {
    // On another router here: RouterPipes brings it to this one first.
    std::string origin = originOf<Flow>(room, producerId);
    if (origin.empty()) return respond(Json(), std::string("no such ") + Flow::kProducerName + " here");
    Failure failure;
    std::string roomId = room.id;
    auto key = std::make_pair(out.hostId, out.peerTransportId);
    auto retry = [this, alive = std::weak_ptr<char>(alive_), roomId, key, producerId, respond](const Failure& piped) {
      if (alive.expired()) return;
      Room* room = findRoom_(roomId);
      auto out = outbound_.find(key);
      if (piped || !room || out == outbound_.end()) return respond(Json(), "cannot bring the producer to the pipe");
      consumeOutFlow<Flow>(*room, out->second, producerId, respond);
    };
    auto outcome = routerPipes_.pipe<Flow>(producerId, origin, out.routerId, retry, failure);
    if (outcome == RouterPipes::Outcome::Ready) return consumeOutFlow<Flow>(room, out, producerId, std::move(respond));
    if (outcome == RouterPipes::Outcome::Failed) respond(Json(), failure.detail);
    return;
  }
  auto consumed = [answer, respond](typename Flow::Consumer* consumer, const Failure& failure) {
    if (!consumer) return respond(Json(), "cannot consume for the pipe: " + failure.detail);
    respond(answer(*consumer), "");
  };
  Failure invalid;
  if constexpr (kData) invalid = transport->consumeData(*producer, consumed);
  else invalid = transport->consumeForPipe(*producer, consumed, true);
  if (invalid) respond(Json(), invalid.detail);
}

void HostPipes::onClosePipe(const BusMessage& notice) {
  auto peerTransportId = notice.body.string("transportId");
  if (!peerTransportId) return;
  auto key = std::make_pair(notice.from, *peerTransportId);
  // Either side says so, naming the receiving side's transport: the other host's inbound one (we send to it),
  // or ours (its outbound side is gone).
  if (outbound_.count(key)) {
    return closeOutbound([&](const Outbound& out) { return out.hostId == key.first && out.peerTransportId == key.second; }, false);
  }
  bool inbound = std::any_of(inbound_.begin(), inbound_.end(),
                             [&](const auto& entry) { return entry.second.hostId == notice.from && entry.second.transportId == *peerTransportId; });
  if (inbound) return closeInbounds([&](const Inbound& in) { return in.hostId == notice.from && in.transportId == *peerTransportId; }, false);
  // Neither: an outbound transport still being made for it (the receiver gave up before our answer). It goes
  // as soon as it exists.
  closedEarly_.push_back(key);
  if (closedEarly_.size() > kMaxClosedEarly) closedEarly_.pop_front();
}

bool HostPipes::takeClosedEarly(const std::pair<std::string, std::string>& key) {
  auto it = std::find(closedEarly_.begin(), closedEarly_.end(), key);
  if (it == closedEarly_.end()) return false;
  closedEarly_.erase(it);
  return true;
}

void HostPipes::hostLost(const std::string& hostId) {
  closeInbounds([&](const Inbound& in) { return in.hostId == hostId; }, false);
  closeOutbound([&](const Outbound& out) { return out.hostId == hostId; }, false);
}

void HostPipes::roomHostGone(const std::string& roomId, const std::string& hostId) {
  closeInbounds([&](const Inbound& in) { return in.roomId == roomId && in.hostId == hostId; }, true);
  closeOutbound([&](const Outbound& out) { return out.roomId == roomId && out.hostId == hostId; }, true);
}

void HostPipes::closeInbounds(const std::function<bool(const Inbound&)>& which, bool tellOwner) {
  std::vector<InboundKey> keys;  // collected first: closing one changes inbound_
  for (const auto& [key, in] : inbound_) {
    if (which(in)) keys.push_back(key);
  }
  for (const auto& key : keys) closeInbound(key, tellOwner);
}

void HostPipes::closeOutbound(const std::function<bool(const Outbound&)>& which, bool tellReceiver) {
  for (auto it = outbound_.begin(); it != outbound_.end();) {
    if (!which(it->second)) {
      ++it;
      continue;
    }
    Outbound gone = it->second;
    it = outbound_.erase(it);
    if (tellReceiver) {
      // Our side is gone: the receiving host closes its inbound transport (its copies close).
      Json body = Json::object();
      body.set("transportId", gone.peerTransportId);
      bus_.notify(gone.hostId, "closePipe", gone.roomId, body);
    }
    if (Router* r = router(gone.roomId, gone.routerId)) r->closeTransport(gone.transportId);
  }
}

void HostPipes::routerGone(const std::string& routerId) {
  closeInbounds([&](const Inbound& in) { return in.routerId == routerId; }, true);
  closeOutbound([&](const Outbound& out) { return out.routerId == routerId; }, true);
}

}  // namespace msp
