#include "entities/Consumer.h"

namespace msp {

Consumer::Consumer(Channel& channel, std::string transportId, std::string id, std::string producerId, std::string kind,
                   std::string type, Json rtpParameters, bool paused, bool producerPaused, Notification onNotification)
    : channel_(channel), transportId_(std::move(transportId)), id_(std::move(id)), producerId_(std::move(producerId)),
      kind_(std::move(kind)), type_(std::move(type)), rtpParameters_(std::move(rtpParameters)), paused_(paused),
      producerPaused_(producerPaused), onNotification_(std::move(onNotification)) {
  channel_.subscribe(id_, [this](const WorkerMessage& message) { onWorkerNotification(message); });
}

Consumer::~Consumer() {
  if (!closed_) channel_.unsubscribe(id_);
}

void Consumer::onWorkerNotification(const WorkerMessage& message) {
  if (closed_) return;
  if (message.event == "producerclose") {
    markClosed(channel_, id_, closed_);
    onNotification_(*this, message.event, message.data);  // last: the handler may destroy this consumer
    return;
  }
  if (message.event == "producerpause") {
    if (producerPaused_) return;
    producerPaused_ = true;
  } else if (message.event == "producerresume") {
    if (!producerPaused_) return;
    producerPaused_ = false;
  } else if (message.event != "layerschange") {
    return;  // score, trace, rtp: not forwarded
  }
  onNotification_(*this, message.event, message.data);
}

void Consumer::pause(Done done) { requestPaused(channel_, "consumer.pause", id_, lifetime_.token(), paused_, true, std::move(done)); }
void Consumer::resume(Done done) { requestPaused(channel_, "consumer.resume", id_, lifetime_.token(), paused_, false, std::move(done)); }

void Consumer::setPreferredLayers(int spatialLayer, int temporalLayer, Done done) {
  Json data = Json::object();
  data.set("spatialLayer", spatialLayer);
  if (temporalLayer >= 0) data.set("temporalLayer", temporalLayer);
  channel_.request("consumer.setPreferredLayers", id_, data, [done = std::move(done)](ChannelResult r) { done(r.failure); });
}

void Consumer::getStats(DataDone done) {
  channel_.request("consumer.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.failure); });
}

void Consumer::close() {
  if (markClosed(channel_, id_, closed_)) requestClose(channel_, "transport.closeConsumer", transportId_, "consumerId", id_);
}

void Consumer::transportClosed() { markClosed(channel_, id_, closed_); }

}  // namespace msp
