// A mediasoup router in a worker. Owned by its Worker. Two ways to close, kept apart as in mediasoup:
// close() is ours (tell the worker, then cascade), workerClosed() is the worker's death (cascade only).
#pragma once

#include <functional>
#include <string>

#include "Channel.h"

namespace msp {

class Router {
 public:
  Router(Channel& channel, std::string id) : channel_(channel), id_(std::move(id)) {}
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const std::string& id() const { return id_; }
  bool ready() const { return ready_; }
  bool closed() const { return closed_; }
  void setReady() { ready_ = true; }

  void close();
  void workerClosed();

  // Observer: runs once when the router closes for a reason other than close() (the worker died).
  std::function<void()> onWorkerClosed;

 private:
  Channel& channel_;
  std::string id_;
  bool ready_ = false;
  bool closed_ = false;
};

}  // namespace msp
