#include "entities/PipeTransport.h"

#include "base/Ids.h"
#include "ortc/Ortc.h"

namespace msp {

void PipeTransport::connect(const std::string& ip, int port, Done done, const Json& srtpParameters) {
  Json data = Json::object();
  data.set("ip", ip).set("port", port);
  if (srtpParameters) data.set("srtpParameters", srtpParameters);
  channel_.request("transport.connect", id_, data, [done = std::move(done)](ChannelResult r) { done(r.failure); });
}

Failure PipeTransport::consumeForPipe(const Producer& producer, Created<Consumer> done, bool enableRtx) {
  Json rtpParameters;
  try {
    rtpParameters = ortc::getPipeConsumerRtpParameters(producer.consumableRtpParameters().get(), enableRtx);
  } catch (const ortc::OrtcError& e) {
    return Failure::invalid(std::string("cannot pipe the producer: ") + e.what());
  }
  std::string consumerId = newUuid();
  Json data = Json::object();
  data.set("consumerId", consumerId).set("producerId", producer.id()).set("kind", producer.kind())
      .set("rtpParameters", rtpParameters).set("type", "pipe")
      .set("consumableRtpEncodings", producer.consumableRtpParameters().at("encodings"));
  requestConsume(data, consumerId, producer, "pipe", rtpParameters, false, std::move(done));
  return {};
}

Failure PipeTransport::produceCopy(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                                   Created<Producer> done) {
  try {
    requestProduce(producerId, kind, std::move(rtpParameters), paused, std::move(done));
    return {};
  } catch (const ortc::OrtcError& e) {
    return Failure::invalid(std::string("cannot produce the piped copy: ") + e.what());
  }
}

}  // namespace msp
