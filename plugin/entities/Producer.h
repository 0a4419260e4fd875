// A mediasoup Producer: media a peer sends into its room's router. Owned by its Transport.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "channel/Channel.h"
#include "base/Json.h"
#include "base/Lifetime.h"

namespace msp {

using Done = std::function<void(const Failure& failure)>;  // no failure (kind None) on success
using DataDone = std::function<void(Json data, const Failure& failure)>;

// A pause/resume request for a producer or consumer: sets `paused` when the worker agrees, provided its
// owner (whose lifetime token is `alive`) still exists by then.
void requestPaused(Channel& channel, const char* method, const std::string& id, std::weak_ptr<char> alive, bool& paused,
                   bool value, Done done);

// A consumer (media or data) stops listening to the worker's notices, once: false when it already had.
inline bool markClosed(Channel& channel, const std::string& id, bool& closed) {
  if (closed) return false;
  closed = true;
  channel.unsubscribe(id);
  return true;
}
// Ours: asks the worker to close an entity of a transport ({idKey: id}); the answer changes nothing.
inline void requestClose(Channel& channel, const char* method, const std::string& transportId, const char* idKey,
                         const std::string& id) {
  Json data = Json::object();
  data.set(idKey, id);
  channel.request(method, transportId, data, [](ChannelResult) {});
}

class Producer {
 public:
  // consumableRtpParameters: what consumers are computed from (the client's own parameters are not kept:
  // nothing reads them after the worker has them).
  Producer(Channel& channel, std::string transportId, std::string id, std::string kind, std::string type,
           Json consumableRtpParameters, bool paused)
      : channel_(channel), transportId_(std::move(transportId)), id_(std::move(id)), kind_(std::move(kind)),
        type_(std::move(type)), consumableRtpParameters_(std::move(consumableRtpParameters)), paused_(paused) {}
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  const std::string& id() const { return id_; }
  const std::string& kind() const { return kind_; }
  const std::string& type() const { return type_; }
  const Json& consumableRtpParameters() const { return consumableRtpParameters_; }
  bool paused() const { return paused_; }
  // The client's appData at produce ({} when none): the others get it with newProducer and in join answers.
  const Json& appData() const { return appData_; }
  void setAppData(Json appData) { appData_ = std::move(appData); }

  void pause(Done done);
  void resume(Done done);
  void getStats(DataDone done);
  // Ours: tells the worker (which then sends producerclose to every consumer of it).
  void close();

 private:
  Json appData_ = Json::object();
  Channel& channel_;
  std::string transportId_;
  std::string id_, kind_, type_;
  Json consumableRtpParameters_;
  bool paused_;
  Lifetime lifetime_;
};

}  // namespace msp
