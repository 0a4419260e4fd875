// A mediasoup RtpObserver of a router: an AudioLevelObserver (the loudest audio producers each interval, or
// silence) or an ActiveSpeakerObserver (the dominant speaker, when it changes). Both read the producers'
// ssrc-audio-level header extension. Owned by its Router, closed with it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "channel/Channel.h"
#include "entities/Producer.h"

namespace msp {

struct ProducerVolume {
  std::string producerId;
  int volume = 0;  // dBov, -127..0
};

class RtpObserver {
 public:
  enum class Kind { AudioLevel, ActiveSpeaker };

  RtpObserver(Channel& channel, std::string routerId, std::string id, Kind kind);
  ~RtpObserver();
  RtpObserver(const RtpObserver&) = delete;
  RtpObserver& operator=(const RtpObserver&) = delete;

  const std::string& id() const { return id_; }
  Kind kind() const { return kind_; }

  // The producer (of this router: a peer's, or a piped copy) is observed from now on. The worker forgets it
  // by itself when it closes.
  void addProducer(const std::string& producerId, Done done);
  // Ours: tells the worker; no notification is delivered after this.
  void close();
  // The router (or worker) is gone: no request, no more notifications.
  void routerClosed();

  // The worker's notifications, as they come (volumes: loudest first, never empty).
  std::function<void(const std::vector<ProducerVolume>& volumes)> onVolumes;
  std::function<void()> onSilence;
  std::function<void(const std::string& producerId)> onDominantSpeaker;

 private:
  void onWorkerNotification(const WorkerMessage& message);
  void stopListening();

  Channel& channel_;
  std::string routerId_;
  std::string id_;
  Kind kind_;
  bool closed_ = false;
};

}  // namespace msp
