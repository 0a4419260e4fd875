// A pipe transport (owner kPipeOwner): between two routers of a room on this host, as mediasoup's
// pipeToRouter() makes them (127.0.0.1, SCTP on, no RTX, no SRTP), or to a router of another host of the
// cluster (on cluster_pipe_ip, SRTP AEAD_AES_256_GCM and RTX on). Its consumers feed the other side's copies.
#pragma once

#include "entities/Transport.h"

namespace msp {

class PipeTransport : public Transport {
 public:
  static constexpr const char* kName = "pipe";
  using Transport::Transport;

  bool isPipe() const override { return true; }
  // To another host: its copies are that host's producers (they count as originals here).
  bool crossesHosts() const { return crossesHosts_; }
  void setCrossesHosts() { crossesHosts_ = true; }
  // The other side's pipe transport, where this one sends (srtpParameters: the other side's, when SRTP is on).
  void connect(const std::string& ip, int port, Done done, const Json& srtpParameters = Json());
  // Consumes a producer of this router for the pipe (a Failure at once when its parameters cannot be piped).
  [[nodiscard]] Failure consumeForPipe(const Producer& producer, Created<Consumer> done, bool enableRtx = false);
  // Produces the piped copy, with the original's id, from the other side's pipe consumer.
  [[nodiscard]] Failure produceCopy(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                                    Created<Producer> done);

 private:
  bool crossesHosts_ = false;
};

}  // namespace msp
