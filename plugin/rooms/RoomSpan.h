// A room over several hosts of a cluster. The host holding a room's claim is its home; a host that gets a peer
// for it joins as a member (asking the home, which answers with every peer it knows of and the other member
// hosts). From then on each host tells the others of the room its own peers as a whole (a snapshot: peers,
// producers, data producers, paused or not) whenever they change and every kResyncMs, and each host turns the
// difference with what it knew into the usual events for its own peers (peerJoined, newProducer,
// producerPaused, producerClosed, peerLeft, …). Snapshots rather than single events, because pub/sub delivers at
// most once: a lost message is mended by the next one. A host that is lost takes its peers with it; a room whose
// home is lost gets a new one among its members. Loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <set>
#include <string>

#include "base/Json.h"
#include "base/UvHandle.h"
#include "cluster/HostBus.h"
#include "cluster/RoomDirectory.h"
#include "messages/ApiError.h"
#include "rooms/HostPipes.h"
#include "rooms/RemotePeers.h"
#include "rooms/Room.h"

namespace msp {

constexpr uint64_t kResyncMs = 2000;
// A host of the room unheard of for this long (three snapshots missed while this host's bus was up) has no
// peer in it any more: its last snapshot, the one that said so, was lost on the way.
constexpr uint64_t kSilentHostMs = 3 * kResyncMs;

class RoomSpan {
 public:
  using FindRoom = std::function<Room*(const std::string& roomId)>;
  struct Hooks {
    // Makes the room here (as a room made by a join) for a member: its first peer is about to join.
    std::function<Room&(const std::string& roomId)> makeRoom;
    // The room here may have no peer and no other host any more: it closes if so (as an empty room does).
    std::function<void(Room& room)> abandoned;
    // The home destroyed the room: it closes here too (roomClosed, "destroyed").
    std::function<void(const std::string& roomId)> destroyed;
    // Another host's producer appeared (SDP subscribers are offered it, an audio one is observed), or closed.
    std::function<void(const std::string& roomId, const std::string& producerId)> remoteProducerAdded;
    std::function<void(Room& room, const std::string& producerId)> remoteProducerClosed;
    // Another host kicks a peer of this one (it checked the room's secret): false when there is no such peer.
    std::function<bool(const std::string& roomId, const std::string& peerId)> kickLocal;
  };

  // codecs: this host's media_codecs, which a room's hosts must share.
  RoomSpan(uv_loop_t* loop, HostBus& bus, RoomDirectory& directory, HostPipes& pipes, EventSink events, FindRoom findRoom,
           Hooks hooks, std::string codecs);
  RoomSpan(const RoomSpan&) = delete;
  RoomSpan& operator=(const RoomSpan&) = delete;

  // A join here of a room that live host `home` holds: the room is made here as a member, with every peer the
  // home knows of. done runs later: no failure, or why not (448: the home did not answer, the codecs differ).
  void joinMember(const std::string& roomId, const std::string& home, std::function<void(const Failure&)> done);
  // A room made here (by `create`, a join, or joinMember): its changes are told to its other hosts.
  void wire(Room& room);
  // The room closes here: its other hosts hear that this host's peers are gone (or, from its home, that the room
  // is destroyed).
  void roomClosing(Room& room, bool destroyed);
  // Whether the room should stay although nobody is in it here: its home keeps it while other hosts have peers.
  static bool keptForOtherHosts(const Room& room) { return room.homeHost.empty() && !room.memberHosts.empty(); }
  void hostLost(const std::string& hostId);
  // Live host `home` holds the room's claim: this host is a member of it there (its peers stay; the home learns
  // of them from its snapshot), and the room closes here with its last peer.
  void heldElsewhere(Room& room, const std::string& home);
  // This host was cut off from the others for longer than its lease: they have dropped it, so it drops them
  // (their peers leave here, the pipes close); the snapshots that follow bring them back.
  void isolated();
  // Kicks a peer of another host: done later with no failure, Rejected (no such peer there) or WorkerGone (its
  // host did not answer).
  void kickRemote(const Room& room, const std::string& peerId, std::function<void(const Failure&)> done);
  // The host of a peer's producer on another host (empty: none such).
  static std::string hostOfProducer(const Room& room, const std::string& producerId);

 private:
  Json snapshotOf(const Room& room) const;
  void changed(const std::string& roomId);
  void flush();
  void resync();
  void sendSnapshot(const Room& room);
  void onMember(const BusMessage& request, HostBus::Respond respond);
  void onSnapshot(const BusMessage& notice);
  void onDestroyed(const BusMessage& notice);
  void onKick(const BusMessage& request, HostBus::Respond respond);
  // Brings what this host knows of `host`'s peers of the room to `peers` (a snapshot's), telling its own peers.
  void applySnapshot(Room& room, const std::string& host, const Json& peers);
  void tellLocal(const Room& room, const Json& event) const;
  void homeLost(Room& room);
  // The room's other hosts that fell silent: their peers leave here (the home stays the home).
  void dropSilentHosts(Room& room);

  HostBus& bus_;
  RoomDirectory& directory_;
  HostPipes& pipes_;
  EventSink events_;
  FindRoom findRoom_;
  Hooks hooks_;
  std::string codecs_;
  std::set<std::string> spanned_;  // every room here (any may gain hosts)
  std::set<std::string> dirty_;    // rooms whose snapshot is due
  UvHandle<uv_timer_t> flushTimer_;
  UvHandle<uv_timer_t> resyncTimer_;
  uv_loop_t* loop_;
  std::map<std::string, std::vector<std::function<void(const Failure&)>>> joining_;  // room → joins waiting for the home
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
