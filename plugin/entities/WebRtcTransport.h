// A peer's WebRTC transport (ICE-lite, DTLS), as mediasoup's WebRtcTransport: on the worker's WebRtcServer, or
// on ports of its own.
#pragma once

#include "entities/Transport.h"

namespace msp {

class WebRtcTransport : public Transport {
 public:
  static constexpr const char* kName = "WebRTC";
  using Transport::Transport;

  void connect(const Json& dtlsParameters, Done done);
  void restartIce(DataDone done);  // data: the new iceParameters
};

}  // namespace msp
