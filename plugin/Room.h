// A room: one mediasoup router on one worker, and the peers (Janus handles) in it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
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

struct Room {
  std::string id;
  size_t workerSlot = 0;
  Worker* worker = nullptr;   // valid while the room exists: a worker's death closes its rooms first
  std::string routerId;       // tells this room from a later one of the same id in late callbacks
  Router* router = nullptr;   // owned by the worker
  bool autoCreated = false;   // made by join: closes with its last peer
  bool ready = false;         // the worker has created the router
  std::vector<std::function<void(bool ok, int errorCode, const std::string& error)>> readyWaiters;
  std::map<uint64_t, Peer> peers;  // by Janus session id
};

}  // namespace msp
