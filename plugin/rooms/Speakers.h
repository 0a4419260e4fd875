// Who is talking in a room: one AudioLevelObserver and one ActiveSpeakerObserver per room, on one of its
// routers; the audio producers of its other routers are piped there (a piped copy keeps the audio-level
// header extension). What the worker says becomes the room's events: audioLevels / silence each interval,
// talking / stoppedTalking with a hysteresis, activeSpeaker when the dominant speaker changes. When the
// observing router goes (its worker died or was drained, or it closed unused), the observers start again on
// another router of the room with every audio producer. Loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <vector>

#include "base/Json.h"
#include "base/Lifetime.h"
#include "entities/RtpObserver.h"
#include "messages/ApiError.h"
#include "rooms/Room.h"
#include "rooms/RouterPipes.h"

namespace msp {

// The room's observers name at most this many producers per audio-level interval (the loudest).
constexpr int kMaxAudioLevelEntries = 16;
// stoppedTalking: this far below the talking threshold, for this many intervals in a row.
constexpr int kTalkingHysteresisDb = 10;
constexpr int kStopTalkingIntervals = 2;

class Speakers {
 public:
  using FindRoom = std::function<Room*(const std::string& roomId)>;
  Speakers(EventSink events, RouterPipes& pipes, FindRoom findRoom, uv_loop_t* loop);
  Speakers(const Speakers&) = delete;
  Speakers& operator=(const Speakers&) = delete;

  // A router of the room is ready: the observers start there if the room has none.
  void routerReady(Room& room, RoomRouter& roomRouter);
  // A router left the room (already out of room.routers): if it held the observers, they start again on another
  // ready router (or on the next one that becomes ready); producers that went with it are forgotten.
  void routerGone(Room& room, const std::string& routerId);
  // An audio producer of a peer, on router `routerId` of the room: observed from now on.
  void producerAdded(Room& room, const std::string& routerId, const std::string& producerId);
  // A peer's producer closed: it no longer talks, and no longer is the active speaker.
  void producerClosed(Room& room, const std::string& producerId);
  // The room is closing: its routers go one by one, and the observers are not started again.
  void roomClosing(Room& room);
  // Another host's audio producer appeared in the room: it crosses to this host to be observed here too (each
  // host observes every audio producer of the room, so that its peers hear the same speakers).
  void remoteProducerAdded(Room& room, const std::string& producerId);
  // Brings another host's producer to this host, on router `toRouterId` unless it already crossed; crossed
  // gets the router its copy is on (never called when it could not cross). Set with a cluster.
  using Crossed = std::function<void(const std::string& copyRouterId)>;
  std::function<void(Room& room, const std::string& producerId, const std::string& toRouterId, Crossed crossed)> pipeFromHost;
  // The active speaker's peer id, or null (join answers).
  Json activeSpeakerOf(const Room& room) const;

 private:
  void start(Room& room, RoomRouter& roomRouter);
  void observerCreated(const std::string& roomId, uint64_t generation, RtpObserver* observer);
  void observeRemote(Room& room, const std::string& producerId, std::vector<std::string> observerIds);
  // Adds a producer of router `from` to one of the room's observers, piping it to their router first if needed.
  void observe(Room& room, const std::string& from, const std::string& producerId, const std::string& observerId);
  // The room's (if still observing with this generation), else null.
  Room* current(const std::string& roomId, uint64_t generation) const;

  void volumes(Room& room, const std::vector<ProducerVolume>& volumes);
  void silence(Room& room);
  void dominantSpeaker(Room& room, const std::string& producerId);
  void announceActive(Room& room, std::string producerId);
  void stopTalking(Room& room, const std::string& producerId, HeardProducer& heard);
  // Whether the producer was above the audio-level threshold within the last two intervals.
  bool heardLately(const Room& room, const std::string& producerId) const;
  // The peer id whose producer this is, here or on another host (a copy piped between routers is not one);
  // empty: none.
  static std::string ownerOf(const Room& room, const std::string& producerId);

  EventSink events_;
  RouterPipes& pipes_;
  FindRoom findRoom_;
  uv_loop_t* loop_;
  Lifetime lifetime_;  // held weakly by the callbacks the workers keep
};

}  // namespace msp
