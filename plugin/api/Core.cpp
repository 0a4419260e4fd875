#include "api/Core.h"

#include <condition_variable>
#include <future>
#include <optional>

#include "base/Log.h"
#include "ortc/MediaCodecs.h"
#include "ortc/Ortc.h"
#include "messages/Requests.h"
#include "api/Stats.h"

namespace msp {

Core::Core(Settings settings, PushEvent push, ReleaseHandle release, EventsEnabled eventsEnabled, NotifyEvent notify)
    : settings_(std::move(settings)), push_(std::move(push)), release_(std::move(release)),
      lifecycle_(std::move(eventsEnabled), std::move(notify)) {}

Core::~Core() { stop(); }

std::chrono::milliseconds Core::answerTimeout() const {
  // The channel times requests out itself; this only guards against an answer that never comes.
  return std::chrono::milliseconds(settings_.requestTimeoutMs * 2 + 1000);
}

bool Core::start(std::string& error) {
  Json routerRtpCapabilities;
  try {
    Json codecs = mediaCodecsFor(settings_.mediaCodecs);
    routerRtpCapabilities = ortc::generateRouterRtpCapabilities(codecs.get());
  } catch (const ortc::OrtcError& e) {
    error = std::string("invalid setting media_codecs: ") + e.what();
    return false;
  }
  if (!loop_.start()) {
    error = "could not start the event loop";
    return false;
  }
  started_ = true;
  whip_ = std::make_unique<WhipEndpoint>(
      settings_, [this](std::function<void(Reply)> work) { return runOnLoop(std::move(work), answerTimeout()); },
      [this](std::function<void()> task) { loop_.post(std::move(task)); }, [this]() -> RoomManager& { return *rooms_; },
      [this] { return newSessionId(); });
  auto ready = std::make_shared<std::promise<std::string>>();
  auto readyFuture = ready->get_future();
  loop_.post([this, ready, routerRtpCapabilities] {
    pool_ = std::make_unique<WorkerPool>(loop_.loop(), settings_);
    rooms_ = std::make_unique<RoomManager>(*pool_, settings_, routerRtpCapabilities, [this](uint64_t sessionId, Json event) {
      if (!whip_->onEvent(sessionId, event)) pushEvent(sessionId, event);
    });
    lifecycle_.watch(*rooms_, *pool_);
    if (settings_.clustered()) {
      hosts_ = std::make_unique<HostRegistry>(loop_.loop(), settings_, [this] { return sampleHost(*pool_, *rooms_); });
      lifecycle_.watch(*hosts_);
      claims_ = std::make_unique<RoomClaims>(loop_.loop(), *hosts_, [this] { return rooms_->homeRoomIds(); });
      rooms_->setDirectory(claims_.get());
      claims_->onHeldElsewhere = [this](const std::string& roomId, const std::string& home) { rooms_->heldElsewhere(roomId, home); };
      bus_ = std::make_unique<ClusterBus>(loop_.loop(), *hosts_);
      std::string codecs;
      for (const auto& codec : settings_.mediaCodecs) codecs += (codecs.empty() ? "" : ",") + codec;
      rooms_->enableSpanning(*bus_, settings_.clusterPipeIp, codecs);
      hosts_->onIsolated = [this] { rooms_->isolated(); };
      rooms_->setHostTakingPeers([this] { return hostTakingPeers(hosts_->hosts(), hosts_->hostId()); });
      hosts_->onHostLost = [this, reportLost = hosts_->onHostLost](const std::string& hostId) {
        if (reportLost) reportLost(hostId);
        rooms_->hostLost(hostId);
      };
    }
    pool_->start([this, ready](bool ok, const std::string& why) {
      // Registered once the workers run: the others may send it peers from then on.
      if (ok && hosts_) hosts_->start();
      ready->set_value(ok ? "" : why);
    });
  });
  if (readyFuture.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    error = "the workers did not start in time";
    stop();
    return false;
  }
  error = readyFuture.get();
  if (!error.empty()) {
    stop();
    return false;
  }
  auto whipRequests = [this](const HttpRequest& request) { return whip_->handle(request); };
  if (settings_.statsPort != 0) {
    http_ = std::make_unique<HttpServer>([this](const std::string& path) { return httpDocument(path); }, settings_.webRoot,
                                         settings_.whipPort == 0 ? HttpServer::RequestHandler(whipRequests) : nullptr);
    if (!http_->start(settings_.statsIp, settings_.statsPort, error)) {
      stop();
      return false;
    }
  }
  if (settings_.whipPort != 0) {
    whipHttp_ = std::make_unique<HttpServer>(nullptr, "", whipRequests);
    if (!whipHttp_->start(settings_.whipIp.empty() ? settings_.statsIp : settings_.whipIp, settings_.whipPort, error)) {
      stop();
      return false;
    }
  }
  MSP_INFO("%u workers running; stats on http://%s:%u/stats", settings_.workerCount, settings_.statsIp.c_str(),
           settings_.statsPort);
  return true;
}

void Core::stop() {
  if (!started_) return;
  started_ = false;
  if (http_) http_->stop();
  if (whipHttp_) whipHttp_->stop();
  auto done = std::make_shared<std::promise<void>>();
  auto doneFuture = done->get_future();
  bool posted = loop_.post([this, done] {
    if (hosts_) hosts_->stop();  // first: the others stop sending it peers, and see it leave at once
    if (rooms_) rooms_->closeAll();
    if (!pool_) {
      done->set_value();
      return;
    }
    pool_->shutdown([done] { done->set_value(); });
  });
  if (posted && doneFuture.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    MSP_WARN("workers did not all exit in time; killing them");
  }
  // Objects that own loop handles are destroyed on the loop (~ChildProcess kills and reaps any straggler).
  loop_.stop([this] {
    rooms_.reset();  // first: its spanning parts use the bus and the directory
    bus_.reset();
    claims_.reset();
    hosts_.reset();
    pool_.reset();
  });
  http_.reset();
  whipHttp_.reset();
  // Handles Janus never detached (it shuts down plugins first): their references go back now.
  std::lock_guard<std::mutex> lock(sessionsMutex_);
  sessions_.clear();
  sessionsById_.clear();
}

void Core::createSession(void* handle) {
  std::lock_guard<std::mutex> lock(sessionsMutex_);
  auto session = std::make_shared<Session>(nextSessionId_++, handle, release_);
  sessions_[handle] = session;
  sessionsById_[session->id] = session;
}

uint64_t Core::newSessionId() {
  std::lock_guard<std::mutex> lock(sessionsMutex_);
  return nextSessionId_++;
}

std::shared_ptr<Core::Session> Core::findSession(void* handle) {
  std::lock_guard<std::mutex> lock(sessionsMutex_);
  auto it = sessions_.find(handle);
  return it == sessions_.end() ? nullptr : it->second;
}

void Core::destroySession(void* handle) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(sessionsMutex_);
    auto it = sessions_.find(handle);
    if (it == sessions_.end()) return;
    session = it->second;
    sessions_.erase(it);
    sessionsById_.erase(session->id);
  }
  {
    std::lock_guard<std::mutex> lock(session->mutex);
    session->alive = false;  // before the post below: a message task that runs after it sees this
  }
  // Janus's handle thread must not wait on a worker: the leave happens on the loop.
  uint64_t id = session->id;
  loop_.post([this, id] {
    if (rooms_) rooms_->sessionGone(id);
  });
}

void Core::pushEvent(uint64_t sessionId, const Json& event) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard<std::mutex> lock(sessionsMutex_);
    auto it = sessionsById_.find(sessionId);
    if (it == sessionsById_.end()) return;
    session = it->second;
  }
  std::lock_guard<std::mutex> lock(session->mutex);
  if (session->alive && push_) push_(session->handle, event.get());
}

namespace {

// One request's answer, handed from the loop thread to the Janus thread waiting for it. A mutex and a
// condition variable rather than std::promise: set_value's call_once made a second futex syscall on the loop
// thread for every answer, one that woke nobody (seen with strace).
struct AnswerSlot {
  std::mutex mutex;
  std::condition_variable filled;
  std::optional<Json> answer;

  bool hasAnswer() {
    std::lock_guard<std::mutex> lock(mutex);
    return answer.has_value();
  }
  void fill(Json value) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (answer) return;  // the first answer counts
      answer = std::move(value);
    }
    filled.notify_one();
  }
};

// Held by every copy of a request's Reply: when the last copy goes unanswered (the loop stopped and dropped
// the task, or a path forgot to reply), the waiter hears so now instead of at its timeout.
struct Answerer {
  explicit Answerer(std::shared_ptr<AnswerSlot> slot) : slot(std::move(slot)) {}
  ~Answerer() {
    if (slot->hasAnswer()) return;
    try {
      slot->fill(errorAnswer(kWorkerUnavailable, "the plugin is shutting down"));
    } catch (...) {  // out of memory: the waiter's timeout answers instead
    }
  }
  Answerer(const Answerer&) = delete;
  Answerer& operator=(const Answerer&) = delete;
  std::shared_ptr<AnswerSlot> slot;
};

}  // namespace

Json Core::runOnLoop(std::function<void(Reply)> work, std::chrono::milliseconds timeout) {
  auto slot = std::make_shared<AnswerSlot>();
  Reply reply = [answerer = std::make_shared<Answerer>(slot)](Json answer) { answerer->slot->fill(std::move(answer)); };
  if (!loop_.post([work = std::move(work), reply = std::move(reply)] { work(reply); })) {
    return errorAnswer(kWorkerUnavailable, "the plugin is shutting down");
  }
  std::unique_lock<std::mutex> lock(slot->mutex);
  if (!slot->filled.wait_for(lock, timeout, [&] { return slot->answer.has_value(); })) {
    return errorAnswer(kWorkerUnavailable, "the worker did not answer in time");
  }
  return std::move(*slot->answer);
}

Json Core::handleMessage(void* handle, json_t* body, bool hasJsep) {
  std::shared_ptr<Session> session = findSession(handle);
  if (!session) return errorAnswer(kJoinState, "no such session");
  if (hasJsep) return errorAnswer(kInvalidElement, "invalid element (jsep: Janus would rewrite it; send the SDP in the body: publishSdp, sdpAnswer)");
  auto parsed = parseRequest(body);
  if (auto* error = std::get_if<ApiError>(&parsed)) {
    requestCounters_.count("invalid", false);
    return errorAnswer(*error);
  }
  Request request = std::get<Request>(std::move(parsed));
  Json answer = runOnLoop([this, session, request](Reply reply) {
    // Detached while this waited for the loop: its sessionGone may already have run, so a join now would
    // leave a peer nobody removes.
    if (!session->alive) return reply(errorAnswer(kJoinState, "the handle was detached"));
    rooms_->handle(session->id, request, std::move(reply));
  }, answerTimeout());
  // A parsed request's name is one of api.md's: a bounded set of label values.
  requestCounters_.count(json_string_value(json_object_get(body, "request")), !json_object_get(answer.get(), "error_code"));
  return answer;
}

Json Core::handleAdmin(json_t* request) {
  if (!json_is_object(request)) return errorAnswer(kMissingElement, "missing mandatory element (request)");
  auto parsed = parseAdminRequest(request);
  if (auto* error = std::get_if<ApiError>(&parsed)) return errorAnswer(*error);
  AdminRequest admin = std::get<AdminRequest>(parsed);
  using Kind = AdminRequest::Kind;
  switch (admin.kind) {
    case Kind::Stats: return apiDocument("/stats");
    case Kind::Workers: return apiDocument("/workers");
    case Kind::AddWorker:
      return runOnLoop([this](Reply reply) {
        size_t index = 0;
        std::string error;
        if (!pool_->addSlot(index, error)) return reply(errorAnswer(kWorkerUnavailable, error));
        Json answer = Json::object();
        answer.set("mediasoup", "success").set("workerId", static_cast<unsigned long>(index));
        reply(answer);
      }, answerTimeout());
    case Kind::DrainWorker:
      return runOnLoop([this, admin](Reply reply) { rooms_->drainWorker(admin.workerId, std::move(reply)); }, answerTimeout());
    case Kind::ResumeWorker:
      return runOnLoop([this, admin](Reply reply) {
        std::string error;
        if (!pool_->resume(admin.workerId, error)) return reply(errorAnswer(kInvalidElement, error));
        Json answer = Json::object();
        answer.set("mediasoup", "success").set("workerId", static_cast<unsigned long>(admin.workerId));
        reply(answer);
      }, answerTimeout());
    case Kind::DrainHost:
    case Kind::ResumeHost:
      return runOnLoop([this, draining = admin.kind == Kind::DrainHost](Reply reply) {
        rooms_->setDraining(draining);
        if (hosts_) hosts_->publishSoon();  // the others name it no more for new peers
        Json answer = Json::object();
        answer.set("mediasoup", "success").set("draining", draining).set("peers", sampleHost(*pool_, *rooms_).peers);
        if (hosts_) answer.set("hostId", hosts_->hostId());
        reply(answer);
      }, answerTimeout());
  }
  return errorAnswer(kUnknownRequest, "unknown request");
}

Json Core::apiDocument(const std::string& path) {
  if (path != "/stats" && path != "/workers") return Json();
  bool stats = path == "/stats";
  return runOnLoop([this, stats](Reply reply) {
    reply(stats ? buildStats(*pool_, *rooms_, hosts_.get()) : buildWorkers(*pool_, *rooms_, hosts_.get()));
  }, std::chrono::seconds(2));
}

std::optional<HttpDocument> Core::httpDocument(const std::string& path) {
  // A loop that does not answer (a stuck worker request storm, shutdown) is the server's trouble, not the
  // client's: 503 and why, never a 200 with an error inside or a 404.
  auto errorOf = [](const Json& answer) -> std::optional<std::string> {
    if (!json_object_get(answer.get(), "error_code")) return std::nullopt;
    return answer.string("error").value_or("the plugin did not answer");
  };
  if (path == "/stats" || path == "/workers") {
    Json answer = apiDocument(path);
    if (auto error = errorOf(answer)) return HttpDocument::unavailable(*error);
    return HttpDocument{200, answer.dump(), "application/json", {}};
  }
  if (path != "/metrics") return std::nullopt;
  // Sampled on the loop (which owns the state); read here only once the loop said it is done.
  auto sample = std::make_shared<MetricsSample>();
  Json done = runOnLoop([this, sample](Reply reply) {
    *sample = sampleMetrics(*pool_, *rooms_);
    if (hosts_) {
      sample->clusterHosts = hosts_->hosts().size();
      sample->clusterPipes = rooms_->hostPipeCount();
    }
    sample->events = lifecycle_.counts();
    reply(Json::object());
  }, std::chrono::seconds(2));
  if (auto error = errorOf(done)) return HttpDocument::unavailable(*error);
  sample->requests = requestCounters_.snapshot();
  return HttpDocument{200, formatMetrics(*sample), "text/plain; version=0.0.4; charset=utf-8", {}};
}

Json Core::querySession(void* handle) {
  std::shared_ptr<Session> session = findSession(handle);
  if (!session) return Json();
  uint64_t sessionId = session->id;
  return runOnLoop([this, sessionId](Reply reply) {
    Json info = Json::object();
    if (const Peer* peer = rooms_->peerOf(sessionId)) {
      info.set("room", peer->roomId).set("peerId", peer->peerId).set("display", peer->display);
    } else {
      info.set("room", Json::adopt(json_null()));
    }
    reply(info);
  }, std::chrono::seconds(2));
}

}  // namespace msp
