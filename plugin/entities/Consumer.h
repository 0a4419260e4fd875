// A mediasoup Consumer: a producer's media sent to one peer. Owned by its (recv) Transport. The worker tells
// it when its producer closes, pauses, resumes or changes layers.
#pragma once

#include <functional>
#include <string>

#include "channel/Channel.h"
#include "base/Json.h"
#include "base/Lifetime.h"
#include "entities/Producer.h"

namespace msp {

class Consumer {
 public:
  // event: "producerclose" | "producerpause" | "producerresume" | "layerschange". After "producerclose" the
  // consumer is closed and the handler may destroy it.
  using Notification = std::function<void(Consumer& consumer, const std::string& event, const Json& data)>;

  Consumer(Channel& channel, std::string transportId, std::string id, std::string producerId, std::string kind,
           std::string type, Json rtpParameters, bool paused, bool producerPaused, Notification onNotification);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  const std::string& id() const { return id_; }
  const std::string& producerId() const { return producerId_; }
  const std::string& kind() const { return kind_; }
  const std::string& type() const { return type_; }
  const Json& rtpParameters() const { return rtpParameters_; }
  bool paused() const { return paused_; }
  bool producerPaused() const { return producerPaused_; }

  void pause(Done done);
  void resume(Done done);
  void setPreferredLayers(int spatialLayer, int temporalLayer, Done done);  // temporalLayer < 0: unset
  void getStats(DataDone done);
  void close();           // ours: tells the worker
  void transportClosed(); // the worker already dropped it

 private:
  void onWorkerNotification(const WorkerMessage& message);

  Channel& channel_;
  std::string transportId_, id_, producerId_, kind_, type_;
  Json rtpParameters_;
  bool paused_, producerPaused_;
  bool closed_ = false;
  Notification onNotification_;
  Lifetime lifetime_;
};

}  // namespace msp
