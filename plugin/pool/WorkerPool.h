// N worker slots, each with its own port range. Slot i's worker is replaced (same ports) when it dies, with
// a backoff that grows only while the slot keeps dying right after starting. Rooms are placed by the pure
// chooseWorker().
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/Config.h"
#include "pool/LoadBalancer.h"
#include "base/UvHandle.h"
#include "entities/Worker.h"

namespace msp {

// When a slot's worker dies after living livedMs: how long to wait before respawning, and the backoff to
// use if it dies again. The delay grows (doubling, capped) only while the slot keeps dying right after
// starting; a worker that had been stable is replaced at once.
struct RespawnDelay {
  uint64_t delayMs;
  uint64_t nextBackoffMs;
};
RespawnDelay respawnDelay(uint64_t livedMs, uint64_t backoffMs);

struct WorkerEvent {
  enum class Kind { Started, Died };
  Kind kind;
  size_t workerId;
  pid_t pid;
  uint32_t restarts;
  std::string reason;  // Died
};

class WorkerPool {
 public:
  static constexpr uint64_t kInitialBackoffMs = 100;
  static constexpr uint64_t kMaxBackoffMs = 4000;
  // A worker that dies sooner than this after starting counts as crash-looping.
  static constexpr uint64_t kStableAfterMs = 5000;

  struct Slot {
    WorkerPool* pool = nullptr;
    size_t index = 0;
    PortRange ports{};
    std::unique_ptr<Worker> worker;
    uint32_t restarts = 0;
    uint64_t backoffMs = kInitialBackoffMs;
    uint64_t lastChosen = 0;
    uint64_t spawnedAtMs = 0;
    bool draining = false;  // takes no new routers; stopped (not respawned) once its rooms have moved
    UvHandle<uv_timer_t> respawnTimer;
  };

  // spawner: how workers start (unit tests give a scripted in-process worker).
  WorkerPool(uv_loop_t* loop, const Settings& settings, WorkerSpawner spawner = spawnWorker);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Spawns every worker; done(true) once all report running, done(false, why) at the first that fails.
  void start(std::function<void(bool ok, const std::string& error)> done);
  // The least-loaded live worker's slot, or null when none is alive.
  Slot* choose();
  // Whether any worker runs and takes new routers (nothing is chosen).
  bool hasLiveWorker() const;
  // Every slot's load, by index (what choose() decides on).
  std::vector<WorkerLoad> loads() const;
  // Slot index as chosen (by a caller deciding on loads()): counts as the most recently chosen.
  Slot* take(size_t index);
  // A new slot with the next port range, its worker spawned; false (error set) when the ports run out.
  bool addSlot(size_t& index, std::string& error);
  // The slot takes no new routers from now on (its rooms must be moved off by the caller).
  void markDraining(size_t index);
  // Stops a draining slot's worker for good (no respawn).
  void stopDrained(size_t index);
  // Starts a drained slot's worker again; false (error set) when it is not drained or cannot spawn.
  bool resume(size_t index, std::string& error);

  // Closes every worker (no respawn from now on); done once all have exited (killed after a grace period).
  void shutdown(std::function<void()> done);

  const std::vector<std::unique_ptr<Slot>>& slots() const { return slots_; }
  uv_loop_t* loop() const { return loop_; }
  // Whether a dead worker is replaced: when not, rooms left without any live worker close at once.
  bool respawns() const { return settings_.respawn && !shuttingDown_; }

  // A worker (first start or replacement) reported running: rooms waiting for a worker can be placed.
  std::function<void()> onWorkerRunning;
  // A slot's worker started (first start, respawn, resume) or died: for watchers (event handlers, metrics).
  std::function<void(const WorkerEvent& event)> onWorkerEvent;

 private:
  bool spawn(Slot& slot, std::string& error);
  void onDied(Slot& slot, const std::string& reason);
  void respawn(Slot& slot);
  void checkShutdownDone();

  uv_loop_t* loop_;
  Settings settings_;  // each slot's worker options, port ranges of slots added at runtime
  WorkerSpawner spawner_;
  std::vector<std::unique_ptr<Slot>> slots_;
  uint64_t chooseCounter_ = 0;
  bool shuttingDown_ = false;
  std::function<void(bool, const std::string&)> startDone_;
  size_t startedCount_ = 0;
  std::function<void()> shutdownDone_;
  UvHandle<uv_timer_t> killTimer_;
};

}  // namespace msp
