// A mediasoup DataProducer: an SCTP data channel a peer sends into its room. Owned by its Transport.
#pragma once

#include <string>

#include "channel/Channel.h"
#include "base/Json.h"
#include "entities/Producer.h"

namespace msp {

class DataProducer {
 public:
  DataProducer(Channel& channel, std::string transportId, std::string id, Json sctpStreamParameters,
               std::string label, std::string protocol)
      : channel_(channel), transportId_(std::move(transportId)), id_(std::move(id)),
        sctpStreamParameters_(std::move(sctpStreamParameters)), label_(std::move(label)), protocol_(std::move(protocol)) {}
  DataProducer(const DataProducer&) = delete;
  DataProducer& operator=(const DataProducer&) = delete;

  const std::string& id() const { return id_; }
  const Json& sctpStreamParameters() const { return sctpStreamParameters_; }
  const std::string& label() const { return label_; }
  const std::string& protocol() const { return protocol_; }
  const Json& appData() const { return appData_; }
  void setAppData(Json appData) { appData_ = std::move(appData); }

  void getStats(DataDone done) {
    channel_.request("dataProducer.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.failure); });
  }
  // Ours: the worker then sends dataproducerclose to each of its data consumers.
  void close() { requestClose(channel_, "transport.closeDataProducer", transportId_, "dataProducerId", id_); }

 private:
  Channel& channel_;
  std::string transportId_, id_;
  Json sctpStreamParameters_;
  Json appData_ = Json::object();
  std::string label_, protocol_;
};

}  // namespace msp
