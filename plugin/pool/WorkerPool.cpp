#include "pool/WorkerPool.h"

#include <algorithm>

#include "pool/LoadBalancer.h"
#include "base/Log.h"
#include "base/LoopThread.h"

namespace msp {

RespawnDelay respawnDelay(uint64_t livedMs, uint64_t backoffMs) {
  if (livedMs >= WorkerPool::kStableAfterMs) return {WorkerPool::kInitialBackoffMs, WorkerPool::kInitialBackoffMs * 2};
  return {backoffMs, std::min(backoffMs * 2, WorkerPool::kMaxBackoffMs)};
}

WorkerPool::WorkerPool(uv_loop_t* loop, const Settings& settings, WorkerSpawner spawner)
    : loop_(loop), settings_(settings), spawner_(std::move(spawner)) {
  for (uint32_t i = 0; i < settings.workerCount; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->pool = this;
    slot->index = i;
    slot->ports = settings.portRangeOf(i);
    slots_.push_back(std::move(slot));
  }
}

WorkerPool::~WorkerPool() = default;

void WorkerPool::start(std::function<void(bool, const std::string&)> done) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  startDone_ = std::move(done);
  for (auto& slot : slots_) {
    std::string error;
    if (!spawn(*slot, error)) {
      if (auto finish = std::move(startDone_)) finish(false, "worker " + std::to_string(slot->index) + ": " + error);
      return;
    }
  }
}

bool WorkerPool::spawn(Slot& slot, std::string& error) {
  WorkerOptions options = WorkerOptions::of(settings_, slot.ports, spawner_);
  Slot* s = &slot;
  Worker::Events events;
  events.running = [this, s] {
    if (onWorkerEvent) onWorkerEvent({WorkerEvent::Kind::Started, s->index, s->worker->pid(), s->restarts, ""});
    if (startDone_ && ++startedCount_ == slots_.size()) {
      auto finish = std::move(startDone_);
      finish(true, "");
    }
    if (onWorkerRunning) onWorkerRunning();
  };
  events.died = [this, s](const std::string& reason) { onDied(*s, reason); };
  slot.worker = std::make_unique<Worker>(loop_, "worker " + std::to_string(slot.index), std::move(options), std::move(events));
  slot.spawnedAtMs = uv_now(loop_);
  if (!slot.worker->start(error)) {
    slot.worker.reset();
    return false;
  }
  return true;
}

void WorkerPool::onDied(Slot& slot, const std::string& reason) {
  MSP_WARN("worker %zu (pid %d) died: %s", slot.index, slot.worker ? slot.worker->pid() : -1, reason.c_str());
  if (onWorkerEvent) onWorkerEvent({WorkerEvent::Kind::Died, slot.index, slot.worker ? slot.worker->pid() : -1, slot.restarts, reason});
  if (startDone_) {  // still starting up: init fails instead of looping
    auto finish = std::move(startDone_);
    finish(false, "worker " + std::to_string(slot.index) + " " + reason);
    return;
  }
  if (shuttingDown_ || !settings_.respawn || slot.draining) return;
  RespawnDelay next = respawnDelay(uv_now(loop_) - slot.spawnedAtMs, slot.backoffMs);
  uint64_t delay = next.delayMs;
  slot.backoffMs = next.nextBackoffMs;
  slot.respawnTimer.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, &slot);
  uv_timer_start(slot.respawnTimer.get(), [](uv_timer_t* t) {
    Slot* target = ownerOf<Slot>(t);
    target->pool->respawn(*target);
  }, delay, 0);
  MSP_INFO("worker %zu: respawning in %llu ms", slot.index, static_cast<unsigned long long>(delay));
}

void WorkerPool::respawn(Slot& slot) {
  slot.respawnTimer.close();
  if (shuttingDown_) return;
  std::string error;
  slot.worker.reset();  // the dead one: already reaped, or killed and reaped now
  ++slot.restarts;
  if (!spawn(slot, error)) {
    MSP_ERROR("worker %zu: respawn failed: %s", slot.index, error.c_str());
    onDied(slot, error);
  }
}

std::vector<WorkerLoad> WorkerPool::loads() const {
  std::vector<WorkerLoad> loads;
  for (const auto& slot : slots_) {
    WorkerLoad load;
    load.alive = slot->worker && slot->worker->running() && !slot->draining;
    if (load.alive) {
      load.roomCount = slot->worker->routerCount();
      load.cpuUsage = slot->worker->cpuUsage();
    }
    load.lastChosen = slot->lastChosen;
    loads.push_back(load);
  }
  return loads;
}

bool WorkerPool::addSlot(size_t& index, std::string& error) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (shuttingDown_) {
    error = "the plugin is shutting down";
    return false;
  }
  PortRange ports = settings_.portRangeOf(static_cast<uint32_t>(slots_.size()));
  if (ports.max > 65535 || slots_.size() >= 1024) {
    error = "no port range left for another worker (rtc_port_base + workers x ports_per_worker > 65535)";
    return false;
  }
  auto slot = std::make_unique<Slot>();
  slot->pool = this;
  slot->index = slots_.size();
  slot->ports = ports;
  if (!spawn(*slot, error)) return false;
  index = slot->index;
  slots_.push_back(std::move(slot));
  MSP_INFO("worker %zu added (ports %u-%u)", index, ports.min, ports.max);
  return true;
}

void WorkerPool::markDraining(size_t index) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (index < slots_.size()) slots_[index]->draining = true;
}

void WorkerPool::stopDrained(size_t index) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (index >= slots_.size() || !slots_[index]->draining) return;
  Slot& slot = *slots_[index];
  slot.respawnTimer.close();
  if (slot.worker) slot.worker->close();  // it exits by itself and is reaped; close() announces no death
  MSP_INFO("worker %zu drained and stopped", index);
}

bool WorkerPool::resume(size_t index, std::string& error) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (index >= slots_.size() || !slots_[index]->draining) {
    error = "worker " + std::to_string(index) + " is not drained";
    return false;
  }
  Slot& slot = *slots_[index];
  slot.draining = false;
  slot.worker.reset();  // the stopped one: reaped, or killed and reaped now
  if (!spawn(slot, error)) return false;
  MSP_INFO("worker %zu resumed", index);
  return true;
}

bool WorkerPool::hasLiveWorker() const {
  for (const WorkerLoad& load : loads()) {
    if (load.alive) return true;
  }
  return false;
}

WorkerPool::Slot* WorkerPool::take(size_t index) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (index >= slots_.size()) return nullptr;
  Slot* slot = slots_[index].get();
  slot->lastChosen = ++chooseCounter_;
  return slot;
}

WorkerPool::Slot* WorkerPool::choose() {
  auto index = chooseWorker(loads(), settings_.cpuTieTolerance);
  return index ? take(*index) : nullptr;
}

void WorkerPool::shutdown(std::function<void()> done) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  shuttingDown_ = true;
  startDone_ = nullptr;
  shutdownDone_ = std::move(done);
  for (auto& slot : slots_) {
    slot->respawnTimer.close();
    if (!slot->worker) continue;
    slot->worker->onReaped = [this] { checkShutdownDone(); };
    slot->worker->close();
  }
  // A worker exits ~0.2 s after its channel closes; one that does not is killed.
  killTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this);
  uv_timer_start(killTimer_.get(), [](uv_timer_t* t) {
    WorkerPool* pool = ownerOf<WorkerPool>(t);
    for (auto& slot : pool->slots_) {
      if (slot->worker && !slot->worker->reaped()) {
        MSP_WARN("worker %zu (pid %d) did not exit: killing it", slot->index, slot->worker->pid());
        slot->worker->kill();
      }
    }
  }, 2000, 0);
  checkShutdownDone();
}

void WorkerPool::checkShutdownDone() {
  if (!shutdownDone_) return;
  for (auto& slot : slots_) {
    if (slot->worker && !slot->worker->reaped()) return;
  }
  killTimer_.close();
  auto done = std::move(shutdownDone_);
  done();
}

}  // namespace msp
