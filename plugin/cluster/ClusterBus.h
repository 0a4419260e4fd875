// Requests and notices between the hosts of a cluster, over Redis pub/sub: each host listens on its inbox
// (msp:inbox:<hostId>) on the registry's subscriber connection and publishes on the command connection. A
// request has an id and a deadline: its callback runs once, with the reply or a failure (no reply in time,
// Redis down). Pub/sub delivers at most once, so callers that must not miss a change resynchronise; a
// request delivered twice is handled once (RequestDedup). Loop thread only; callbacks never run inside the call
// that registers them.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/Failure.h"
#include "base/UvHandle.h"
#include "cluster/BusMessage.h"
#include "cluster/HostBus.h"
#include "cluster/HostRegistry.h"

namespace msp {

class ClusterBus : public HostBus {
 public:
  ClusterBus(uv_loop_t* loop, HostRegistry& registry);
  ~ClusterBus() override;
  ClusterBus(const ClusterBus&) = delete;
  ClusterBus& operator=(const ClusterBus&) = delete;

  void onRequest(const std::string& type, RequestHandler handler) override { requestHandlers_[type] = std::move(handler); }
  void onNotice(const std::string& type, NoticeHandler handler) override { noticeHandlers_[type] = std::move(handler); }

  void request(const std::string& host, const std::string& type, const std::string& room, Json body, Done done,
               uint64_t timeoutMs = kBusRequestTimeoutMs) override;
  void notify(const std::string& host, const std::string& type, const std::string& room, Json body) override;

  const std::string& hostId() const override { return registry_.hostId(); }
  void later(std::function<void()> task) override { registry_.redis().later(std::move(task)); }
  // Registered: its subscriber connection is up (it registers only so), and its pings come back.
  uint64_t upSinceMs() const override { return registry_.registeredSinceMs(); }
  static std::string inbox(const std::string& hostId) { return "msp:inbox:" + hostId; }

 private:
  BusMessage outgoing(BusMessage::Kind kind, const std::string& type, const std::string& room, Json body) const;
  void received(const std::string& text);
  void publish(const std::string& host, const BusMessage& message);
  void expire();

  uv_loop_t* loop_;
  HostRegistry& registry_;
  std::map<std::string, RequestHandler> requestHandlers_;
  std::map<std::string, NoticeHandler> noticeHandlers_;
  struct Pending {
    uint64_t deadlineMs;
    Done done;
  };
  std::map<std::string, Pending> pending_;  // by request id
  uint64_t nextId_ = 0;
  RequestDedup dedup_;
  UvHandle<uv_timer_t> expiryTimer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
