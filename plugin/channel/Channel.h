// A worker's control channel on the loop: framing, request/response matching, timeouts, and notifications
// routed by targetId. Entities build their own requests; the Channel knows only the wire.
#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "channel/ChannelCodec.h"
#include "channel/Process.h"
#include "channel/RequestTable.h"
#include "channel/WorkerLog.h"
#include "base/UvHandle.h"

namespace msp {

using NotificationHandler = std::function<void(const WorkerMessage&)>;

// The worker's error and warning lines that reach Janus's log, at most, per window (the rest is summarised).
constexpr uint32_t kWorkerLogLinesPerWindow = 50;
constexpr uint64_t kWorkerLogWindowMs = 10000;

class Channel {
 public:
  Channel(uv_loop_t* loop, uint32_t requestTimeoutMs, std::string logPrefix);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Takes the parent's four pipe ends. onClosed runs once when the worker side goes away (end of file,
  // read error, or a malformed frame) — not when close() is called.
  bool open(WorkerSpawn& spawn, std::function<void(const std::string& reason)> onClosed, std::string& error);
  // handler runs exactly once, never inside this call: with the reply, or a typed failure (timeout, closed
  // channel, write error). A failure known at once is reported on a later loop turn, as libuv does.
  void request(const std::string& method, const std::string& handlerId, const Json& data, ResponseHandler handler);
  void subscribe(const std::string& targetId, NotificationHandler handler);
  void unsubscribe(const std::string& targetId);
  // Closes our ends (the worker then exits by itself) and fails every pending request with WorkerGone.
  void close(const std::string& reason = "worker closed");
  bool closed() const { return closed_; }
  // Loop time (ms) of the last response from the worker (or of open()): the health check's input.
  uint64_t lastAnswerMs() const { return lastAnswerMs_; }

 private:
  void onRead(ssize_t nread, const uv_buf_t* buf);
  void onPayloadRead(ssize_t nread);
  void dispatch(const std::string& payload);
  void armTimeoutTimer();
  void fail(const std::string& reason);
  void failLater(ResponseHandler handler, Failure failure);
  void runDeferred();

  uv_loop_t* loop_;
  uint32_t requestTimeoutMs_;
  std::string logPrefix_;
  UvHandle<uv_pipe_t> toWorker_, fromWorker_, payloadToWorker_, payloadFromWorker_;
  UvHandle<uv_timer_t> timeoutTimer_;
  // Failures known inside request(): reported from this timer's callback. Lives until the destructor, past
  // close(), so requests made on a closed channel are still answered.
  UvHandle<uv_timer_t> deferTimer_;
  std::vector<std::pair<ResponseHandler, Failure>> deferred_;
  uint64_t lastAnswerMs_ = 0;
  FrameDecoder decoder_;
  RequestTable requests_;
  std::map<std::string, NotificationHandler> subscribers_;
  std::function<void(const std::string&)> onClosed_;
  bool closed_ = true;
  LogThrottle logThrottle_{kWorkerLogLinesPerWindow, kWorkerLogWindowMs};
  char readBuffer_[65536];
};

}  // namespace msp
