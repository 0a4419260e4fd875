// A room: one or more mediasoup routers, each on a different worker, and the peers (Janus handles) in it,
// each peer on one of them. When a worker goes away the room stays: its peers there move to other routers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/Failure.h"
#include "base/Json.h"
#include "config/Config.h"
#include "messages/ApiError.h"

namespace msp {

class Router;
class Worker;

// What a peer may do: all of it, unless its access token says otherwise.
struct PeerRights {
  bool publish = true;    // send transports, produce, produceData
  bool subscribe = true;  // consume, consumeData
  bool admin = false;     // destroy its room and kick its peers without the room's secret
};

// What a room's observers do (api.md "Audio levels and active speaker"): defaults from the settings,
// overridden per room at `create`.
struct RoomAudioSettings {
  bool audioLevels = true;              // audioLevels, silence, talking / stoppedTalking events
  uint32_t audioLevelIntervalMs = 1000;
  int audioLevelThreshold = -70;        // dBov: quieter producers count as silent
  bool activeSpeaker = true;            // activeSpeaker events
  uint32_t activeSpeakerIntervalMs = 300;
  int talkingThreshold = -40;           // dBov: talking from here; stoppedTalking 10 dB below it
  static RoomAudioSettings of(const Settings& s) {
    return {s.audioLevels, s.audioLevelIntervalMs, s.audioLevelThreshold, s.activeSpeaker, s.activeSpeakerIntervalMs, s.talkingThreshold};
  }
};

// One audio producer as the room's observers hear it.
struct HeardProducer {
  std::string peerId;        // whose (kept: the producer may be gone when it is last mentioned)
  uint64_t lastHeardMs = 0;  // loop time it was last above the audio-level threshold (0: never)
  int volume = -127;
  bool talking = false;
  int quietIntervals = 0;    // audio-level intervals in a row below the stop level while talking
};

// A room's audio observers and what they said: the observers live on one router of the room.
struct RoomSpeakers {
  RoomAudioSettings settings;
  std::string routerId;               // where the observers are (empty: none yet)
  uint64_t generation = 0;            // each start on a router: late answers of an earlier one are dropped
  std::string audioLevelObserverId;   // empty until created (or off)
  std::string activeSpeakerObserverId;
  std::string activeProducerId;       // the announced active speaker's producer (empty: none)
  std::string activePeerId;
  std::string candidateProducerId;    // the worker's dominant speaker, announced once it is heard
  std::map<std::string, HeardProducer> heard;  // by producer id
};

struct Peer {
  uint64_t sessionId = 0;
  std::string peerId;
  std::string display;
  std::string roomId;
  std::string routerId;  // the room's router it is on; empty while no live worker can take it
  PeerRights rights;
  Json appData = Json::object();  // from join: the others get it with peerJoined and in join answers
  bool displayFromToken = false;  // its token named the display: setDisplay may not change it
};

// A peer of the room on another host of the cluster, as that host last described it.
struct RemoteProducer {
  std::string kind;
  Json appData = Json::object();
  bool paused = false;
};
struct RemoteDataProducer {
  std::string label, protocol;
  Json appData = Json::object();
};
struct RemotePeer {
  std::string hostId;
  std::string display;
  Json appData = Json::object();
  std::map<std::string, RemoteProducer> producers;
  std::map<std::string, RemoteDataProducer> dataProducers;
};

// Routers in a row a join (or a move) may lose to failing workers before it gives up.
constexpr int kMaxPlacementAttempts = 3;

// Why a room closed; text only at the API edge (roomClosed's "reason").
enum class RoomCloseReason {
  Destroyed,   // `destroy`
  Empty,       // an auto-created room's last peer left
  NoWorker,    // no live worker to place it on, within the respawn window
  NotCreated,  // no worker could create its first router
  Shutdown,    // the plugin is stopping
};
const char* toString(RoomCloseReason reason);
// Whether the room's peers hear roomClosed (an empty room has none; shutdown tells nobody).
bool announced(RoomCloseReason reason);

// One of a room's routers.
struct RoomRouter {
  std::string id;             // the mediasoup router id (unique across rooms and workers)
  size_t workerSlot = 0;
  Worker* worker = nullptr;   // valid while this entry exists: the worker's death removes it first
  Router* router = nullptr;   // owned by the worker; null until the worker has created it
  bool ready() const { return router != nullptr; }
  std::set<uint64_t> peers;   // placed here: joined, joining, or moving here
  std::vector<std::function<void(const Failure&)>> readyWaiters;
};

struct Room {
  std::string id;
  bool autoCreated = false;                    // made by join: closes with its last peer
  std::string pin;                             // `join` needs it (empty: none); never shown
  std::string secret;                          // `destroy` and `kick` need it (empty: none); never shown
  std::map<std::string, RoomRouter> routers;   // by router id; the first one is made with the room
  std::map<uint64_t, Peer> peers;              // joined, by Janus session id
  std::set<uint64_t> joining;                  // sessions whose join waits for their router
  uint64_t waitingSinceMs = 0;                 // when it started waiting for a live worker (0: not waiting)
  RoomSpeakers speakers;                       // its audio observers
  // Over several hosts (a cluster): the host holding its claim when it is another (empty: this one, or no
  // cluster), the other hosts with peers in it, and their peers.
  std::string homeHost;
  std::set<std::string> memberHosts;
  std::map<std::string, RemotePeer> remotePeers;  // by peer id
  std::map<std::string, uint64_t> heardFrom;       // other host → loop time of its last word on the room
  // Its peers changed (joined, left, published…): the other hosts of the room are told. Null when alone.
  std::function<void(const std::string& roomId)> onPeersChanged;

  RoomRouter* router(const std::string& routerId) {
    auto it = routers.find(routerId);
    return it == routers.end() ? nullptr : &it->second;
  }
  RoomRouter* routerOf(const Peer& peer) { return router(peer.routerId); }
  // The slots hosting it, in order.
  std::vector<size_t> workers() const {
    std::set<size_t> slots;
    for (const auto& [id, r] : routers) slots.insert(r.workerSlot);
    return {slots.begin(), slots.end()};
  }
};

// Sends an event to every peer of the room but one (exceptSessionId 0: to all, no Janus session has id 0).
// A change of its peers (an event its other hosts must learn of) is also told to onPeersChanged.
bool changesPeers(const Json& event);
inline void broadcast(const Room& room, const EventSink& events, const Json& event, uint64_t exceptSessionId = 0) {
  for (const auto& [sessionId, peer] : room.peers) {
    if (sessionId != exceptSessionId) events(sessionId, event);
  }
  if (room.onPeersChanged && changesPeers(event)) room.onPeersChanged(room.id);
}

}  // namespace msp
