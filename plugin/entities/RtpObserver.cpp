#include "entities/RtpObserver.h"

namespace msp {

RtpObserver::RtpObserver(Channel& channel, std::string routerId, std::string id, Kind kind)
    : channel_(channel), routerId_(std::move(routerId)), id_(std::move(id)), kind_(kind) {
  channel_.subscribe(id_, [this](const WorkerMessage& message) { onWorkerNotification(message); });
}

RtpObserver::~RtpObserver() { stopListening(); }

void RtpObserver::stopListening() {
  if (closed_) return;
  closed_ = true;
  channel_.unsubscribe(id_);
}

void RtpObserver::addProducer(const std::string& producerId, Done done) {
  Json data = Json::object();
  data.set("producerId", producerId);
  channel_.request("rtpObserver.addProducer", id_, data, [done = std::move(done)](ChannelResult r) { done(r.failure); });
}

void RtpObserver::close() {
  if (closed_) return;
  stopListening();
  Json data = Json::object();
  data.set("rtpObserverId", id_);
  channel_.request("router.closeRtpObserver", routerId_, data, [](ChannelResult) {});
}

void RtpObserver::routerClosed() { stopListening(); }

// volumes [{producerId, volume}] | silence | dominantspeaker {producerId}. Anything malformed is dropped: the
// worker is ours, but nothing it sends may crash the plugin.
void RtpObserver::onWorkerNotification(const WorkerMessage& message) {
  if (message.event == "volumes" && onVolumes) {
    std::vector<ProducerVolume> volumes;
    size_t i;
    json_t* entry;
    json_array_foreach(message.data.get(), i, entry) {
      json_t* id = json_object_get(entry, "producerId");
      json_t* volume = json_object_get(entry, "volume");
      if (!json_is_string(id) || !json_is_integer(volume)) continue;
      volumes.push_back({json_string_value(id), static_cast<int>(json_integer_value(volume))});
    }
    if (!volumes.empty()) onVolumes(volumes);
  } else if (message.event == "silence" && onSilence) {
    onSilence();
  } else if (message.event == "dominantspeaker" && onDominantSpeaker) {
    if (auto producerId = message.data.string("producerId")) onDominantSpeaker(*producerId);
  }
}

}  // namespace msp
