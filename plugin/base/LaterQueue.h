// Tasks run on a later turn of the loop, in the order they were posted: how an answer known at once is given
// without calling back inside the call that asked. One zero-delay timer, made when first needed (an owner that
// never posts holds no handle). Not movable: the timer points at it. Loop thread only.
#pragma once

#include <uv.h>

#include <functional>
#include <vector>

#include "base/UvHandle.h"

namespace msp {

class LaterQueue {
 public:
  explicit LaterQueue(uv_loop_t* loop) : loop_(loop) {}
  LaterQueue(const LaterQueue&) = delete;
  LaterQueue& operator=(const LaterQueue&) = delete;

  void post(std::function<void()> task) {
    tasks_.push_back(std::move(task));
    if (!timer_ && timer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this) != 0) return;
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(timer_.get()))) {
      uv_timer_start(timer_.get(), [](uv_timer_t* timer) { ownerOf<LaterQueue>(timer)->run(); }, 0, 0);
    }
  }
  // The tasks not run yet are dropped.
  void clear() { tasks_.clear(); }

 private:
  void run() {
    std::vector<std::function<void()>> tasks;
    tasks.swap(tasks_);
    // Tasks posted meanwhile start the timer again. A task may destroy this queue's owner: nothing of the queue
    // is touched after the loop.
    for (auto& task : tasks) task();
  }

  uv_loop_t* loop_;
  UvHandle<uv_timer_t> timer_;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace msp
