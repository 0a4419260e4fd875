#include "entities/Worker.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "base/Ids.h"
#include "base/Log.h"
#include "channel/ProcStats.h"
#include "base/TakeOut.h"

#ifndef MSP_MEDIASOUP_VERSION
#error "MSP_MEDIASOUP_VERSION (the mediasoup release, from configure) must be defined by the build"
#endif

namespace msp {
Worker::Worker(uv_loop_t* loop, std::string name, WorkerOptions options, Events events)
    : loop_(loop), name_(std::move(name)), options_(std::move(options)), events_(std::move(events)),
      channel_(loop, options_.requestTimeoutMs, name_) {}

Worker::~Worker() {
  channel_.close();
  // Routers go without requests: the channel is gone.
  auto routers = std::move(routers_);
  routers_.clear();
  // ~ChildProcess kills and reaps a worker still running.
}

uint64_t Worker::uptimeMs() const { return state_ == State::Running ? uv_now(loop_) - startedAtMs_ : 0; }

uint64_t Worker::sinceLastAnswerMs() const {
  return state_ == State::Running ? uv_now(loop_) - channel_.lastAnswerMs() : 0;
}

bool Worker::start(std::string& error) {
  std::vector<std::string> args = {
      "--logLevel=" + options_.logLevel,
      "--rtcMinPort=" + std::to_string(options_.ports.min),
      "--rtcMaxPort=" + std::to_string(options_.ports.max),
  };
  WorkerSpawn spawn;
  // The worker refuses to run for a control plane of another release.
  if (!options_.spawner(options_.binary, args, {std::string("MEDIASOUP_VERSION=") + MSP_MEDIASOUP_VERSION}, spawn, error)) return false;
  process_ = std::move(spawn.process);
  pid_ = spawn.pid;
  startedAtMs_ = uv_now(loop_);

  if (!channel_.open(spawn, [this](const std::string& reason) { died(reason); }, error)) return false;
  channel_.subscribe(std::to_string(pid_), [this](const WorkerMessage& message) {
    if (message.event != "running" || state_ != State::Starting) return;
    if (options_.webRtcServer) openWebRtcServer();
    else becomeRunning();
  });

  // A process of ours is watched for its exit; an in-process fake worker dies through its channel only.
  int rc = process_.pidfd() < 0 ? 0 : exitWatch_.init([this](uv_poll_t* h) { return uv_poll_init(loop_, h, process_.pidfd()); }, this);
  if (rc == 0 && exitWatch_) {
    rc = uv_poll_start(exitWatch_.get(), UV_READABLE, [](uv_poll_t* h, int, int) { ownerOf<Worker>(h)->onProcessEvent(); });
  }
  if (rc != 0) {
    error = std::string("watching the worker process: ") + uv_strerror(rc);
    return false;
  }
  sampleTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this);
  uv_timer_start(sampleTimer_.get(), [](uv_timer_t* t) { ownerOf<Worker>(t)->sampleUsage(); },
                 options_.cpuSampleIntervalMs, options_.cpuSampleIntervalMs);
  startTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this);
  uv_timer_start(startTimer_.get(), [](uv_timer_t* t) {
    ownerOf<Worker>(t)->died("did not report running in time");
  }, options_.startTimeoutMs, 0);
  return true;
}

void Worker::becomeRunning() {
  state_ = State::Running;
  startedAtMs_ = uv_now(loop_);
  startTimer_.close();
  healthTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this);
  uv_timer_start(healthTimer_.get(), [](uv_timer_t* t) { ownerOf<Worker>(t)->checkHealth(); },
                 options_.healthIntervalMs, options_.healthIntervalMs);
  sampleUsage();  // memory is known at once; CPU from the next sample on
  MSP_INFO("%s running (pid %d, ports %u-%u%s)", name_.c_str(), pid_, options_.ports.min, options_.ports.max,
           webRtcServerId_.empty() ? "" : ", WebRtcServer on the first");
  if (events_.running) events_.running();
}

// The worker only counts as running once its server listens: no room may be placed on it before.
void Worker::openWebRtcServer() {
  std::string serverId = newUuid();
  Json listenInfos = Json::array();
  for (const char* protocol : {"udp", "tcp"}) {
    Json info = Json::object();
    info.set("protocol", protocol).set("ip", options_.listenIp).set("port", options_.ports.min);
    if (!options_.announcedIp.empty()) info.set("announcedIp", options_.announcedIp);
    listenInfos.append(info);
  }
  Json data = Json::object();
  data.set("webRtcServerId", serverId).set("listenInfos", listenInfos);
  channel_.request("worker.createWebRtcServer", "", data, [this, serverId](ChannelResult r) {
    if (state_ != State::Starting) return;
    if (!r.ok) {
      died("could not open its WebRtcServer on " + options_.listenIp + " port " + std::to_string(options_.ports.min) +
           " (UDP and TCP): " + r.failure.detail);
      return;
    }
    webRtcServerId_ = serverId;
    becomeRunning();
  });
}

void Worker::onProcessEvent() {
  std::string howItEnded;
  if (!process_.tryReap(howItEnded)) return;
  exitWatch_.close();
  MSP_INFO("%s (pid %d) %s", name_.c_str(), pid_, howItEnded.c_str());
  died(howItEnded);
  if (onReaped) onReaped();
}

// Nothing more will be asked of the process: pending requests fail, routers close without requests.
bool Worker::enterClosed(const std::string& channelReason) {
  if (state_ == State::Closed) return false;
  state_ = State::Closed;
  cpuUsage_ = 0.0;
  sampleTimer_.close();
  startTimer_.close();
  healthTimer_.close();
  channel_.close(channelReason);
  auto routers = std::move(routers_);
  routers_.clear();
  for (auto& [id, router] : routers) router->workerClosed();
  return true;
}

void Worker::died(const std::string& reason) {
  if (!enterClosed("worker died")) return;
  // A worker that lost its channel but still runs is killed; the exit watch then reaps it.
  process_.signal(SIGKILL);
  if (events_.died) events_.died(reason);
}

void Worker::close() { enterClosed("worker closed"); }

// A worker that is stopped, stuck or livelocked answers nothing but keeps its pipes open: nothing else would
// notice. Any response counts as an answer; the ping makes sure there is always something to answer.
void Worker::checkHealth() {
  if (state_ != State::Running) return;
  uint64_t silentMs = sinceLastAnswerMs();
  if (silentMs >= options_.healthTimeoutMs) {
    MSP_WARN("%s (pid %d) answered nothing for %llu ms: killing it", name_.c_str(), pid_,
             static_cast<unsigned long long>(silentMs));
    died("answered nothing for " + std::to_string(silentMs) + " ms (hung)");
    return;
  }
  channel_.request("worker.getResourceUsage", "", Json(), [](ChannelResult) {});
}

void Worker::sampleUsage() {
  auto sample = readProcStat(pid_);
  if (!sample) return;
  uint64_t now = uv_now(loop_);
  static const long ticksPerSecond = sysconf(_SC_CLK_TCK);
  static const long pageSize = sysconf(_SC_PAGESIZE);
  if (lastSampleMs_ != 0) cpuUsage_ = cpuShare(lastCpuTicks_, sample->cpuTicks, now - lastSampleMs_, ticksPerSecond);
  lastCpuTicks_ = sample->cpuTicks;
  lastSampleMs_ = now;
  rssBytes_ = sample->rssPages * static_cast<uint64_t>(pageSize);
}

void Worker::createRouter(const std::string& routerId, Json rtpCapabilities, std::function<void()> onWorkerClosed,
                             RouterCreated done) {
  auto& router = routers_[routerId];
  router = std::make_unique<Router>(channel_, routerId, std::move(rtpCapabilities), webRtcServerId_);
  router->onWorkerClosed = std::move(onWorkerClosed);
  Json data = Json::object();
  data.set("routerId", routerId);
  channel_.request("worker.createRouter", "", data, [this, routerId, done = std::move(done)](ChannelResult result) {
    auto it = routers_.find(routerId);
    if (it == routers_.end()) {  // closed meanwhile (room destroyed, or the worker died)
      done(nullptr, result.ok ? Failure::closed("the router closed") : result.failure);
      return;
    }
    if (!result.ok) {
      routers_.erase(it);
      done(nullptr, result.failure);
      return;
    }
    done(it->second.get(), Failure{});
  });
}

void Worker::closeRouter(const std::string& routerId) {
  if (auto router = takeOut(routers_, routerId)) router->close();
}

}  // namespace msp
