// A room: one mediasoup router on one worker, and the peers (Janus handles) in it. When its worker goes away
// the room stays, with its peers, and gets a router on another worker.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace msp {

class Router;
class Worker;

struct Peer {
  uint64_t sessionId = 0;
  std::string peerId;
  std::string display;
  std::string roomId;
};

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

struct Room {
  std::string id;
  size_t workerSlot = 0;
  Worker* worker = nullptr;   // the router's worker; null while the room waits for one
  std::string routerId;       // tells this room's current router from earlier ones in late callbacks
  Router* router = nullptr;   // owned by the worker; null until ready
  bool autoCreated = false;   // made by join: closes with its last peer
  bool ready = false;         // the router exists (false while created, or while moving)
  bool moving = false;        // lost its router to a dead worker: peers get `moved` when the new one is ready
  uint64_t waitingSinceMs = 0;  // when it started waiting for a live worker (0: not waiting)
  int placementFailures = 0;    // consecutive workers that failed to create its router
  std::vector<std::function<void(bool ok, int errorCode, const std::string& error)>> readyWaiters;
  std::set<uint64_t> joining;      // sessions whose join waits for the router
  std::map<uint64_t, Peer> peers;  // by Janus session id
};

}  // namespace msp
