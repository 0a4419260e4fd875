// The core's libuv loop, in the plugin's own thread. Every core object lives on it; other threads (Janus's,
// libmicrohttpd's) reach it only through post().
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/UvHandle.h"

namespace msp {

class EventLoop {
 public:
  using Task = std::function<void()>;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool start();
  // Runs task on the loop thread; false (task dropped) once stop() has begun.
  bool post(Task task);
  // Runs finalTask on the loop thread (it must close what it owns), closes every remaining handle, and
  // joins the thread.
  void stop(Task finalTask);

  uv_loop_t* loop() { return &loop_; }

 private:
  void drain();

  uv_loop_t loop_{};
  bool loopInitialised_ = false;
  UvHandle<uv_async_t> wakeup_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Task> tasks_;
  bool accepting_ = false;
  bool stopping_ = false;
};

}  // namespace msp
