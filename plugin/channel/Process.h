// RAII for file descriptors and worker child processes. Every fd is CLOEXEC, so a worker never inherits
// another's channel and exits when Janus (the only holder of its channel's other end) dies.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace msp {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A spawned child. Destroying one that was not reaped kills it (SIGKILL) and reaps it: no process outlives
// its owner, and none is left a zombie.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(pid_t pid, Fd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  ChildProcess(ChildProcess&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)) {}
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool reaped() const { return pid_ < 0; }
  // Non-blocking waitpid; true once reaped, with a description of how it ended.
  bool tryReap(std::string& howItEnded);
  void signal(int signo) const;

 private:
  void killAndReap();

  pid_t pid_ = -1;
  Fd pidfd_;
};

struct WorkerSpawn {
  ChildProcess process;  // none (never reaped, nothing to kill) for an in-process fake worker
  pid_t pid = -1;        // the worker's pid as it reports it in its "running" notification
  Fd channelToWorker;    // we write requests (worker's fd 3)
  Fd channelFromWorker;  // we read replies/notifications (worker's fd 4)
  Fd payloadToWorker;    // kept open: end of file on fd 5 would close the worker
  Fd payloadFromWorker;  // drained (worker's fd 6)
};

// posix_spawn with default signals, an empty mask, its own process group, the channel on fds 3–6 and every
// other inherited fd closed. Returns false with `error` set.
bool spawnWorker(const std::string& binary, const std::vector<std::string>& args,
                 const std::vector<std::string>& extraEnv, WorkerSpawn& out, std::string& error);
// How a Worker gets its process and channel ends: spawnWorker, or (unit tests) a scripted worker on the loop.
using WorkerSpawner = std::function<bool(const std::string& binary, const std::vector<std::string>& args,
                                         const std::vector<std::string>& extraEnv, WorkerSpawn& out, std::string& error)>;

std::string describeExit(int status);

}  // namespace msp
