// Another host's peers of a room as its snapshots describe them: parsing (another host's bytes, checked and
// bounded) and the difference between two snapshots as the changes this host's peers must hear of, in the
// order they must hear them (a peer's producers close before it leaves, it joins before it publishes). Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/Json.h"
#include "rooms/Room.h"

namespace msp {

constexpr size_t kMaxRemotePeers = 10000;
constexpr size_t kMaxRemoteProducersPerPeer = 64;

std::map<std::string, RemotePeer> parseRemotePeers(const Json& peers, const std::string& hostId);
// The other host's peer whose producer or data producer this is (ids are unique across both), as
// (peer id, peer); null: none.
const std::pair<const std::string, RemotePeer>* remoteOwnerOf(const Room& room, const std::string& producerId);
Json remotePeerJson(const std::string& peerId, const RemotePeer& peer, bool withHost);
// Its producers as [{id, kind, appData}] (join answers), with `paused` for the other hosts' snapshots.
Json remoteProducersJson(const RemotePeer& peer, bool withPaused);

// What a room's home tells its members of the room itself, so that every host guards and observes it alike:
// pin and secret (Redis carries them between hosts: it is the cluster's own), the audio observer settings.
Json roomSettingsJson(const Room& room);
// Another host's, checked: what is missing or out of bounds is left as it is.
void applyRoomSettings(Room& room, const Json& settings);

struct PeerChange {
  enum class Kind {
    PeerJoined, PeerUpdated, ProducerAdded, ProducerPaused, ProducerResumed, ProducerClosed, DataProducerAdded,
    DataProducerClosed, PeerLeft
  };
  Kind kind;
  std::string peerId;
  std::string producerId;  // the producer (or data producer) changes
};
std::vector<PeerChange> diffRemotePeers(const std::map<std::string, RemotePeer>& before, const std::map<std::string, RemotePeer>& after);

}  // namespace msp
