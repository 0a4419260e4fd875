#include "cluster/RedisClient.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <hiredis/adapters/libuv.h>

#include "base/Log.h"

namespace msp {
namespace {

// What hiredis holds for a command until it replies (or drops the connection): which of this client's
// waiting commands it answers (gone from there once it timed out).
struct Pending {
  std::weak_ptr<char> alive;
  RedisClient* client;
  uint64_t id;
};

}  // namespace

RedisReply RedisReply::from(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER: out.type = Type::Integer; out.integer = reply.integer; break;
    case REDIS_REPLY_STRING: out.type = Type::String; out.text.assign(reply.str, reply.len); break;
    case REDIS_REPLY_STATUS: out.type = Type::Status; out.text.assign(reply.str, reply.len); break;
    case REDIS_REPLY_ERROR: out.type = Type::Error; out.text.assign(reply.str, reply.len); break;
    case REDIS_REPLY_ARRAY:
      out.type = Type::Array;
      for (size_t i = 0; i < reply.elements; ++i) out.elements.push_back(from(*reply.element[i]));
      break;
    default: out.type = Type::Nil; break;
  }
  return out;
}

RedisClient::RedisClient(uv_loop_t* loop, std::string host, uint32_t port, std::string name, std::string user, std::string password)
    : loop_(loop), host_(std::move(host)), port_(port), name_(std::move(name)), user_(std::move(user)), password_(std::move(password)),
      deferred_(loop) {
  retryTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  connectTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
  deadlineTimer_.init([loop](uv_timer_t* h) { return uv_timer_init(loop, h); }, this);
}

RedisClient::~RedisClient() { stop(); }

void RedisClient::start() {
  if (!stopped_) return;
  stopped_ = false;
  connect();
}

void RedisClient::stop() {
  stopped_ = true;
  alive_ = std::make_shared<char>();  // pending callbacks of this connection are not called any more
  uv_timer_stop(retryTimer_.get());
  uv_timer_stop(connectTimer_.get());
  uv_timer_stop(deadlineTimer_.get());
  deferred_.clear();
  waiting_.clear();
  deadlines_.clear();
  connected_ = false;
  if (redisAsyncContext* context = context_) {
    context_ = nullptr;
    context->data = nullptr;
    redisAsyncFree(context);
  }
}

void RedisClient::reconnect() {
  if (stopped_ || !context_) return;
  lost("dropped: it stopped answering");
}

void RedisClient::connect() {
  redisAsyncContext* context = redisAsyncConnect(host_.c_str(), static_cast<int>(port_));
  if (!context || context->err) {
    MSP_WARN("redis %s: cannot connect to %s:%u: %s", name_.c_str(), host_.c_str(), port_, context ? context->errstr : "out of memory");
    if (context) redisAsyncFree(context);
    return scheduleReconnect();
  }
  if (redisLibuvAttach(context, loop_) != REDIS_OK) {
    redisAsyncFree(context);
    return scheduleReconnect();
  }
  context->data = this;
  redisAsyncSetConnectCallback(context, &RedisClient::connected);
  redisAsyncSetDisconnectCallback(context, &RedisClient::disconnected);
  context_ = context;
  uv_timer_start(connectTimer_.get(), [](uv_timer_t* timer) {
    auto* self = static_cast<RedisClient*>(timer->data);
    if (!self->connected_ && self->context_) self->lost("no connection within the connect timeout");
  }, kRedisConnectTimeoutMs, 0);
}

void RedisClient::connected(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (!self) return;
  uv_timer_stop(self->connectTimer_.get());
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    self->context_ = nullptr;
    MSP_VERB("redis %s: connecting to %s:%u failed: %s", self->name_.c_str(), self->host_.c_str(), self->port_, context->errstr);
    return self->scheduleReconnect();
  }
  self->connected_ = true;
  self->backoff_.reset();
  MSP_INFO("redis %s: connected to %s:%u", self->name_.c_str(), self->host_.c_str(), self->port_);
  if (auto auth = self->authCommand(); !auth.empty()) {
    // First on the connection, so Redis runs it before anything queued after it; refused, the connection goes.
    RedisArgv words(auth);
    redisAsyncCommandArgv(self->context_, &RedisClient::authenticated, nullptr, words.count(), words.argv.data(), words.lengths.data());
  }
  for (const auto& [channel, handler] : self->subscriptions_) self->sendSubscribe(channel);
  if (self->onUp) self->onUp();
}

void RedisClient::disconnected(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (!self) return;
  // hiredis frees the context after this callback.
  self->context_ = nullptr;
  bool was = self->connected_;
  self->connected_ = false;
  if (self->stopped_) return;
  MSP_WARN("redis %s: connection lost (%s)", self->name_.c_str(), status == REDIS_OK ? "closed" : context->errstr);
  self->scheduleReconnect();
  if (was && self->onDown) self->onDown();
}

// Ours: the context is freed here (its pending callbacks fail), then we connect again later.
void RedisClient::lost(const std::string& why) {
  MSP_WARN("redis %s: %s", name_.c_str(), why.c_str());
  bool was = connected_;
  connected_ = false;
  uv_timer_stop(connectTimer_.get());
  if (redisAsyncContext* context = context_) {
    context_ = nullptr;
    context->data = nullptr;
    redisAsyncFree(context);
  }
  scheduleReconnect();
  if (was && onDown) onDown();
}

void RedisClient::scheduleReconnect() {
  if (stopped_) return;
  uv_timer_start(retryTimer_.get(), [](uv_timer_t* timer) {
    auto* self = static_cast<RedisClient*>(timer->data);
    if (!self->stopped_ && !self->context_) self->connect();
  }, backoff_.next(), 0);
}

std::vector<std::string> RedisClient::authCommand() const {
  if (password_.empty()) return {};
  if (user_.empty()) return {"AUTH", password_};
  return {"AUTH", user_, password_};
}

void RedisClient::later(std::function<void()> task) { deferred_.post(std::move(task)); }

void RedisClient::command(const std::vector<std::string>& args, Callback done) {
  if (!connected_ || !context_) {
    return later([done = std::move(done), name = name_] { done(nullptr, Failure::workerGone("Redis (" + name + ") is not connected")); });
  }
  RedisArgv words(args);
  uint64_t id = ++lastCommandId_;
  auto pending = std::make_unique<Pending>(Pending{alive_, this, id});
  if (redisAsyncCommandArgv(context_, &RedisClient::replied, pending.get(), words.count(), words.argv.data(), words.lengths.data()) != REDIS_OK) {
    return later([done = std::move(done)] { done(nullptr, Failure::writeFailed("Redis refused the command")); });
  }
  pending.release();  // hiredis calls replied() exactly once with it
  waiting_.emplace(id, std::move(done));
  deadlines_.emplace_back(uv_now(loop_) + kRedisCommandTimeoutMs, id);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(deadlineTimer_.get()))) {
    uv_timer_start(deadlineTimer_.get(), [](uv_timer_t* timer) { static_cast<RedisClient*>(timer->data)->expireCommands(); },
                   kRedisCommandTimeoutMs / 4, kRedisCommandTimeoutMs / 4);
  }
}

// A Redis that accepts and never answers (frozen, or behind a partition with the connection up) would hold
// its callers for as long as TCP keeps the connection: each command fails at its deadline instead, and a reply
// that comes after it is dropped. The connection itself is the ping's to judge (HostRegistry).
void RedisClient::expireCommands() {
  uint64_t now = uv_now(loop_);
  std::vector<Callback> expired;
  while (!deadlines_.empty() && deadlines_.front().first <= now) {
    auto it = waiting_.find(deadlines_.front().second);
    deadlines_.pop_front();
    if (it == waiting_.end()) continue;  // answered
    expired.push_back(std::move(it->second));
    waiting_.erase(it);
  }
  if (waiting_.empty()) {
    deadlines_.clear();
    uv_timer_stop(deadlineTimer_.get());
  }
  std::weak_ptr<char> alive = alive_;
  for (auto& done : expired) {
    if (alive.expired()) return;  // a callback stopped the client
    done(nullptr, Failure::timedOut());
  }
}

void RedisClient::replied(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  if (pending->alive.expired()) return;
  RedisClient* self = pending->client;
  auto it = self->waiting_.find(pending->id);
  if (it == self->waiting_.end()) return;  // past its deadline: its caller was told
  Callback done = std::move(it->second);
  self->waiting_.erase(it);
  if (!reply) return done(nullptr, Failure::workerGone("the Redis connection dropped"));
  RedisReply copy = RedisReply::from(*static_cast<redisReply*>(reply));
  done(&copy, Failure{});
}

void RedisClient::authenticated(redisAsyncContext* context, void* reply, void*) {
  auto* self = static_cast<RedisClient*>(context->data);
  auto* r = static_cast<redisReply*>(reply);
  if (!self || !r || r->type != REDIS_REPLY_ERROR) return;
  // Later: hiredis is inside this context's read callback, where the context must not be freed.
  std::string why = "Redis refused the credentials of cluster_redis: " + std::string(r->str, r->len);
  self->later([self, why, alive = std::weak_ptr<char>(self->alive_)] {
    if (!alive.expired() && self->context_) self->lost(why);
  });
}

void RedisClient::subscribe(const std::string& channel, MessageHandler handler) {
  subscriptions_[channel] = std::move(handler);
  if (connected_) sendSubscribe(channel);
}

void RedisClient::sendSubscribe(const std::string& channel) {
  const char* argv[] = {"SUBSCRIBE", channel.c_str()};
  size_t lengths[] = {9, channel.size()};
  // Called for the subscription's confirmation and every message after it, with this client as privdata.
  redisAsyncCommandArgv(context_, &RedisClient::published, nullptr, 2, argv, lengths);
}

void RedisClient::published(redisAsyncContext* context, void* reply, void*) {
  auto* self = static_cast<RedisClient*>(context->data);
  auto* r = static_cast<redisReply*>(reply);
  if (!self || !r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
  if (r->element[0]->type != REDIS_REPLY_STRING || std::string(r->element[0]->str, r->element[0]->len) != "message") return;
  std::string channel(r->element[1]->str, r->element[1]->len);
  std::string message(r->element[2]->str, r->element[2]->len);
  auto it = self->subscriptions_.find(channel);
  if (it != self->subscriptions_.end()) it->second(channel, message);
}

}  // namespace msp
