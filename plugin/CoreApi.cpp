// The C entry points: the only door from shim/ into the core. Nothing thrown crosses it.
#include <cstring>
#include <memory>
#include <mutex>

#include "Core.h"
#include "Log.h"
#include "core_api.h"

namespace {

std::unique_ptr<msp::Core> core;
void (*hostLog)(int, const char*) = nullptr;

void forwardLog(msp::LogLevel level, const char* message) { hostLog(static_cast<int>(level), message); }

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
      msp::setLogSink(forwardLog);
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
    core = std::make_unique<msp::Core>(std::get<msp::Settings>(std::move(loaded)),
                                       [push](void* handle, json_t* event) { if (push) push(handle, event); });
    std::string error;
    if (!core->start(error)) {
      MSP_ERROR("%s", error.c_str());
      core.reset();
      return -1;
    }
    return 0;
  }, failed);
}

void msp_destroy(void) {
  guarded("destroy", [] {
    core.reset();
    return 0;
  }, succeeded);
}

void msp_create_session(void* handle, int* error) {
  *error = guarded("create_session", [&] {
    if (!core) return -1;
    core->createSession(handle);
    return 0;
  }, failed);
}

json_t* msp_handle_message(void* handle, json_t* body, int has_jsep) {
  return guarded("handle_message", [&]() -> json_t* {
    if (!core) return msp::errorAnswer(msp::kWorkerUnavailable, "the plugin is not running").release();
    return core->handleMessage(handle, body, has_jsep != 0).release();
  }, internalError);
}

json_t* msp_handle_admin_message(json_t* request) {
  return guarded("handle_admin_message", [&]() -> json_t* {
    if (!core) return msp::errorAnswer(msp::kWorkerUnavailable, "the plugin is not running").release();
    return core->handleAdmin(request).release();
  }, internalError);
}

void msp_destroy_session(void* handle, int* error) {
  *error = guarded("destroy_session", [&] {
    if (core) core->destroySession(handle);
    return 0;
  }, failed);
}

json_t* msp_query_session(void* handle) {
  return guarded("query_session", [&]() -> json_t* { return core ? core->querySession(handle).release() : nullptr; },
                 nothing);
}

}  // extern "C"
