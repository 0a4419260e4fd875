#include "base/EventLoop.h"

#include <pthread.h>

#include "base/Log.h"
#include "base/LoopThread.h"

namespace msp {

EventLoop::EventLoop() { loopInitialised_ = uv_loop_init(&loop_) == 0; }

EventLoop::~EventLoop() {
  if (thread_.joinable()) stop(nullptr);
  if (loopInitialised_) {
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }
}

bool EventLoop::start() {
  if (!loopInitialised_) return false;
  int rc = wakeup_.init([this](uv_async_t* h) {
    return uv_async_init(&loop_, h, [](uv_async_t* async) { ownerOf<EventLoop>(async)->drain(); });
  }, this);
  if (rc != 0) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = true;
  }
  thread_ = std::thread([this] {
    // Named so an operator's `top -H` or a profile tells the plugin's thread from Janus's own.
    pthread_setname_np(pthread_self(), "msp-loop");
    loopThread::enter(&loop_);
    uv_run(&loop_, UV_RUN_DEFAULT);
    loopThread::leave();
  });
  return true;
}

bool EventLoop::post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return false;
    tasks_.push_back(std::move(task));
  }
  uv_async_send(wakeup_.get());
  return true;
}

void EventLoop::drain() {
  std::vector<Task> tasks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks.swap(tasks_);
  }
  for (Task& task : tasks) {
    try {
      task();
    } catch (const std::exception& e) {
      MSP_ERROR("task on the event loop threw: %s", e.what());
    } catch (...) {
      MSP_ERROR("task on the event loop threw");
    }
  }
  bool stopNow;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopNow = stopping_ && tasks_.empty();
  }
  if (stopNow) {
    wakeup_.close();
    // Whatever is still open (it should be nothing) is closed so uv_run can return.
    uv_walk(&loop_, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
  }
}

void EventLoop::stop(Task finalTask) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finalTask) tasks_.push_back(std::move(finalTask));
    accepting_ = false;
    stopping_ = true;
  }
  uv_async_send(wakeup_.get());
  thread_.join();
}

}  // namespace msp
