#include "rooms/RemotePeers.h"

#include <type_traits>

namespace msp {
namespace {

std::string text(json_t* object, const char* key, size_t maxBytes) {
  json_t* value = json_object_get(object, key);
  if (!json_is_string(value) || json_string_length(value) > maxBytes) return "";
  return json_string_value(value);
}

Json objectOr(json_t* value) { return json_is_object(value) ? Json::borrow(value) : Json::object(); }

}  // namespace

std::map<std::string, RemotePeer> parseRemotePeers(const Json& peers, const std::string& hostId) {
  std::map<std::string, RemotePeer> out;
  size_t i;
  json_t* entry;
  json_array_foreach(peers.get(), i, entry) {
    if (out.size() >= kMaxRemotePeers) break;
    std::string peerId = text(entry, "peerId", 64);
    if (peerId.empty()) continue;
    RemotePeer peer;
    peer.hostId = hostId;
    peer.display = text(entry, "display", 256);
    peer.appData = objectOr(json_object_get(entry, "appData"));
    size_t j;
    json_t* p;
    json_array_foreach(json_object_get(entry, "producers"), j, p) {
      if (peer.producers.size() >= kMaxRemoteProducersPerPeer) break;
      std::string id = text(p, "id", 64), kind = text(p, "kind", 8);
      if (id.empty() || (kind != "audio" && kind != "video")) continue;
      peer.producers[id] = RemoteProducer{kind, objectOr(json_object_get(p, "appData")), json_is_true(json_object_get(p, "paused"))};
    }
    json_array_foreach(json_object_get(entry, "dataProducers"), j, p) {
      if (peer.dataProducers.size() >= kMaxRemoteProducersPerPeer) break;
      std::string id = text(p, "id", 64);
      if (id.empty()) continue;
      peer.dataProducers[id] = RemoteDataProducer{text(p, "label", 1024), text(p, "protocol", 1024), objectOr(json_object_get(p, "appData"))};
    }
    out[peerId] = std::move(peer);
  }
  return out;
}

const std::pair<const std::string, RemotePeer>* remoteOwnerOf(const Room& room, const std::string& producerId) {
  for (const auto& entry : room.remotePeers) {
    if (entry.second.producers.count(producerId) || entry.second.dataProducers.count(producerId)) return &entry;
  }
  return nullptr;
}

Json roomSettingsJson(const Room& room) {
  const RoomAudioSettings& audio = room.speakers.settings;
  Json settings = Json::object();
  settings.set("pin", room.pin).set("secret", room.secret).set("audioLevels", audio.audioLevels)
      .set("audioLevelIntervalMs", audio.audioLevelIntervalMs).set("audioLevelThreshold", audio.audioLevelThreshold)
      .set("activeSpeaker", audio.activeSpeaker).set("activeSpeakerIntervalMs", audio.activeSpeakerIntervalMs)
      .set("talkingThreshold", audio.talkingThreshold);
  return settings;
}

void applyRoomSettings(Room& room, const Json& settings) {
  json_t* object = settings.get();
  if (!json_is_object(object)) return;
  auto string = [&](const char* key, std::string& into) {
    json_t* value = json_object_get(object, key);
    if (json_is_string(value) && json_string_length(value) <= 256) into = json_string_value(value);
  };
  auto boolean = [&](const char* key, bool& into) {
    json_t* value = json_object_get(object, key);
    if (json_is_boolean(value)) into = json_is_true(value);
  };
  auto integer = [&](const char* key, auto& into, long long min, long long max) {
    json_t* value = json_object_get(object, key);
    if (json_is_integer(value) && json_integer_value(value) >= min && json_integer_value(value) <= max) {
      into = static_cast<std::remove_reference_t<decltype(into)>>(json_integer_value(value));
    }
  };
  RoomAudioSettings& audio = room.speakers.settings;
  string("pin", room.pin);
  string("secret", room.secret);
  boolean("audioLevels", audio.audioLevels);
  integer("audioLevelIntervalMs", audio.audioLevelIntervalMs, 250, 5000);
  integer("audioLevelThreshold", audio.audioLevelThreshold, -127, 0);
  boolean("activeSpeaker", audio.activeSpeaker);
  integer("activeSpeakerIntervalMs", audio.activeSpeakerIntervalMs, 100, 5000);
  integer("talkingThreshold", audio.talkingThreshold, -127, 0);
}

Json remoteProducersJson(const RemotePeer& peer, bool withPaused) {
  Json producers = Json::array();
  for (const auto& [id, p] : peer.producers) {
    Json entry = Json::object();
    entry.set("id", id).set("kind", p.kind).set("appData", p.appData);
    if (withPaused) entry.set("paused", p.paused);
    producers.append(entry);
  }
  return producers;
}

Json remotePeerJson(const std::string& peerId, const RemotePeer& peer, bool withHost) {
  Json producers = remoteProducersJson(peer, true);
  Json dataProducers = Json::array();
  for (const auto& [id, d] : peer.dataProducers) {
    Json entry = Json::object();
    entry.set("id", id).set("label", d.label).set("protocol", d.protocol).set("appData", d.appData);
    dataProducers.append(entry);
  }
  Json json = Json::object();
  json.set("peerId", peerId).set("display", peer.display).set("appData", peer.appData).set("producers", producers)
      .set("dataProducers", dataProducers);
  if (withHost) json.set("host", peer.hostId);
  return json;
}

std::vector<PeerChange> diffRemotePeers(const std::map<std::string, RemotePeer>& before, const std::map<std::string, RemotePeer>& after) {
  using Kind = PeerChange::Kind;
  std::vector<PeerChange> changes;
  for (const auto& [peerId, peer] : before) {
    if (after.count(peerId)) continue;
    for (const auto& [id, producer] : peer.producers) changes.push_back({Kind::ProducerClosed, peerId, id});
    for (const auto& [id, dataProducer] : peer.dataProducers) changes.push_back({Kind::DataProducerClosed, peerId, id});
    changes.push_back({Kind::PeerLeft, peerId, ""});
  }
  for (const auto& [peerId, peer] : after) {
    auto was = before.find(peerId);
    static const RemotePeer kNone;
    const RemotePeer& earlier = was == before.end() ? kNone : was->second;
    if (was == before.end()) changes.push_back({Kind::PeerJoined, peerId, ""});
    else if (earlier.display != peer.display) changes.push_back({Kind::PeerUpdated, peerId, ""});
    for (const auto& [id, producer] : earlier.producers) {
      auto still = peer.producers.find(id);
      if (still == peer.producers.end()) changes.push_back({Kind::ProducerClosed, peerId, id});
      else if (still->second.paused != producer.paused) changes.push_back({still->second.paused ? Kind::ProducerPaused : Kind::ProducerResumed, peerId, id});
    }
    for (const auto& [id, producer] : peer.producers) {
      if (earlier.producers.count(id)) continue;
      changes.push_back({Kind::ProducerAdded, peerId, id});
      if (producer.paused) changes.push_back({Kind::ProducerPaused, peerId, id});
    }
    for (const auto& [id, dataProducer] : earlier.dataProducers) {
      if (!peer.dataProducers.count(id)) changes.push_back({Kind::DataProducerClosed, peerId, id});
    }
    for (const auto& [id, dataProducer] : peer.dataProducers) {
      if (!earlier.dataProducers.count(id)) changes.push_back({Kind::DataProducerAdded, peerId, id});
    }
  }
  return changes;
}

}  // namespace msp
