// A mediasoup Producer: media a peer sends into its room's router. Owned by its Transport.
#pragma once

#include <functional>
#include <string>

#include "Channel.h"
#include "Json.h"
#include "Lifetime.h"

namespace msp {

using Done = std::function<void(const std::string& error)>;  // error empty on success
using DataDone = std::function<void(Json data, const std::string& error)>;

class Producer {
 public:
  Producer(Channel& channel, std::string transportId, std::string id, std::string kind, std::string type,
           Json rtpParameters, Json consumableRtpParameters, bool paused)
      : channel_(channel), transportId_(std::move(transportId)), id_(std::move(id)), kind_(std::move(kind)),
        type_(std::move(type)), rtpParameters_(std::move(rtpParameters)),
        consumableRtpParameters_(std::move(consumableRtpParameters)), paused_(paused) {}
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  const std::string& id() const { return id_; }
  const std::string& kind() const { return kind_; }
  const std::string& type() const { return type_; }
  const Json& consumableRtpParameters() const { return consumableRtpParameters_; }
  bool paused() const { return paused_; }

  void pause(Done done);
  void resume(Done done);
  void getStats(DataDone done);
  // Ours: tells the worker (which then sends producerclose to every consumer of it).
  void close();

 private:
  void setPaused(bool paused, const char* method, Done done);

  Channel& channel_;
  std::string transportId_;
  std::string id_, kind_, type_;
  Json rtpParameters_, consumableRtpParameters_;
  bool paused_;
  Lifetime lifetime_;
};

}  // namespace msp
