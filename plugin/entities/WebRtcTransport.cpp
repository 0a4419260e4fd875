#include "entities/WebRtcTransport.h"

#include "entities/Router.h"

namespace msp {

WebRtcTransport::WebRtcTransport(Router& router, Channel& channel, std::string id, uint64_t owner, Direction direction, Json data)
    : Transport(router, channel, std::move(id), owner, direction, std::move(data)) {
  channel_.subscribe(id_, [this](const WorkerMessage& message) { onWorkerNotification(message); });
}

WebRtcTransport::~WebRtcTransport() { channel_.unsubscribe(id_); }

// icestatechange {iceState} and dtlsstatechange {dtlsState}: what Janus's webrtcup/hangup would say for a
// PeerConnection Janus owned. Told to the router's observer (the transport's peer hears transportState).
void WebRtcTransport::onWorkerNotification(const WorkerMessage& message) {
  if (message.event == "icestatechange") {
    std::optional<std::string> state = message.data.string("iceState");
    if (!state || *state == iceState_) return;
    iceState_ = *state;
  } else if (message.event == "dtlsstatechange") {
    std::optional<std::string> state = message.data.string("dtlsState");
    if (!state || *state == dtlsState_) return;
    dtlsState_ = *state;
  } else {
    return;
  }
  router_.transportStateChanged(*this);
}

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
