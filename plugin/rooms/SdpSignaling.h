// SDP peers: janus.js apps with a plain RTCPeerConnection, aiortc, GStreamer webrtcbin, WHIP encoders. Each of
// their SDP requests runs as the media requests a mediasoup-client peer would send (createWebRtcTransport,
// produce, connectWebRtcTransport, consume, resumeConsumer), through MediaSignaling, so the same rights,
// limits and pipes apply; sdp/ maps the SDP both ways.
//
// A subscriber transport has at most one offer outstanding: what changes meanwhile (a producer appears with
// autoUpdate, a consumer ends) waits for its answer, then goes out as the next `sdpOffer` event.
//
// Each negotiation is a chain of worker round trips; after each one the peer is looked up again (it may have
// left, been kicked or moved), and a chain whose peer is gone stops, its transport closing with the peer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/Json.h"
#include "base/LaterQueue.h"
#include "base/Lifetime.h"
#include "messages/ApiError.h"
#include "messages/Requests.h"
#include "rooms/MediaSignaling.h"
#include "rooms/Room.h"
#include "sdp/SdpMapping.h"

namespace msp {

class SdpSignaling {
 public:
  // The peer of a session and its room, if it is joined and its router is ready.
  using FindPeer = std::function<std::pair<Room*, const Peer*>(uint64_t sessionId)>;

  SdpSignaling(MediaSignaling& media, EventSink events, FindPeer findPeer, uv_loop_t* loop);

  void handle(Room& room, const Peer& peer, const Request& request, Reply reply);
  // A producer appeared in a room: autoUpdate subscribers there (but its own peer) are offered it.
  void producerAdded(const std::string& roomId, const std::string& producerId, uint64_t ownerSessionId);
  // A consumer ended (its producer went away): a subscriber's m-line for it is offered closed.
  void consumerClosed(const std::string& transportId, const std::string& consumerId);
  // The session left its room (or the room closed): its SDP transports are gone with it.
  void forget(uint64_t sessionId);
  bool isSdpPeer(uint64_t sessionId) const;

 private:
  struct Line {
    sdp::ConsumerLine line;
    std::string consumerId;  // empty for a closed slot
    std::string producerId;
    bool resumed = false;
  };
  struct SdpTransport {
    uint64_t sessionId = 0;
    std::string roomId;
    std::string routerId;
    std::string transportId;
    bool publisher = true;
    sdp::LocalTransport local;
    uint64_t sdpSessionId = 0;  // o= of its SDP: random, not the Janus session
    uint64_t version = 0;
    bool connected = false;
    bool busy = false;  // a negotiation is running
    // Publishing: the producer of each mid.
    std::map<std::string, std::pair<std::string, std::string>> producerOfMid;  // mid → (producerId, kind)
    // Subscribing.
    std::vector<Line> lines;
    bool autoUpdate = false;
    bool offerOutstanding = false;
    bool changed = false;                // something to offer once the outstanding offer is answered
    std::vector<std::string> toConsume;  // producers waiting to be added
  };

  void publish(Room& room, const Peer& peer, const request::PublishSdp& r, Reply reply);
  void subscribe(Room& room, const Peer& peer, const request::SubscribeSdp& r, Reply reply);
  void answer(Room& room, const Peer& peer, const request::SdpAnswer& r, Reply reply);
  void unpublish(Room& room, const Peer& peer, const request::UnpublishSdp& r, Reply reply);

  // A new send (publisher) or recv transport for SDP, registered, then `then`; or the error answered.
  void openTransport(const Room& room, const Peer& peer, bool publisher, bool autoUpdate, Reply reply,
                     std::function<void(const std::string& transportId)> then);
  // Sends one media request as the peer, if it is still there; the answer (or 445) to `then`.
  void ask(uint64_t sessionId, Request request, std::function<void(Json answer)> then);
  // Produces tracks[i…] on the transport, then `done` (with an error answer, or a null Json).
  void produceFrom(const std::string& transportId, std::vector<sdp::PublishedTrack> tracks, size_t i,
                   std::function<void(Json error)> done);
  // Consumes producers[i…], appending lines, then `done`.
  void consumeFrom(const std::string& transportId, std::vector<std::string> producers, size_t i, std::function<void()> done);
  // The next offer of a subscriber transport, as an answer (first offer) or an sdpOffer event.
  Json offerOf(SdpTransport& transport);
  // After an answer, or a change: consume what waits, then offer again if anything changed.
  void renegotiate(const std::string& transportId);
  void schedule(const std::string& transportId);
  // The SDP transport of that id, owned by the peer and still alive in its router; else the error.
  SdpTransport* own(Room& room, const Peer& peer, const std::string& transportId, Reply& reply);
  // Drops the entries of the session whose transport is gone (its router moved, or it was closed).
  void prune(Room& room, const Peer& peer);
  void closeTransport(uint64_t sessionId, const std::string& transportId);

  MediaSignaling& media_;
  EventSink events_;
  FindPeer findPeer_;
  std::map<std::string, SdpTransport> transports_;  // by transport id
  std::set<std::string> dirty_;                     // transports whose renegotiation is deferred
  LaterQueue deferred_;  // renegotiations, and answers known at once, run on a later loop turn
  Lifetime lifetime_;
};

}  // namespace msp
