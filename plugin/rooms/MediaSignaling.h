// The media half of the client API: a joined peer's transports, producers, consumers and data channels in
// its room's router, and the events other peers get about them. RoomManager owns rooms and membership and
// hands media requests here.
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <optional>
#include <string>

#include "base/Json.h"
#include "base/Lifetime.h"
#include "messages/ApiError.h"
#include "messages/Requests.h"
#include "rooms/RoomEvents.h"
#include "rooms/Room.h"
#include "entities/Router.h"
#include "rooms/RouterPipes.h"

namespace msp {


// What one peer may hold at once, media and data together (0: no limit).
struct PeerLimits {
  uint32_t transports = 0;
  uint32_t producers = 0;
  uint32_t consumers = 0;
  static PeerLimits of(const Settings& settings) {
    return {settings.maxTransportsPerPeer, settings.maxProducersPerPeer, settings.maxConsumersPerPeer};
  }
};

class MediaSignaling {
 public:
  using FindRoom = std::function<Room*(const std::string& roomId, const std::string& routerId)>;

  // findRoom: the room of that id while it still has that router (late worker replies outlive routers).
  MediaSignaling(EventSink events, TransportOptions transportOptions, PeerLimits limits, FindRoom findRoom,
                 RouterPipes& pipes, const RoomEvents& observers);

  // Hooks a new router's events to peer events (and its pipe transports' to the pipes).
  void wire(Room& room, RoomRouter& roomRouter);
  // A request of a joined peer whose router is ready.
  void handle(Room& room, const Peer& peer, const Request& request, Reply reply);
  // The peer is leaving its router: its transports close, and the others hear of its producers going.
  void peerLeaving(Router& router, uint64_t sessionId);
  // {"producers":[{id,kind}],"dataProducers":[{id,label,protocol}]} of a peer on its router, for join answers.
  Json producersOf(const Router& router, uint64_t sessionId) const;
  // The peer's router (ready: handle() is only called then).
  static Router& routerOf(Room& room, const Peer& peer);

  // A producer was made on a router of a room (after newProducer went out), or a peer's producer closed; a
  // consumer ended with its producer. SDP subscribers renegotiate on these; the room's audio observers follow.
  std::function<void(const std::string& roomId, const std::string& routerId, const Producer& producer, uint64_t ownerSessionId)> onProducerAdded;
  std::function<void(Room& room, const Producer& producer)> onProducerClosed;
  std::function<void(const std::string& transportId, const std::string& consumerId)> onConsumerEnded;
  // A producer of a peer on another host of the cluster: brought to router `toRouterId` here (done runs later);
  // false when no other host has it either.
  std::function<bool(Room& room, const std::string& producerId, const std::string& toRouterId,
                     std::function<void(const Failure&)> done)> pipeFromHost;

 private:
  enum class Held { Transports, Producers, Consumers };
  // 449 when the peer's token did not grant the right (name: "publish" | "subscribe").
  static std::optional<Json> refuseRight(bool granted, const char* name);
  // 450 when the peer holds (or is being given) as many of `what` as it may; else nullopt, and `reply` becomes
  // one that counts one more of `what` in flight until the answer is given.
  std::optional<Json> reserve(Room& room, const Peer& peer, Held what, Reply& reply);

  void on(Room& room, const Peer& peer, const request::CreateWebRtcTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ConnectWebRtcTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::CreatePlainTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ConnectPlainTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::RestartIce& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::CloseTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::Produce& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ProducerAction& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::Consume& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ConsumerAction& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::SetPreferredLayers& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ProduceData& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ConsumeData& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::GetStats& request, Reply reply);
  // The reply to a transport request: answerOf's answer, or the error; a transport whose peer left meanwhile closes.
  template <typename T>
  Transport::Created<T> whenCreated(const Room& room, const Peer& peer, Reply reply,
                                    std::function<Json(const Transport&)> answerOf);
  // A consume or consumeData (Flow: MediaFlow or DataFlow): of a producer of the peer's router, or of
  // another router of the room once piped here.
  template <typename Flow, typename Request>
  void consume(Room& room, const Peer& peer, const Request& request, Reply reply);
  // Once checked and counted: from the peer's router, another router of the room, or (once, for media) another host.
  template <typename Flow, typename Request>
  void consumeFound(Room& room, const Peer& peer, const Request& request, Reply reply, bool crossedHosts);
  void consumeHere(Room& room, const Peer& peer, const request::Consume& request, Reply reply);
  void consumeHere(Room& room, const Peer& peer, const request::ConsumeData& request, Reply reply);
  Transport* ownTransport(Room& room, const Peer& peer, const std::string& transportId) const;
  // The peer's transport of that id, a T (WebRtcTransport, PlainTransport, or any Transport), facing `needed`
  // (if given) for `action`; else answers the error (446: none of the peer's; 440: another kind, or facing the
  // other way) and returns null.
  template <typename T>
  T* transportFor(Room& room, const Peer& peer, const std::string& transportId, std::optional<Direction> needed,
                  const char* action, const Reply& reply) const;

  EventSink events_;
  TransportOptions transportOptions_;
  PeerLimits limits_;
  std::map<std::pair<uint64_t, Held>, uint32_t> inFlight_;  // (session, what) → requests not answered yet
  Lifetime lifetime_;
  FindRoom findRoom_;
  RouterPipes& pipes_;
  const RoomEvents& observers_;
};

}  // namespace msp
