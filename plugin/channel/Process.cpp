#include "channel/Process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace msp {

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

ChildProcess::~ChildProcess() { killAndReap(); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    killAndReap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

void ChildProcess::killAndReap() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  pidfd_.reset();
}

bool ChildProcess::tryReap(std::string& howItEnded) {
  if (pid_ < 0) return true;
  int status = 0;
  pid_t rc = ::waitpid(pid_, &status, WNOHANG);
  if (rc == 0) return false;
  howItEnded = rc == pid_ ? describeExit(status) : "vanished";
  pid_ = -1;
  pidfd_.reset();
  return true;
}

void ChildProcess::signal(int signo) const {
  if (pid_ > 0) ::kill(pid_, signo);
}

std::string describeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "ended";
}

namespace {

// Pipe ends for the child, moved to fds above 6 so dup2 onto 3–6 never meets its own source.
bool childPipe(Fd& parentEnd, Fd& childEnd, bool childReads, std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::string("pipe2: ") + strerror(errno);
    return false;
  }
  Fd readEnd(fds[0]), writeEnd(fds[1]);
  Fd& child = childReads ? readEnd : writeEnd;
  int high = fcntl(child.get(), F_DUPFD_CLOEXEC, 10);
  if (high < 0) {
    error = std::string("fcntl: ") + strerror(errno);
    return false;
  }
  childEnd = Fd(high);
  parentEnd = childReads ? std::move(writeEnd) : std::move(readEnd);
  return true;
}

}  // namespace

bool spawnWorker(const std::string& binary, const std::vector<std::string>& args,
                 const std::vector<std::string>& extraEnv, WorkerSpawn& out, std::string& error) {
  std::array<Fd, 4> childEnds;
  if (!childPipe(out.channelToWorker, childEnds[0], true, error) ||
      !childPipe(out.channelFromWorker, childEnds[1], false, error) ||
      !childPipe(out.payloadToWorker, childEnds[2], true, error) ||
      !childPipe(out.payloadFromWorker, childEnds[3], false, error)) {
    return false;
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 4; ++i) posix_spawn_file_actions_adddup2(&actions, childEnds[i].get(), 3 + i);
  posix_spawn_file_actions_addclosefrom_np(&actions, 7);

  // Janus ignores SIGPIPE and may block signals: the worker gets defaults, and its own process group so a
  // terminal's Ctrl-C reaches Janus (which then closes the workers) rather than the workers directly.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> argvStrings;
  argvStrings.push_back(binary);
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argvStrings) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The worker is a program of its own: it inherits the environment, but not what was preloaded into the
  // host process (a sanitizer runtime in Janus would otherwise be injected into every worker).
  std::vector<std::string> envStrings = extraEnv;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0) envStrings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : envStrings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    error = "posix_spawn " + binary + ": " + strerror(rc);
    return false;
  }
  // Via syscall(): glibc 2.36's <sys/pidfd.h> lacks C linkage under C++.
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  out.process = ChildProcess(pid, std::move(pidfd));
  out.pid = pid;
  if (out.process.pidfd() < 0) {
    error = std::string("pidfd_open: ") + strerror(errno);
    return false;  // ~ChildProcess kills and reaps it
  }
  fcntl(out.process.pidfd(), F_SETFD, FD_CLOEXEC);
  return true;
}

}  // namespace msp
