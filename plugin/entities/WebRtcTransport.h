// A peer's WebRTC transport (ICE-lite, DTLS), as mediasoup's WebRtcTransport: on the worker's WebRtcServer, or
// on ports of its own.
#pragma once

#include "entities/Transport.h"

namespace msp {

class WebRtcTransport : public Transport {
 public:
  static constexpr const char* kName = "WebRTC";
  // Listens to the worker's ICE and DTLS state notifications for it.
  WebRtcTransport(Router& router, Channel& channel, std::string id, uint64_t owner, Direction direction, Json data);
  ~WebRtcTransport() override;

  void connect(const Json& dtlsParameters, Done done);
  void restartIce(DataDone done);  // data: the new iceParameters
  const std::string& iceState() const { return iceState_; }
  const std::string& dtlsState() const { return dtlsState_; }

 private:
  void onWorkerNotification(const WorkerMessage& message);

  std::string iceState_ = "new";
  std::string dtlsState_ = "new";
};

}  // namespace msp
