// What happens in the rooms, typed, for whoever watches without taking part: the Janus event handlers and the
// metrics subscribe once (in Core); the rooms layer knows neither. Observers run on the loop thread, right
// after the change, must not call back into the rooms, and must outlive them (nothing unsubscribes).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace msp {

struct RoomEvent {
  enum class Kind {
    RoomCreated,      // worker (the first router's), autoCreated
    RoomClosed,       // reason
    PeerJoined,       // peerId, display, worker
    PeerLeft,         // peerId
    PeerMoved,        // peerId, worker, reason ("workerDied" | "drained")
    ProducerCreated,  // peerId, producerId, mediaKind
    ProducerClosed,   // producerId, and mediaKind (its peer closed it) or reason (its worker went away)
  };
  RoomEvent(Kind kind, std::string room) : kind(kind), room(std::move(room)) {}
  Kind kind;
  std::string room;
  std::string peerId;
  std::string display;
  std::optional<size_t> worker;
  bool autoCreated = false;
  std::string reason;
  std::string producerId;
  std::string mediaKind;
};
const char* toString(RoomEvent::Kind kind);

using RoomObserver = std::function<void(const RoomEvent& event)>;

// The rooms' subscribers. Subscribing is for the owner's start-up; nothing unsubscribes.
class RoomEvents {
 public:
  void subscribe(RoomObserver observer) { observers_.push_back(std::move(observer)); }
  void emit(const RoomEvent& event) const {
    for (const auto& observer : observers_) observer(event);
  }

 private:
  std::vector<RoomObserver> observers_;
};

}  // namespace msp
