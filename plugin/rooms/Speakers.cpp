#include "rooms/Speakers.h"

#include <set>

#include "base/Log.h"
#include "entities/Router.h"
#include "rooms/RemotePeers.h"

namespace msp {

Speakers::Speakers(EventSink events, RouterPipes& pipes, FindRoom findRoom, uv_loop_t* loop)
    : events_(std::move(events)), pipes_(pipes), findRoom_(std::move(findRoom)), loop_(loop) {}

void Speakers::routerReady(Room& room, RoomRouter& roomRouter) {
  if (room.speakers.routerId.empty()) start(room, roomRouter);
}

void Speakers::routerGone(Room& room, const std::string& routerId) {
  RoomSpeakers& s = room.speakers;
  // What went with the router is forgotten as if closed (its peers' producers are gone; they move).
  std::set<std::string> gone;
  for (const auto& [producerId, heard] : s.heard) {
    if (ownerOf(room, producerId).empty()) gone.insert(producerId);
  }
  if (!s.activeProducerId.empty() && ownerOf(room, s.activeProducerId).empty()) gone.insert(s.activeProducerId);
  for (const auto& producerId : gone) producerClosed(room, producerId);
  if (s.routerId != routerId) return;
  MSP_VERB("room %s: its audio observers' router went; starting them again", room.id.c_str());
  s.routerId.clear();
  s.audioLevelObserverId.clear();
  s.activeSpeakerObserverId.clear();
  s.candidateProducerId.clear();
  for (auto& [id, roomRouter] : room.routers) {
    if (roomRouter.ready()) return start(room, roomRouter);
  }
}

void Speakers::start(Room& room, RoomRouter& roomRouter) {
  RoomSpeakers& s = room.speakers;
  if (!s.settings.audioLevels && !s.settings.activeSpeaker) return;
  s.routerId = roomRouter.id;
  uint64_t generation = ++s.generation;
  std::string roomId = room.id;
  auto created = [this, alive = lifetime_.token(), roomId, generation](RtpObserver* observer, const Failure& failure) {
    if (alive.expired()) return;
    if (!observer) {
      if (current(roomId, generation)) MSP_WARN("room %s: no audio observer: %s", roomId.c_str(), failure.detail.c_str());
      return;
    }
    observerCreated(roomId, generation, observer);
  };
  if (s.settings.audioLevels) {
    roomRouter.router->createAudioLevelObserver(kMaxAudioLevelEntries, s.settings.audioLevelThreshold,
                                                s.settings.audioLevelIntervalMs, created);
  }
  if (s.settings.activeSpeaker) roomRouter.router->createActiveSpeakerObserver(s.settings.activeSpeakerIntervalMs, created);
}

Room* Speakers::current(const std::string& roomId, uint64_t generation) const {
  Room* room = findRoom_(roomId);
  return room && room->speakers.generation == generation && !room->speakers.routerId.empty() ? room : nullptr;
}

void Speakers::observerCreated(const std::string& roomId, uint64_t generation, RtpObserver* observer) {
  Room* room = current(roomId, generation);
  if (!room) return;  // its router closes with it (or already did)
  RoomSpeakers& s = room->speakers;
  auto inRoom = [this, roomId, generation](auto then) {
    return [this, roomId, generation, then](const auto&... args) {
      if (Room* r = current(roomId, generation)) (this->*then)(*r, args...);
    };
  };
  if (observer->kind() == RtpObserver::Kind::AudioLevel) {
    s.audioLevelObserverId = observer->id();
    observer->onVolumes = inRoom(&Speakers::volumes);
    observer->onSilence = inRoom(&Speakers::silence);
  } else {
    s.activeSpeakerObserverId = observer->id();
    observer->onDominantSpeaker = inRoom(&Speakers::dominantSpeaker);
  }
  // Every audio producer of the room so far (later ones come through producerAdded).
  std::vector<std::pair<std::string, std::string>> audio;  // (router id, producer id)
  for (const auto& [routerId, roomRouter] : room->routers) {
    if (!roomRouter.router) continue;
    for (const auto& [transportId, transport] : roomRouter.router->transports()) {
      if (transport->isPipe()) continue;
      for (const auto& [producerId, producer] : transport->producers()) {
        if (producer->kind() == "audio") audio.emplace_back(routerId, producerId);
      }
    }
  }
  for (const auto& [routerId, producerId] : audio) observe(*room, routerId, producerId, observer->id());
  for (const auto& [peerId, peer] : room->remotePeers) {
    for (const auto& [producerId, producer] : peer.producers) {
      if (producer.kind == "audio") observeRemote(*room, producerId, {observer->id()});
    }
  }
}

void Speakers::remoteProducerAdded(Room& room, const std::string& producerId) {
  RoomSpeakers& s = room.speakers;
  std::vector<std::string> observers;
  for (const std::string* observerId : {&s.audioLevelObserverId, &s.activeSpeakerObserverId}) {
    if (!observerId->empty()) observers.push_back(*observerId);
  }
  // None yet: observerCreated takes every remote audio producer of the room then.
  if (!observers.empty()) observeRemote(room, producerId, std::move(observers));
}

void Speakers::observeRemote(Room& room, const std::string& producerId, std::vector<std::string> observerIds) {
  if (!pipeFromHost) return;
  const std::string roomId = room.id;
  uint64_t generation = room.speakers.generation;
  pipeFromHost(room, producerId, room.speakers.routerId,
               [this, alive = lifetime_.token(), roomId, generation, producerId, observerIds](const std::string& copyRouterId) {
    if (alive.expired()) return;
    Room* r = current(roomId, generation);
    if (!r) return;
    for (const auto& observerId : observerIds) observe(*r, copyRouterId, producerId, observerId);
  });
}

void Speakers::producerAdded(Room& room, const std::string& routerId, const std::string& producerId) {
  RoomSpeakers& s = room.speakers;
  for (const std::string* observerId : {&s.audioLevelObserverId, &s.activeSpeakerObserverId}) {
    if (!observerId->empty()) observe(room, routerId, producerId, *observerId);
  }
}

void Speakers::observe(Room& room, const std::string& from, const std::string& producerId, const std::string& observerId) {
  const std::string roomId = room.id, to = room.speakers.routerId;
  uint64_t generation = room.speakers.generation;
  auto add = [this, alive = lifetime_.token(), roomId, generation, to, producerId, observerId] {
    if (alive.expired()) return;
    Room* r = current(roomId, generation);
    RoomRouter* observing = r ? r->router(to) : nullptr;
    RtpObserver* observer = observing && observing->router ? observing->router->rtpObserver(observerId) : nullptr;
    // Refused when the producer closed meanwhile: nothing to observe then.
    if (observer) observer->addProducer(producerId, [](const Failure&) {});
  };
  if (from == to) return add();
  Failure failure;
  auto outcome = pipes_.pipe<MediaFlow>(producerId, from, to, [add](const Failure& piped) { if (!piped) add(); }, failure);
  if (outcome == RouterPipes::Outcome::Ready) add();
  else if (outcome == RouterPipes::Outcome::Failed) MSP_VERB("room %s: audio producer %s not observed: %s", roomId.c_str(), producerId.c_str(), failure.detail.c_str());
}

void Speakers::volumes(Room& room, const std::vector<ProducerVolume>& volumes) {
  RoomSpeakers& s = room.speakers;
  const uint64_t now = uv_now(loop_);
  Json levels = Json::array();
  std::set<std::string> present;
  const int stopBelow = s.settings.talkingThreshold - kTalkingHysteresisDb;
  for (const auto& v : volumes) {
    std::string peerId = ownerOf(room, v.producerId);
    if (peerId.empty()) continue;  // closed since, or not a peer's
    HeardProducer& heard = s.heard[v.producerId];
    heard.peerId = peerId;
    heard.lastHeardMs = now;
    heard.volume = v.volume;
    present.insert(v.producerId);
    Json level = Json::object();
    level.set("peerId", peerId).set("producerId", v.producerId).set("volume", v.volume);
    levels.append(level);
  }
  if (present.empty()) return;
  Json event = apiEvent("audioLevels");
  event.set("levels", levels);
  broadcast(room, events_, event);

  std::vector<std::string> stopped;
  for (auto& [producerId, heard] : s.heard) {
    bool loud = present.count(producerId) && heard.volume >= s.settings.talkingThreshold;
    bool quiet = !present.count(producerId) || heard.volume < stopBelow;
    if (loud) {
      heard.quietIntervals = 0;
      if (heard.talking) continue;
      heard.talking = true;
      Json talking = apiEvent("talking");
      talking.set("peerId", heard.peerId).set("producerId", producerId).set("volume", heard.volume);
      broadcast(room, events_, talking);
    } else if (heard.talking) {
      // Between the two levels it keeps talking: a voice dips without stopping.
      heard.quietIntervals = quiet ? heard.quietIntervals + 1 : 0;
      if (heard.quietIntervals >= kStopTalkingIntervals) stopped.push_back(producerId);
    }
  }
  for (const auto& producerId : stopped) stopTalking(room, producerId, s.heard.at(producerId));
  if (!s.candidateProducerId.empty() && present.count(s.candidateProducerId)) announceActive(room, s.candidateProducerId);
}

void Speakers::silence(Room& room) {
  // A whole interval with nobody above the audio-level threshold: whoever talked has stopped (said first, so
  // that a client that sees silence has seen them stop).
  for (auto& [producerId, heard] : room.speakers.heard) {
    if (heard.talking) stopTalking(room, producerId, heard);
  }
  broadcast(room, events_, apiEvent("silence"));
}

void Speakers::stopTalking(Room& room, const std::string& producerId, HeardProducer& heard) {
  heard.talking = false;
  heard.quietIntervals = 0;
  Json event = apiEvent("stoppedTalking");
  event.set("peerId", heard.peerId).set("producerId", producerId).set("volume", heard.volume);
  broadcast(room, events_, event);
}

// The worker's choice can be a producer nobody has heard (it names one as soon as it observes any): such a
// producer is only announced once the audio levels show it above the threshold.
void Speakers::dominantSpeaker(Room& room, const std::string& producerId) {
  RoomSpeakers& s = room.speakers;
  if (ownerOf(room, producerId).empty()) return;
  if (producerId == s.activeProducerId) {
    s.candidateProducerId.clear();
    return;
  }
  if (!s.settings.audioLevels || heardLately(room, producerId)) return announceActive(room, producerId);
  s.candidateProducerId = producerId;
}

bool Speakers::heardLately(const Room& room, const std::string& producerId) const {
  auto it = room.speakers.heard.find(producerId);
  if (it == room.speakers.heard.end() || it->second.lastHeardMs == 0) return false;
  return uv_now(loop_) - it->second.lastHeardMs <= 2 * uint64_t{room.speakers.settings.audioLevelIntervalMs} + 100;
}

void Speakers::announceActive(Room& room, std::string producerId) {  // a copy: callers pass the candidate it clears
  RoomSpeakers& s = room.speakers;
  std::string peerId = ownerOf(room, producerId);
  s.candidateProducerId.clear();
  if (peerId.empty()) return;
  s.activeProducerId = producerId;
  s.activePeerId = peerId;
  Json event = apiEvent("activeSpeaker");
  event.set("peerId", peerId).set("producerId", producerId);
  broadcast(room, events_, event);
}

void Speakers::producerClosed(Room& room, const std::string& producerId) {
  RoomSpeakers& s = room.speakers;
  if (auto it = s.heard.find(producerId); it != s.heard.end()) {
    if (it->second.talking) stopTalking(room, producerId, it->second);
    s.heard.erase(producerId);
  }
  if (s.candidateProducerId == producerId) s.candidateProducerId.clear();
  if (s.activeProducerId == producerId) {
    s.activeProducerId.clear();
    s.activePeerId.clear();
    Json event = apiEvent("activeSpeaker");
    event.set("peerId", Json::adopt(json_null())).set("producerId", Json::adopt(json_null()));
    broadcast(room, events_, event);
  }
}

void Speakers::roomClosing(Room& room) {
  room.speakers.settings.audioLevels = room.speakers.settings.activeSpeaker = false;
  room.speakers.routerId.clear();
  ++room.speakers.generation;
}

Json Speakers::activeSpeakerOf(const Room& room) const {
  if (room.speakers.activePeerId.empty()) return Json::adopt(json_null());
  return Json::adopt(json_string(room.speakers.activePeerId.c_str()));
}

std::string Speakers::ownerOf(const Room& room, const std::string& producerId) {
  for (const auto& [routerId, roomRouter] : room.routers) {
    if (!roomRouter.router) continue;
    Transport* transport = nullptr;
    if (!roomRouter.router->findProducer(producerId, &transport) || transport->isPipe()) continue;
    auto peer = room.peers.find(transport->owner());
    return peer == room.peers.end() ? std::string() : peer->second.peerId;
  }
  // Another host's peer's (its copy here came through a pipe).
  const auto* remote = remoteOwnerOf(room, producerId);
  return remote ? remote->first : std::string();
}

}  // namespace msp
