// The room requests: create, destroy, exists, list, join, leave, and a joined peer's media requests (handed to
// MediaSignaling). A room is one or more routers on different workers; a joining peer goes where placePeer()
// says (a new router when the room's routers are full), consuming across routers goes through RouterPipes, and
// a router whose worker dies or is drained is Failover's. Who is where is the Membership index. Runs on the loop
// thread; answers through Reply callbacks once the workers have done the work.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "base/Json.h"
#include "base/Lifetime.h"
#include "config/Config.h"
#include "messages/Requests.h"
#include "pool/WorkerPool.h"
#include "rooms/Failover.h"
#include "rooms/MediaSignaling.h"
#include "rooms/Membership.h"
#include "rooms/Placement.h"
#include "rooms/Room.h"
#include "rooms/RoomEvents.h"
#include "rooms/RouterPipes.h"
#include "rooms/SdpSignaling.h"
#include "rooms/Speakers.h"
#include "rooms/HostPipes.h"
#include "rooms/RoomSpan.h"
#include "cluster/RoomDirectory.h"

namespace msp {

class RoomManager : private RoomPlacement {
 public:
  // settings: what rooms, placement and transports follow (read here, once). events pushes an event to a Janus
  // session (when it is still alive).
  RoomManager(WorkerPool& pool, const Settings& settings, Json routerRtpCapabilities, EventSink events);
  ~RoomManager() override;
  RoomManager(const RoomManager&) = delete;
  RoomManager& operator=(const RoomManager&) = delete;

  // With a cluster: which host holds which room (null: this host is alone). Set at start.
  void setDirectory(RoomDirectory* directory) { directory_ = directory; }
  // With a cluster: rooms span hosts (peers of a room on several hosts, media piped between them). At start,
  // after setDirectory; the bus outlives the rooms.
  void enableSpanning(HostBus& bus, const std::string& pipeIp, const std::string& codecs);
  // A host of the cluster is lost: its peers leave the rooms here, pipes to it close.
  void hostLost(const std::string& hostId) { if (span_) span_->hostLost(hostId); }
  // This host was cut off for longer than its lease (the others dropped it): it drops what it shared with them.
  void isolated() { if (span_) span_->isolated(); }
  // A room this host holds is another live host's in the directory: this host becomes a member of it there.
  void heldElsewhere(const std::string& roomId, const std::string& home) {
    Room* room = membership_.room(roomId);
    if (span_ && room) span_->heldElsewhere(*room, home);
  }
  size_t hostPipeCount() const { return hostPipes_ ? hostPipes_->pipeCount() : 0; }
  // The rooms this host holds (not those it is a member of): what it claims in the directory.
  std::vector<std::string> homeRoomIds() const;

  // Watchers of what happens in the rooms (event handlers, metrics); subscribed once, at start.
  void observe(RoomObserver observer) { observers_.subscribe(std::move(observer)); }

  void handle(uint64_t sessionId, const Request& request, Reply reply);
  // Detach or session timeout: leave like `leave`, without an answer.
  void sessionGone(uint64_t sessionId);
  // Shutdown: every room closes (peers are not told), routers go with their workers.
  void closeAll();
  // Admin: the worker takes no new routers, its peers move to other workers (`moved`, reason "drained"),
  // then it stops without respawn. Answers the number of peers moved.
  void drainWorker(size_t slot, Reply reply) { failover_.drainWorker(slot, std::move(reply)); }

  // Admin drainHost / resumeHost: a draining host takes no new peers and makes no new rooms (448, naming the
  // host hostTakingPeers says takes them); its peers stay until they leave. Set with a cluster, at start.
  void setDraining(bool draining) { draining_ = draining; }
  bool draining() const { return draining_; }
  void setHostTakingPeers(std::function<std::string()> which) { hostTakingPeers_ = std::move(which); }

  const std::map<std::string, std::unique_ptr<Room>>& rooms() const { return membership_.rooms(); }
  const Peer* peerOf(uint64_t sessionId) const { return membership_.peerOf(sessionId); }
  // Whether the session negotiates its media with SDP (publishSdp, subscribeSdp).
  bool isSdpPeer(uint64_t sessionId) const { return sdp_.isSdpPeer(sessionId); }
  // How long a room may wait for a live worker before it closes (noWorker).
  void setNoWorkerTimeout(uint64_t ms) { failover_.noWorkerTimeoutMs = ms; }

 private:
  void create(const request::Create& request, Reply reply);
  void destroy(uint64_t sessionId, const request::Destroy& request, Reply reply);
  void exists(const request::Exists& request, Reply reply);
  void list(Reply reply);
  void join(uint64_t sessionId, const request::Join& request, Reply reply);
  // The room on this host: `create` once the directory (if any) says it is ours.
  void createHere(const request::Create& request, Reply reply);
  struct JoinGrant;
  void joinHere(uint64_t sessionId, const request::Join& request, JoinGrant grant, Reply reply);
  void kick(uint64_t sessionId, const request::Kick& request, Reply reply);
  // Removes a peer of this host (kicked, then peerLeft to the others); false when it has none such.
  bool kickHere(Room& room, const std::string& peerId);
  Json drainingAnswer() const;
  Json directoryUnavailable(const std::string& roomId);
  // Whether a request may destroy the room or kick its peers: with the room's secret, the admin key, a token
  // with admin for the room, or as a peer of the room whose token made it admin; needed only when the room has
  // a secret or admin_key is set. The refusal (449) when not.
  std::optional<Json> refuseRoomAdmin(uint64_t sessionId, const Room& room, const std::string& secret,
                                      const std::string& adminKey, const std::string& token) const;
  // A `create`, or a `join` that creates: the admin key when set, and room to spare under max_rooms.
  std::optional<Json> refuseNewRoom(const std::string& adminKey) const;
  struct PendingJoin;
  void joinAttempt(PendingJoin join);
  void joinTargetReady(PendingJoin join, const Failure& failure);
  void leave(uint64_t sessionId, Reply reply);
  void setDisplay(uint64_t sessionId, const request::SetDisplay& request, Reply reply);
  // A new room's audio observer settings: the plugin's, with the `create` request's own on top.
  RoomAudioSettings audioSettingsFor(const request::RoomAudio& own) const;
  void media(uint64_t sessionId, const Request& request, Reply reply);

  // A new router of the room on that worker: counts at once, ready later (routerCreated).
  RoomRouter& addRouter(Room& room, WorkerPool::Slot& slot);
  void routerCreated(const std::string& roomId, const std::string& routerId, Router* router, const Failure& failure);
  // Ours: the router closes (room closing, or an extra router left without peers).
  void closeRouter(Room& room, const std::string& routerId, const Failure& waitersGet);
  void closeRouterIfUnused(Room& room, const std::string& routerId);

  // RoomPlacement (also what failover asks of the rooms).
  RoomRouter* place(Room& room, uint64_t sessionId) override;
  bool ensureRouter(Room& room) override;
  // Closes a room: peers get roomClosed (when announced), waiters fail, its routers close.
  // By value: callers often pass the key of the map entry this erases.
  void closeRoom(std::string roomId, RoomCloseReason reason) override;
  Json peersOf(Room& room, uint64_t exceptSessionId) override;
  void routerGone(Room& room, const std::string& routerId) override;
  // A room made here: wired to its other hosts (with a cluster).
  Room& addRoom(const std::string& roomId, bool autoCreated);

  void addPeer(Room& room, RoomRouter& roomRouter, const PendingJoin& join, Reply reply);
  void removePeer(Room& room, uint64_t sessionId);
  // An auto-created room with nobody in it or joining it closes; true when it did.
  bool closeIfAbandoned(Room& room);

  WorkerPool& pool_;
  EventSink events_;
  std::string adminKey_;     // empty: anyone may create rooms
  std::string tokenSecret_;  // empty: joins need no token
  uint32_t maxPeersPerRoom_;
  uint32_t maxRooms_;
  Json routerRtpCapabilities_;
  PlacementLimits limits_;
  RoomAudioSettings audioDefaults_;
  RoomEvents observers_;
  Membership membership_;
  RouterPipes pipes_;
  MediaSignaling media_;
  SdpSignaling sdp_;
  Speakers speakers_;
  Failover failover_;
  RoomDirectory* directory_ = nullptr;
  std::unique_ptr<HostPipes> hostPipes_;  // with a cluster
  std::unique_ptr<RoomSpan> span_;        // with a cluster
  bool draining_ = false;
  std::function<std::string()> hostTakingPeers_;
  std::set<uint64_t> claiming_;  // sessions whose join waits for the directory's claim
  Lifetime lifetime_;  // held weakly by the callbacks the workers keep
};

}  // namespace msp
