#include "entities/WebRtcTransport.h"

namespace msp {

void WebRtcTransport::connect(const Json& dtlsParameters, Done done) {
  Json data = Json::object();
  data.set("dtlsParameters", dtlsParameters);
  channel_.request("transport.connect", id_, data, [done = std::move(done)](ChannelResult r) { done(r.failure); });
}

void WebRtcTransport::restartIce(DataDone done) {
  channel_.request("transport.restartIce", id_, Json(), [this, alive = aliveToken(), done = std::move(done)](ChannelResult r) {
    if (!r.ok || alive.expired()) {
      done(Json(), r.ok ? Failure::closed("the transport closed") : r.failure);
      return;
    }
    Json ice = r.data.at("iceParameters");
    data_.set("iceParameters", ice);
    done(ice, Failure{});
  });
}

}  // namespace msp
