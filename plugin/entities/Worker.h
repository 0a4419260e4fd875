// One mediasoup worker process: its channel, its routers, its health and CPU usage.
#pragma once

#include <uv.h>

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "channel/Channel.h"
#include "config/Config.h"
#include "channel/Process.h"
#include "entities/Router.h"
#include "base/UvHandle.h"

namespace msp {

struct WorkerOptions {
  std::string binary;
  std::string logLevel = "warn";
  PortRange ports{10000, 10999};
  uint32_t requestTimeoutMs = 5000;
  uint32_t cpuSampleIntervalMs = 1000;
  uint32_t startTimeoutMs = 10000;
  uint32_t healthIntervalMs = 1000;
  uint32_t healthTimeoutMs = 3000;
  // One WebRtcServer on the first port of the range (UDP and TCP) for every WebRTC transport of the worker.
  bool webRtcServer = true;
  std::string listenIp = "127.0.0.1";
  std::string announcedIp;  // empty: none
  WorkerSpawner spawner = spawnWorker;
  // A slot's worker: what the settings say, on the slot's ports.
  static WorkerOptions of(const Settings& settings, PortRange ports, WorkerSpawner spawner) {
    WorkerOptions options;
    options.binary = settings.workerBin;
    options.logLevel = settings.workerLogLevel;
    options.ports = ports;
    options.requestTimeoutMs = settings.requestTimeoutMs;
    options.cpuSampleIntervalMs = settings.cpuSampleIntervalMs;
    options.healthIntervalMs = settings.healthIntervalMs;
    options.healthTimeoutMs = settings.healthTimeoutMs;
    options.webRtcServer = settings.webrtcServer;
    options.listenIp = settings.listenIp;
    options.announcedIp = settings.announcedIp;
    options.spawner = std::move(spawner);
    return options;
  }
};

class Worker {
 public:
  enum class State { Starting, Running, Closed };
  struct Events {
    std::function<void()> running;
    // Once, when the worker is gone (exit, signal, channel loss, failed start). Not after close().
    std::function<void(const std::string& reason)> died;
  };
  using RouterCreated = std::function<void(Router* router, const Failure& failure)>;

  Worker(uv_loop_t* loop, std::string name, WorkerOptions options, Events events);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  bool start(std::string& error);
  // Ours: close the channel; the worker exits by itself, reaped when it does. Routers close without requests.
  void close();
  // Kills the process if it has not exited yet (shutdown's last resort).
  void kill() { process_.signal(SIGKILL); }

  State state() const { return state_; }
  bool running() const { return state_ == State::Running; }
  bool reaped() const { return process_.reaped(); }
  pid_t pid() const { return pid_; }
  double cpuUsage() const { return cpuUsage_; }
  uint64_t rssBytes() const { return rssBytes_; }
  uint64_t uptimeMs() const;
  // ms since the worker last answered a request (0 when not running).
  uint64_t sinceLastAnswerMs() const;
  const WorkerOptions& options() const { return options_; }
  // The worker's WebRtcServer (empty id when it has none).
  const std::string& webRtcServerId() const { return webRtcServerId_; }
  Channel& channel() { return channel_; }

  // The router counts toward this worker's load at once; done runs (never inside this call) when the worker
  // has created it (router set) or could not (router null: the router is already gone again).
  void createRouter(const std::string& routerId, Json rtpCapabilities, std::function<void()> onWorkerClosed,
                       RouterCreated done);
  void closeRouter(const std::string& routerId);
  size_t routerCount() const { return routers_.size(); }

  std::function<void()> onReaped;  // the process has exited and been reaped

 private:
  bool enterClosed(const std::string& channelReason);
  void died(const std::string& reason);
  void sampleUsage();
  void checkHealth();
  void openWebRtcServer();
  void becomeRunning();
  void onProcessEvent();

  uv_loop_t* loop_;
  std::string name_;
  WorkerOptions options_;
  Events events_;
  State state_ = State::Starting;
  ChildProcess process_;
  pid_t pid_ = -1;
  Channel channel_;
  UvHandle<uv_poll_t> exitWatch_;
  UvHandle<uv_timer_t> sampleTimer_, startTimer_, healthTimer_;
  std::map<std::string, std::unique_ptr<Router>> routers_;
  uint64_t startedAtMs_ = 0;
  uint64_t lastCpuTicks_ = 0;
  uint64_t lastSampleMs_ = 0;
  std::string webRtcServerId_;
  double cpuUsage_ = 0.0;
  uint64_t rssBytes_ = 0;
};


}  // namespace msp
