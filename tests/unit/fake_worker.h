// A scripted mediasoup worker inside the test process: the plugin's real Worker, Channel and entities talk to it
// over pipes in the worker's own wire format, and it answers on the same loop. By default it answers every
// request as mediasoup 3.12 would (plausible ids, ports, ICE and DTLS); a test makes a method fail, never
// answer, wait until released, or kill the worker, and sends notifications of its own. Nothing runs out of
// process and nothing depends on timing but the loop's own order.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channel/ChannelCodec.h"
#include "base/Json.h"
#include "channel/Process.h"
#include "base/UvHandle.h"

namespace msp::fake {

struct Request {
  uint32_t id = 0;
  std::string method;
  std::string handlerId;  // the target entity's id ("" for worker requests)
  Json data;
};

// What a fake worker does with a request of some method.
struct Behaviour {
  enum class Kind {
    Answer,  // accepted, with the default answer for that method
    Reject,  // {"error":"Error","reason":…}
    Ignore,  // never answered (the plugin's request timeout fires)
    Hold,    // kept until release(): answered then as by default
    Die,     // the worker dies on receiving it (the request is never answered)
  };
  Kind kind = Kind::Answer;
  std::string reason;
  static Behaviour answer() { return {}; }
  static Behaviour reject(std::string why) { return {Kind::Reject, std::move(why)}; }
  static Behaviour ignore() { return {Kind::Ignore, ""}; }
  static Behaviour hold() { return {Kind::Hold, ""}; }
  static Behaviour die() { return {Kind::Die, ""}; }
};

class Workers;

class Worker {
 public:
  Worker(uv_loop_t* loop, pid_t pid, uint32_t minPort, Fd requestsIn, Fd answersOut, Fd payloadIn, Fd payloadOut);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  pid_t pid() const { return pid_; }
  uint32_t minPort() const { return minPort_; }
  bool dead() const { return dead_; }

  // Every request received, in order (answered or not).
  const std::vector<Request>& requests() const { return requests_; }
  size_t count(const std::string& method) const;
  // The last request of that method, or null.
  const Request* last(const std::string& method) const;

  // The next `times` requests of that method (or all, with -1) get this behaviour.
  void on(const std::string& method, Behaviour behaviour, int times = -1);
  // Answers the held requests (of one method, or all) as by default.
  void release(const std::string& method = "");
  size_t heldCount() const { return held_.size(); }

  void notify(const std::string& targetId, const std::string& event, Json data = Json());
  // Closes its ends: the plugin reads end of file, as when a worker process dies.
  void die();

 private:
  friend class Workers;
  void start();
  void onRead(ssize_t nread, const uv_buf_t* buf);
  void handle(Request request);
  void answer(const Request& request);
  void write(const std::string& payload);
  Json defaultAnswer(const Request& request);

  uv_loop_t* loop_;
  pid_t pid_;
  uint32_t minPort_;
  uint32_t nextPort_;
  bool dead_ = false;
  UvHandle<uv_pipe_t> requestsIn_, answersOut_, payloadIn_, payloadOut_;
  FrameDecoder decoder_;
  std::vector<Request> requests_;
  std::vector<Request> held_;
  struct Rule {
    Behaviour behaviour;
    int times;
  };
  std::map<std::string, std::vector<Rule>> rules_;
  uint64_t counter_ = 0;
  char readBuffer_[65536];
};

// The spawner a WorkerPool is given: every worker it starts is a fake::Worker kept here.
class Workers {
 public:
  explicit Workers(uv_loop_t* loop) : loop_(loop) {}
  WorkerSpawner spawner();

  // Every fake started, in order (dead ones too).
  const std::vector<std::unique_ptr<Worker>>& all() const { return all_; }
  // The live fake whose port range starts at minPort (a pool slot's current worker), or null.
  Worker* current(uint32_t minPort) const;
  size_t started() const { return all_.size(); }

  // Applies to every worker started from now on (the live ones keep their own rules).
  void onEveryNew(const std::string& method, Behaviour behaviour) { newRules_.emplace_back(method, behaviour); }
  void clearNewRules() { newRules_.clear(); }
  // Spawning fails (as posix_spawn of a missing binary would).
  bool refuseSpawn = false;
  // Closes every fake's ends (end of the test).
  void clear() { all_.clear(); }

 private:
  uv_loop_t* loop_;
  std::vector<std::unique_ptr<Worker>> all_;
  std::vector<std::pair<std::string, Behaviour>> newRules_;
};

}  // namespace msp::fake
