// Requests and notices between the hosts of a cluster, as the rooms layer sees them: ClusterBus carries them
// over Redis; the unit tests connect two hosts in one process with a bus of their own. Loop thread only;
// callbacks never run inside the call that registers them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/Failure.h"
#include "base/Json.h"
#include "cluster/BusMessage.h"

namespace msp {

constexpr uint64_t kBusRequestTimeoutMs = 3000;

class HostBus {
 public:
  // respond(body, error): the reply (error empty) or why it failed. Call it once, now or later.
  using Respond = std::function<void(Json body, const std::string& error)>;
  using RequestHandler = std::function<void(const BusMessage& request, Respond respond)>;
  using NoticeHandler = std::function<void(const BusMessage& notice)>;
  // The reply's body, or a failure: Rejected (the other host answered with an error), TimedOut, WorkerGone
  // (Redis cannot be reached).
  using Done = std::function<void(const Json& body, const Failure& failure)>;

  virtual ~HostBus() = default;
  virtual void onRequest(const std::string& type, RequestHandler handler) = 0;
  virtual void onNotice(const std::string& type, NoticeHandler handler) = 0;
  virtual void request(const std::string& host, const std::string& type, const std::string& room, Json body, Done done,
                       uint64_t timeoutMs = kBusRequestTimeoutMs) = 0;
  virtual void notify(const std::string& host, const std::string& type, const std::string& room, Json body) = 0;
  virtual const std::string& hostId() const = 0;
  // Runs task on a later loop turn.
  virtual void later(std::function<void()> task) = 0;
  // Loop time (ms) since when this host's bus has carried messages without a break (0: not now). A host
  // unheard of for a while means something only while this one has been up for that while itself.
  virtual uint64_t upSinceMs() const = 0;
};

}  // namespace msp
