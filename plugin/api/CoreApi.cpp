// The C entry points: the only door from shim/ into the core. Nothing thrown crosses it, and nothing enters a
// core that is being torn down: every call holds an in-flight count that msp_destroy waits out (Janus's own
// plugins guard their entry points with initialized/stopping flags the same way).
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "api/Core.h"
#include "base/Log.h"
#include "api/core_api.h"

namespace {

std::unique_ptr<msp::Core> core;
std::atomic<bool> running{false};
std::atomic<int> inFlight{0};
void (*hostLog)(int, const char*) = nullptr;

void forwardLog(msp::LogLevel level, const char* message) { hostLog(static_cast<int>(level), message); }
int (*hostLogEnabled)(int level) = nullptr;
bool hostKeeps(msp::LogLevel level) { return hostLogEnabled(static_cast<int>(level)) != 0; }

// Runs body; if it throws, logs and returns fallback() (built only then).
template <typename F, typename G>
auto guarded(const char* what, F&& body, G&& fallback) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    MSP_ERROR("%s: %s", what, e.what());
  } catch (...) {
    MSP_ERROR("%s: unknown exception", what);
  }
  return fallback();
}

// Holds the core for one entry point call; empty when the plugin is not running.
class CoreCall {
 public:
  CoreCall() {
    inFlight.fetch_add(1);
    if (running.load()) core_ = core.get();
  }
  ~CoreCall() { inFlight.fetch_sub(1); }
  CoreCall(const CoreCall&) = delete;
  CoreCall& operator=(const CoreCall&) = delete;
  msp::Core* operator->() const { return core_; }
  explicit operator bool() const { return core_ != nullptr; }

 private:
  msp::Core* core_ = nullptr;
};

json_t* notRunning() { return msp::errorAnswer(msp::kWorkerUnavailable, "the plugin is not running").release(); }
json_t* internalError() { return msp::errorAnswer(msp::kWorkerUnavailable, "internal error").release(); }
int failed() { return -1; }
int succeeded() { return 0; }
json_t* nothing() { return nullptr; }

}  // namespace

extern "C" {

int msp_init(const msp_host* host, const char* default_worker_bin) {
  return guarded("init", [&]() -> int {
    if (host && host->log) {
      hostLog = host->log;
      hostLogEnabled = host->log_enabled;
      msp::setLogSink(forwardLog, hostLogEnabled ? hostKeeps : nullptr);
    }
    auto configLookup = [host](const std::string& name) -> std::optional<std::string> {
      char buffer[4096];
      if (!host || !host->config_get || !host->config_get(host->config, name.c_str(), buffer, sizeof buffer)) {
        return std::nullopt;
      }
      return std::string(buffer);
    };
    auto loaded = msp::loadSettings(configLookup, msp::processEnv(), default_worker_bin ? default_worker_bin : "");
    if (auto* error = std::get_if<msp::SettingsError>(&loaded)) {
      MSP_ERROR("%s", error->message.c_str());
      return -1;
    }
    auto push = host ? host->push_event : nullptr;
    auto release = host ? host->release_handle : nullptr;
    auto enabled = host ? host->events_enabled : nullptr;
    auto notify = host ? host->notify_event : nullptr;
    core = std::make_unique<msp::Core>(std::get<msp::Settings>(std::move(loaded)),
                                       [push](void* handle, json_t* event) { if (push) push(handle, event); },
                                       [release](void* handle) { if (release) release(handle); },
                                       [enabled] { return enabled && enabled(); },
                                       [notify](msp::Json event) { if (notify) notify(event.release()); });
    std::string error;
    if (!core->start(error)) {
      MSP_ERROR("%s", error.c_str());
      core.reset();
      return -1;
    }
    running.store(true);
    return 0;
  }, failed);
}

void msp_destroy(void) {
  guarded("destroy", [] {
    running.store(false);
    if (!core) return 0;
    // Stopping answers every call waiting on the loop (448); then no thread is left inside the core.
    core->stop();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (inFlight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (inFlight.load() > 0) {
      MSP_ERROR("destroy: %d calls still inside the plugin; leaving the core allocated", inFlight.load());
      (void)core.release();  // freeing it under a running call would crash Janus; leaking it does not
      return 0;
    }
    core.reset();
    return 0;
  }, succeeded);
}

void msp_create_session(void* handle, int* error) {
  *error = guarded("create_session", [&] {
    CoreCall c;
    if (!c) return -1;
    c->createSession(handle);
    return 0;
  }, failed);
}

json_t* msp_handle_message(void* handle, json_t* body, int has_jsep) {
  return guarded("handle_message", [&]() -> json_t* {
    CoreCall c;
    if (!c) return notRunning();
    return c->handleMessage(handle, body, has_jsep != 0).release();
  }, internalError);
}

json_t* msp_handle_admin_message(json_t* request) {
  return guarded("handle_admin_message", [&]() -> json_t* {
    CoreCall c;
    if (!c) return notRunning();
    return c->handleAdmin(request).release();
  }, internalError);
}

void msp_destroy_session(void* handle, int* error) {
  *error = guarded("destroy_session", [&] {
    CoreCall c;
    if (c) c->destroySession(handle);
    return 0;
  }, failed);
}

json_t* msp_query_session(void* handle) {
  return guarded("query_session", [&]() -> json_t* {
    CoreCall c;
    return c ? c->querySession(handle).release() : nullptr;
  }, nothing);
}

}  // extern "C"
