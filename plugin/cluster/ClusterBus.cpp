#include "cluster/ClusterBus.h"

#include "base/Ids.h"
#include "base/Log.h"

namespace msp {

ClusterBus::ClusterBus(uv_loop_t* loop, HostRegistry& registry) : loop_(loop), registry_(registry) {
  expiryTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  uv_timer_start(expiryTimer_.get(), [](uv_timer_t* t) { static_cast<ClusterBus*>(t->data)->expire(); }, 100, 100);
  registry_.subscribe(inbox(registry_.hostId()), [this](const std::string&, const std::string& text) { received(text); });
}

ClusterBus::~ClusterBus() = default;

void ClusterBus::publish(const std::string& host, const BusMessage& message) {
  registry_.redis().command({"PUBLISH", inbox(host), encodeBusMessage(message)}, [](const RedisReply*, const Failure&) {});
}

BusMessage ClusterBus::outgoing(BusMessage::Kind kind, const std::string& type, const std::string& room, Json body) const {
  BusMessage message;
  message.kind = kind;
  message.type = type;
  message.from = registry_.hostId();
  message.fromEpoch = registry_.epoch();
  message.room = room;
  message.body = body ? std::move(body) : Json::object();
  return message;
}

void ClusterBus::request(const std::string& host, const std::string& type, const std::string& room, Json body, Done done,
                         uint64_t timeoutMs) {
  BusMessage message = outgoing(BusMessage::Kind::Request, type, room, std::move(body));
  message.id = std::to_string(registry_.epoch()) + "-" + std::to_string(++nextId_) + "-" + newUuid().substr(0, 8);
  if (!registry_.redis().connected()) {
    return registry_.redis().later([done = std::move(done)] { done(Json(), Failure::workerGone("Redis is not reachable")); });
  }
  pending_[message.id] = Pending{uv_now(loop_) + timeoutMs, std::move(done)};
  publish(host, message);
}

void ClusterBus::notify(const std::string& host, const std::string& type, const std::string& room, Json body) {
  publish(host, outgoing(BusMessage::Kind::Notice, type, room, std::move(body)));
}

void ClusterBus::expire() {
  uint64_t now = uv_now(loop_);
  std::vector<Done> late;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadlineMs > now) {
      ++it;
      continue;
    }
    late.push_back(std::move(it->second.done));
    it = pending_.erase(it);
  }
  for (auto& done : late) done(Json(), Failure::timedOut());
}

void ClusterBus::received(const std::string& text) {
  auto decoded = decodeBusMessage(text);
  if (!decoded) {
    MSP_WARN("cluster: a message this host cannot read was dropped (%zu bytes)", text.size());
    return;
  }
  BusMessage& message = *decoded;
  // Fenced at the message too: a host this one saw lost may still speak with its old epoch for a moment after
  // it wakes up, before it finds itself fenced; what it says then (snapshots, pipes) is not to be acted on.
  if (registry_.isFenced(message.from, message.fromEpoch)) {
    MSP_VERB("cluster: a %s from host %s's fenced epoch %llu was dropped", message.type.c_str(), message.from.c_str(),
             static_cast<unsigned long long>(message.fromEpoch));
    return;
  }
  switch (message.kind) {
    case BusMessage::Kind::Reply: {
      auto it = pending_.find(message.id);
      if (it == pending_.end()) return;  // too late, or not ours
      Done done = std::move(it->second.done);
      pending_.erase(it);
      if (!message.error.empty()) return done(message.body, Failure::rejected(message.error));
      return done(message.body, Failure{});
    }
    case BusMessage::Kind::Notice: {
      auto handler = noticeHandlers_.find(message.type);
      if (handler != noticeHandlers_.end()) handler->second(message);
      return;
    }
    case BusMessage::Kind::Request: {
      BusMessage cached;
      switch (dedup_.check(message.from, message.id, uv_now(loop_), &cached)) {
        case RequestDedup::Seen::InProgress: return;
        case RequestDedup::Seen::Answered: return publish(message.from, cached);
        case RequestDedup::Seen::New: break;
      }
      std::weak_ptr<char> alive = alive_;
      std::string from = message.from, id = message.id, type = message.type, room = message.room;
      Respond respond = [this, alive, from, id, type, room](Json body, const std::string& error) {
        if (alive.expired()) return;
        BusMessage reply = outgoing(BusMessage::Kind::Reply, type, room, std::move(body));
        reply.id = id;
        reply.error = error;
        dedup_.answered(from, id, reply);
        publish(from, reply);
      };
      auto handler = requestHandlers_.find(message.type);
      if (handler == requestHandlers_.end()) return respond(Json(), "unknown request '" + message.type + "'");
      handler->second(message, std::move(respond));
      return;
    }
  }
}

}  // namespace msp
