// A pipe transport between two routers of a room (owner kPipeOwner), as mediasoup's PipeTransport made by
// pipeToRouter(): on 127.0.0.1, SCTP on, no RTX, no SRTP. Its consumers feed the other router's copies.
#pragma once

#include "entities/Transport.h"

namespace msp {

class PipeTransport : public Transport {
 public:
  static constexpr const char* kName = "pipe";
  using Transport::Transport;

  bool isPipe() const override { return true; }
  // The other router's pipe transport, where this one sends.
  void connect(const std::string& ip, int port, Done done);
  // Consumes a producer of this router for the pipe (a Failure at once when its parameters cannot be piped).
  [[nodiscard]] Failure consumeForPipe(const Producer& producer, Created<Consumer> done);
  // Produces the piped copy, with the original's id, from the other side's pipe consumer.
  [[nodiscard]] Failure produceCopy(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                                    Created<Producer> done);
};

}  // namespace msp
