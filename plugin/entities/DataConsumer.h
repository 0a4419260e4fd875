// A mediasoup DataConsumer: a data producer's messages delivered to one peer over SCTP. Owned by its
// (recv) Transport; told by the worker when its data producer closes.
#pragma once

#include <functional>
#include <string>

#include "channel/Channel.h"
#include "base/Json.h"
#include "entities/Producer.h"

namespace msp {

class DataConsumer {
 public:
  // Runs once when the worker reports the data producer closed; the handler may destroy this object.
  using ProducerClosed = std::function<void(DataConsumer& dataConsumer)>;

  DataConsumer(Channel& channel, std::string transportId, std::string id, std::string dataProducerId,
               Json sctpStreamParameters, std::string label, std::string protocol, uint16_t streamId,
               ProducerClosed onProducerClosed)
      : channel_(channel), transportId_(std::move(transportId)), id_(std::move(id)),
        dataProducerId_(std::move(dataProducerId)), sctpStreamParameters_(std::move(sctpStreamParameters)),
        label_(std::move(label)), protocol_(std::move(protocol)), streamId_(streamId),
        onProducerClosed_(std::move(onProducerClosed)) {
    channel_.subscribe(id_, [this](const WorkerMessage& message) {
      if (message.event != "dataproducerclose" || closed_) return;
      closed_ = true;
      channel_.unsubscribe(id_);
      onProducerClosed_(*this);  // last: may destroy this
    });
  }
  ~DataConsumer() {
    if (!closed_) channel_.unsubscribe(id_);
  }
  DataConsumer(const DataConsumer&) = delete;
  DataConsumer& operator=(const DataConsumer&) = delete;

  const std::string& id() const { return id_; }
  const std::string& dataProducerId() const { return dataProducerId_; }
  const Json& sctpStreamParameters() const { return sctpStreamParameters_; }
  const std::string& label() const { return label_; }
  const std::string& protocol() const { return protocol_; }
  uint16_t streamId() const { return streamId_; }

  void getStats(DataDone done) {
    channel_.request("dataConsumer.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.failure); });
  }
  void close() {
    if (markClosed(channel_, id_, closed_)) requestClose(channel_, "transport.closeDataConsumer", transportId_, "dataConsumerId", id_);
  }
  void transportClosed() { markClosed(channel_, id_, closed_); }

 private:
  Channel& channel_;
  std::string transportId_, id_, dataProducerId_;
  Json sctpStreamParameters_;
  std::string label_, protocol_;
  uint16_t streamId_;
  bool closed_ = false;
  ProducerClosed onProducerClosed_;
};

}  // namespace msp
