// One connection to Redis on the core's loop (hiredis's async API with its libuv adapter): commands with
// typed replies, channel subscriptions, and reconnection with backoff. A connection that does not come up
// within kRedisConnectTimeoutMs is dropped and tried again (hiredis's own connect has no timeout). Loop
// thread only; callbacks never run inside the call that registers them.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/Failure.h"
#include "base/LaterQueue.h"
#include "base/UvHandle.h"
#include "cluster/Backoff.h"

struct redisAsyncContext;
struct redisReply;

namespace msp {

constexpr uint64_t kRedisConnectTimeoutMs = 2000;
// A command Redis has not answered within this fails (Failure::timedOut), its late reply dropped.
constexpr uint64_t kRedisCommandTimeoutMs = 2000;

// A Redis reply, copied out of hiredis's.
struct RedisReply {
  enum class Type { Nil, Integer, String, Array, Status, Error };
  Type type = Type::Nil;
  long long integer = 0;
  std::string text;  // String, Status, Error
  std::vector<RedisReply> elements;
  static RedisReply from(const redisReply& reply);
  bool isError() const { return type == Type::Error; }
};

// A command's words as hiredis takes them: pointers into args, which must outlive it.
struct RedisArgv {
  explicit RedisArgv(const std::vector<std::string>& args) {
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
  }
  int count() const { return static_cast<int>(argv.size()); }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
};

class RedisClient {
 public:
  // reply is set when Redis answered (possibly with an error reply); failure when it could not (not
  // connected, the connection dropped).
  using Callback = std::function<void(const RedisReply* reply, const Failure& failure)>;
  using MessageHandler = std::function<void(const std::string& channel, const std::string& message)>;

  // user/password: AUTH right after every connect (empty password: none).
  RedisClient(uv_loop_t* loop, std::string host, uint32_t port, std::string name, std::string user = "", std::string password = "");
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void start();
  // Closes the connection; nothing is called back after this.
  void stop();
  bool connected() const { return connected_; }
  // The AUTH command every connection to this Redis starts with (empty: none), for a connection of one's own.
  std::vector<std::string> authCommand() const;
  // Drops the connection and connects again (a connection that stopped answering).
  void reconnect();

  void command(const std::vector<std::string>& args, Callback done);
  // A subscriber connection: messages of that channel go to handler, from now on and again after every
  // reconnection. Only channels (no commands) on a connection that subscribes.
  void subscribe(const std::string& channel, MessageHandler handler);

  // Runs task on a later loop turn (for answers known at once: never inside the call that asked).
  void later(std::function<void()> task);

  // Run on the loop when the connection comes up (after its subscriptions are sent) and when it drops.
  std::function<void()> onUp;
  std::function<void()> onDown;

 private:
  static void connected(const redisAsyncContext* context, int status);
  static void disconnected(const redisAsyncContext* context, int status);
  static void replied(redisAsyncContext* context, void* reply, void* privdata);
  static void published(redisAsyncContext* context, void* reply, void* privdata);
  static void authenticated(redisAsyncContext* context, void* reply, void* privdata);
  void connect();
  void lost(const std::string& why);
  void scheduleReconnect();
  void sendSubscribe(const std::string& channel);
  void expireCommands();

  uv_loop_t* loop_;
  std::string host_;
  uint32_t port_;
  std::string name_;
  std::string user_, password_;
  redisAsyncContext* context_ = nullptr;
  bool connected_ = false;
  bool stopped_ = true;
  Backoff backoff_{100, 5000};
  UvHandle<uv_timer_t> retryTimer_;
  UvHandle<uv_timer_t> connectTimer_;
  LaterQueue deferred_;
  UvHandle<uv_timer_t> deadlineTimer_;
  uint64_t lastCommandId_ = 0;
  std::map<uint64_t, Callback> waiting_;                 // commands sent, not answered yet, by id
  std::deque<std::pair<uint64_t, uint64_t>> deadlines_;  // (deadline, id), in the order they were sent
  std::map<std::string, MessageHandler> subscriptions_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace msp
