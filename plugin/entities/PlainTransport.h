// A plain RTP/SRTP transport (an encoder, a recorder, a pipeline), as mediasoup's PlainTransport: ports from the
// worker's range, no ICE or DTLS. How it was made (comedia, rtcp-mux, SRTP) decides what connect needs.
#pragma once

#include "entities/Transport.h"

namespace msp {

class PlainTransport : public Transport {
 public:
  static constexpr const char* kName = "plain";
  using Transport::Transport;

  // Learns the remote's address from its first packet (connect takes no ip or port).
  bool comedia() const { return json_is_true(json_object_get(data_.get(), "comedia")); }
  bool rtcpMux() const { return json_is_true(json_object_get(data_.get(), "rtcpMux")); }
  bool srtp() const { return json_object_get(data_.get(), "srtpParameters") != nullptr; }

  // {ip?, port?, rtcpPort?, srtpParameters?} as the worker takes them; data: its answer (the worker's SRTP key
  // may change with the remote's suite).
  void connect(Json parameters, DataDone done);
};

}  // namespace msp
