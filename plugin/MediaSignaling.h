// The media half of the client API: a joined peer's transports, producers, consumers and data channels in
// its room's router, and the events other peers get about them. RoomManager owns rooms and membership and
// hands media requests here.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "Json.h"
#include "Requests.h"
#include "Room.h"
#include "Router.h"

namespace msp {

using Reply = std::function<void(Json answer)>;
using EventSink = std::function<void(uint64_t sessionId, Json event)>;

class MediaSignaling {
 public:
  // findRoom: the room of that id while it still owns that router (late worker replies outlive rooms).
  using FindRoom = std::function<Room*(const std::string& roomId, const std::string& routerId)>;

  MediaSignaling(EventSink events, WebRtcTransportOptions transportOptions, FindRoom findRoom);

  // Hooks a new room's router events to peer events.
  void wire(Room& room);
  // A request of a joined peer (the room is ready).
  void handle(Room& room, const Peer& peer, const Request& request, Reply reply);
  // The peer is leaving: its transports close, and the others hear of its producers going.
  void peerLeaving(Room& room, uint64_t sessionId);
  // {"producers":[{id,kind}],"dataProducers":[{id,label,protocol}]} of a peer, for join answers.
  Json producersOf(const Room& room, uint64_t sessionId) const;

 private:
  void on(Room& room, const Peer& peer, const request::CreateWebRtcTransport& request, Reply reply);
  void on(Room& room, const Peer& peer, const request::ConnectWebRtcTransport& request, Reply reply);
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
  Transport* ownTransport(Room& room, const Peer& peer, const std::string& transportId) const;
  // The peer's transport of that id, facing `needed` (if given) for `action`; else answers the error (446 or
  // 440) and returns null.
  Transport* transportFor(Room& room, const Peer& peer, const std::string& transportId, std::optional<Direction> needed,
                          const char* action, const Reply& reply) const;
  void broadcast(const Room& room, const Json& event, uint64_t exceptSessionId) const;
  std::string peerIdOf(const Room& room, uint64_t sessionId) const;

  EventSink events_;
  WebRtcTransportOptions transportOptions_;
  FindRoom findRoom_;
};

}  // namespace msp
