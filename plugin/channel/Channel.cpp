#include "channel/Channel.h"

#include <memory>
#include <vector>

#include "base/Log.h"
#include "base/LoopThread.h"

namespace msp {
namespace {

struct WriteRequest {
  uv_write_t request;
  std::string frame;
};

int openPipe(uv_loop_t* loop, UvHandle<uv_pipe_t>& pipe, Fd& fd, void* owner) {
  int rc = pipe.init([loop](uv_pipe_t* h) { return uv_pipe_init(loop, h, 0); }, owner);
  if (rc != 0) return rc;
  rc = uv_pipe_open(pipe.get(), fd.get());
  if (rc == 0) fd.release();  // libuv owns it now and closes it with the handle
  return rc;
}

}  // namespace

Channel::Channel(uv_loop_t* loop, uint32_t requestTimeoutMs, std::string logPrefix)
    : loop_(loop), requestTimeoutMs_(requestTimeoutMs), logPrefix_(std::move(logPrefix)) {}

// Deferred failures still queued are dropped with their handlers: their owners are being destroyed too.
Channel::~Channel() { close(); }

bool Channel::open(WorkerSpawn& spawn, std::function<void(const std::string&)> onClosed, std::string& error) {
  int rc = 0;
  if ((rc = openPipe(loop_, toWorker_, spawn.channelToWorker, this)) ||
      (rc = openPipe(loop_, fromWorker_, spawn.channelFromWorker, this)) ||
      (rc = openPipe(loop_, payloadToWorker_, spawn.payloadToWorker, this)) ||
      (rc = openPipe(loop_, payloadFromWorker_, spawn.payloadFromWorker, this)) ||
      (rc = timeoutTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this))) {
    error = std::string("channel: ") + uv_strerror(rc);
    return false;
  }
  auto alloc = [](uv_handle_t* h, size_t, uv_buf_t* buf) {
    Channel* self = ownerOf<Channel>(h);
    *buf = uv_buf_init(self->readBuffer_, sizeof self->readBuffer_);
  };
  uv_read_start(reinterpret_cast<uv_stream_t*>(fromWorker_.get()), alloc,
                [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) { ownerOf<Channel>(s)->onRead(n, buf); });
  // The payload channel is unused for WebRTC rooms, but must be drained so the worker never blocks on it.
  uv_read_start(reinterpret_cast<uv_stream_t*>(payloadFromWorker_.get()), alloc,
                [](uv_stream_t* s, ssize_t n, const uv_buf_t*) { ownerOf<Channel>(s)->onPayloadRead(n); });
  onClosed_ = std::move(onClosed);
  closed_ = false;
  lastAnswerMs_ = uv_now(loop_);
  return true;
}

void Channel::failLater(ResponseHandler handler, Failure failure) {
  if (!handler) return;
  if (!deferTimer_) {
    if (deferTimer_.init([this](uv_timer_t* h) { return uv_timer_init(loop_, h); }, this) != 0) {
      MSP_ERROR("%s: cannot defer a failure (timer init failed)", logPrefix_.c_str());
      return;  // the handler is dropped: its Reply answers "dropped"
    }
  }
  deferred_.emplace_back(std::move(handler), std::move(failure));
  uv_timer_start(deferTimer_.get(), [](uv_timer_t* t) { ownerOf<Channel>(t)->runDeferred(); }, 0, 0);
}

void Channel::runDeferred() {
  auto batch = std::move(deferred_);
  deferred_.clear();
  for (auto& [handler, failure] : batch) handler(ChannelResult::failed(std::move(failure)));
}

void Channel::request(const std::string& method, const std::string& handlerId, const Json& data,
                      ResponseHandler handler) {
  MSP_ASSERT_LOOP_THREAD(loop_);
  if (closed_) {
    failLater(std::move(handler), Failure::workerGone("the worker is closed"));
    return;
  }
  uint32_t id = requests_.add(std::move(handler), uv_now(loop_) + requestTimeoutMs_);
  auto write = std::make_unique<WriteRequest>();
  write->frame = encodeRequest(id, method, handlerId, data);
  if (write->frame.empty()) {
    failLater(requests_.take(id), Failure::rejected("request too large"));
    return;
  }
  write->request.data = write.get();
  uv_buf_t buf = uv_buf_init(write->frame.data(), static_cast<unsigned>(write->frame.size()));
  int rc = uv_write(&write->request, reinterpret_cast<uv_stream_t*>(toWorker_.get()), &buf, 1,
                    [](uv_write_t* req, int) { std::unique_ptr<WriteRequest> done(static_cast<WriteRequest*>(req->data)); });
  if (rc != 0) {
    failLater(requests_.take(id), Failure::writeFailed(std::string("write failed: ") + uv_strerror(rc)));
    return;
  }
  write.release();  // freed by the write callback
  armTimeoutTimer();
}

void Channel::armTimeoutTimer() {
  if (!timeoutTimer_ || uv_is_active(reinterpret_cast<uv_handle_t*>(timeoutTimer_.get()))) return;
  uv_timer_start(timeoutTimer_.get(), [](uv_timer_t* t) {
    Channel* self = ownerOf<Channel>(t);
    self->requests_.expire(uv_now(self->loop_));
    if (self->requests_.size() == 0) uv_timer_stop(t);
  }, 50, 50);
}

void Channel::subscribe(const std::string& targetId, NotificationHandler handler) {
  subscribers_[targetId] = std::move(handler);
}

void Channel::unsubscribe(const std::string& targetId) { subscribers_.erase(targetId); }

void Channel::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    fail(nread == UV_EOF ? "channel closed by the worker" : std::string("channel read: ") + uv_strerror(static_cast<int>(nread)));
    return;
  }
  std::vector<std::string> frames;
  bool ok = decoder_.feed(buf->base, static_cast<size_t>(nread), frames);
  for (const std::string& frame : frames) {
    if (closed_) return;
    dispatch(frame);
  }
  if (!ok) fail("oversized frame from the worker");
}

void Channel::onPayloadRead(ssize_t nread) {
  if (nread < 0) fail(nread == UV_EOF ? "payload channel closed by the worker" : "payload channel read error");
}

void Channel::dispatch(const std::string& payload) {
  WorkerMessage message = parseWorkerMessage(payload);
  switch (message.kind) {
    case WorkerMessage::Kind::Response: {
      lastAnswerMs_ = uv_now(loop_);
      ChannelResult result = message.accepted ? ChannelResult::success(message.data)
                                              : ChannelResult::failed(Failure::rejected(message.reason.empty() ? message.error : message.reason));
      if (!requests_.resolve(message.id, std::move(result))) {
        MSP_DEBUG("%s: reply to unknown or expired request %u", logPrefix_.c_str(), message.id);
      }
      break;
    }
    case WorkerMessage::Kind::Notification: {
      auto it = subscribers_.find(message.targetId);
      if (it != subscribers_.end()) {
        NotificationHandler handler = it->second;  // a handler may unsubscribe itself
        handler(message);
      }
      break;
    }
    case WorkerMessage::Kind::Log: {
      LogLevel level = workerLogLevel(message.logLevel, message.text);
      uint64_t now = uv_now(loop_);
      if (uint64_t dropped = logThrottle_.takeSuppressed(now)) {
        MSP_WARN("%s: %llu more error and warning lines of the worker were not logged (over %u per %llu s)", logPrefix_.c_str(),
                 static_cast<unsigned long long>(dropped), kWorkerLogLinesPerWindow,
                 static_cast<unsigned long long>(kWorkerLogWindowMs / 1000));
      }
      if ((level == LogLevel::Error || level == LogLevel::Warn) && !logThrottle_.admit(now)) break;
      logf(level, "%s: %s", logPrefix_.c_str(), message.text.c_str());
      break;
    }
    case WorkerMessage::Kind::Invalid:
      MSP_WARN("%s: unparsable message from the worker (%zu bytes)", logPrefix_.c_str(), payload.size());
      break;
  }
}

void Channel::fail(const std::string& reason) {
  if (closed_) return;
  auto onClosed = std::move(onClosed_);
  close(reason);
  if (onClosed) onClosed(reason);
}

void Channel::close(const std::string& reason) {
  bool wasOpen = !closed_;
  closed_ = true;
  toWorker_.close();
  fromWorker_.close();
  payloadToWorker_.close();
  payloadFromWorker_.close();
  timeoutTimer_.close();
  onClosed_ = nullptr;
  if (wasOpen) requests_.failAll(Failure::workerGone(reason));
  subscribers_.clear();
}

}  // namespace msp
