// Media and data between the hosts of a cluster, as RouterPipes does it between the routers of one host: a producer (or data producer) of
// another host crosses to this one at most once, into one of the room's routers here (RouterPipes takes it on
// to the others). The receiving host makes its pipe transport first (on cluster_pipe_ip, SRTP
// AEAD_AES_256_GCM and RTX on) and asks the producer's host (openPipe); that host makes its own, connects it,
// consumes the producer into it and answers with its address, SRTP key and the pipe consumer's parameters; the
// receiver connects and produces the copy with the producer's id. One pipe transport pair per (router here,
// host there) and direction, reused by every producer that crosses that way. Pause and close follow the owner's word (RoomSpan's snapshots); RTCP
// (keyframe requests) flows back through the pipe. Loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "base/Failure.h"
#include "base/OnceTable.h"
#include "cluster/HostBus.h"
#include "entities/Router.h"
#include "rooms/Room.h"
#include "rooms/RouterPipes.h"

namespace msp {

class HostPipes {
 public:
  using Waiter = std::function<void(const Failure&)>;
  using FindRoom = std::function<Room*(const std::string& roomId)>;

  HostPipes(HostBus& bus, std::string pipeIp, FindRoom findRoom, RouterPipes& routerPipes);
  HostPipes(const HostPipes&) = delete;
  HostPipes& operator=(const HostPipes&) = delete;

  // Brings the producer of host `from` into the room here, on router `to` unless it already crossed (then it
  // is where it crossed to). done runs later, never inside this call.
  void pipeIn(Room& room, const std::string& producerId, const std::string& from, const std::string& to, Waiter done);
  // The owner said the producer closed, paused or resumed: so does its copy here.
  void remoteProducerClosed(Room& room, const std::string& producerId);
  void remoteProducerPaused(Room& room, const std::string& producerId, bool paused);
  // A host is gone: every pipe to or from it closes (its copies here close, their consumers are told).
  void hostLost(const std::string& hostId);
  // A host left the room (or fell silent in it): the room's pipes to and from it close, and it is told, in
  // case its own word that it closed its side was lost.
  void roomHostGone(const std::string& roomId, const std::string& hostId);
  // A router here is gone (closed, or its worker died): its pipes to other hosts are gone; those hosts close
  // their side. Call before it closes, or right after its worker died.
  void routerGone(const std::string& routerId);
  // The router here another host's producer crossed to (empty: it did not, or is still crossing).
  std::string copyRouterOf(const std::string& producerId) const {
    auto it = crossedVia_.find(producerId);
    return it == crossedVia_.end() ? std::string() : it->second.first;
  }
  // Pipe transports here to or from other hosts (the metrics' cluster_pipes).
  size_t pipeCount() const { return inbound_.size() + outbound_.size(); }

 private:
  struct Inbound {   // here: copies of another host's producers come in on it
    std::string roomId, routerId, hostId, transportId;
    bool connected = false;
  };
  struct Outbound {  // here: this host's producers go out on it to another host's inbound transport
    std::string roomId, routerId, hostId, peerTransportId, transportId;
  };
  using InboundKey = std::pair<std::string, std::string>;  // (router here, host there)

  void ensureInbound(Room& room, const InboundKey& key, Waiter done);
  void openPipe(const std::string& roomId, const std::string& producerId, const InboundKey& key);
  void finishCrossing(const std::string& producerId, const Failure& failure);
  void produceCopy(const std::string& producerId, const InboundKey& key, const Json& answer);
  void onOpenPipe(const BusMessage& request, HostBus::Respond respond);
  void consumeOut(Room& room, Outbound& out, const std::string& producerId, bool data, HostBus::Respond respond);
  template <typename Flow>
  void consumeOutFlow(Room& room, Outbound& out, const std::string& producerId, HostBus::Respond respond);
  void onClosePipe(const BusMessage& notice);
  // A closePipe for an outbound transport not made yet: true (once) when `key` had one.
  bool takeClosedEarly(const std::pair<std::string, std::string>& key);
  Router* router(const std::string& roomId, const std::string& routerId) const;
  void closeInbound(const InboundKey& key, bool tellOwner);
  void closeInbounds(const std::function<bool(const Inbound&)>& which, bool tellOwner);
  void closeOutbound(const std::function<bool(const Outbound&)>& which, bool tellReceiver);

  HostBus& bus_;
  std::string pipeIp_;
  FindRoom findRoom_;
  RouterPipes& routerPipes_;
  std::map<InboundKey, Inbound> inbound_;
  OnceTable<InboundKey> inboundReady_;           // made (its pipe transport exists here)
  OnceTable<InboundKey> inboundConnected_;       // connected to the other host's (from the first answer on)
  OnceTable<std::string> crossed_;               // producer ids that crossed (or are crossing) to this host
  std::map<std::string, InboundKey> crossedVia_; // producer id → the inbound transport its copy came on
  std::map<std::pair<std::string, std::string>, Outbound> outbound_;  // (host there, its transport id) → ours
  static constexpr size_t kMaxClosedEarly = 256;
  std::deque<std::pair<std::string, std::string>> closedEarly_;  // closePipes that came before their outbound
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
