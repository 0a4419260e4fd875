#include "fake_worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace msp::fake {
namespace {

// Above Linux's largest pid_max (2^22): never a real process, so nothing is ever signalled by mistake.
constexpr pid_t kFirstFakePid = 10000000;

struct Write {
  uv_write_t request;
  std::string frame;
};

int openEnd(uv_loop_t* loop, UvHandle<uv_pipe_t>& pipe, Fd& fd, void* owner) {
  int rc = pipe.init([loop](uv_pipe_t* h) { return uv_pipe_init(loop, h, 0); }, owner);
  if (rc == 0 && (rc = uv_pipe_open(pipe.get(), fd.get())) == 0) fd.release();
  return rc;
}

bool makePipe(Fd& readEnd, Fd& writeEnd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  readEnd = Fd(fds[0]);
  writeEnd = Fd(fds[1]);
  return true;
}

std::optional<uint32_t> argValue(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& arg : args) {
    if (arg.rfind(name + "=", 0) == 0) return static_cast<uint32_t>(std::stoul(arg.substr(name.size() + 1)));
  }
  return std::nullopt;
}

Json tuple(uint32_t port) {
  Json t = Json::object();
  t.set("localIp", "127.0.0.1").set("localPort", port).set("protocol", "udp");
  return t;
}

}  // namespace

Worker::Worker(uv_loop_t* loop, pid_t pid, uint32_t minPort, Fd requestsIn, Fd answersOut, Fd payloadIn, Fd payloadOut)
    : loop_(loop), pid_(pid), minPort_(minPort), nextPort_(minPort + 1) {
  openEnd(loop, requestsIn_, requestsIn, this);
  openEnd(loop, answersOut_, answersOut, this);
  openEnd(loop, payloadIn_, payloadIn, this);
  openEnd(loop, payloadOut_, payloadOut, this);
}

Worker::~Worker() { die(); }

void Worker::start() {
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(requestsIn_.get()),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        Worker* self = ownerOf<Worker>(h);
        *buf = uv_buf_init(self->readBuffer_, sizeof self->readBuffer_);
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) { ownerOf<Worker>(s)->onRead(n, buf); });
  // As mediasoup: the first thing a worker says, its pid as a number.
  Json running = Json::object();
  running.set("targetId", static_cast<long long>(pid_)).set("event", "running");
  write(running.dump());
}

size_t Worker::count(const std::string& method) const {
  size_t n = 0;
  for (const auto& r : requests_) n += r.method == method;
  return n;
}

const Request* Worker::last(const std::string& method) const {
  for (auto it = requests_.rbegin(); it != requests_.rend(); ++it) {
    if (it->method == method) return &*it;
  }
  return nullptr;
}

void Worker::on(const std::string& method, Behaviour behaviour, int times) {
  rules_[method].push_back({std::move(behaviour), times});
}

void Worker::release(const std::string& method) {
  std::vector<Request> keep, answerNow;
  for (auto& r : held_) (method.empty() || r.method == method ? answerNow : keep).push_back(std::move(r));
  held_ = std::move(keep);
  for (const auto& r : answerNow) answer(r);
}

void Worker::notify(const std::string& targetId, const std::string& event, Json data) {
  Json n = Json::object();
  n.set("targetId", targetId).set("event", event);
  if (data) n.set("data", data);
  write(n.dump());
}

void Worker::die() {
  if (dead_) return;
  dead_ = true;
  held_.clear();
  requestsIn_.close();
  answersOut_.close();
  payloadIn_.close();
  payloadOut_.close();
}

void Worker::onRead(ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {  // the plugin closed its end: a real worker exits
    die();
    return;
  }
  std::vector<std::string> frames;
  decoder_.feed(buf->base, static_cast<size_t>(nread), frames);
  for (const auto& frame : frames) {
    if (dead_) return;
    // "ID:METHOD:HANDLER_ID:DATA", the 3.12 request format.
    size_t a = frame.find(':'), b = frame.find(':', a + 1), c = frame.find(':', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
    Request request;
    request.id = static_cast<uint32_t>(std::stoul(frame.substr(0, a)));
    request.method = frame.substr(a + 1, b - a - 1);
    request.handlerId = frame.substr(b + 1, c - b - 1);
    if (request.handlerId == "undefined") request.handlerId.clear();
    std::string data = frame.substr(c + 1);
    request.data = data == "undefined" ? Json::object() : Json::parse(data);
    handle(std::move(request));
  }
}

void Worker::handle(Request request) {
  requests_.push_back(request);
  Behaviour behaviour;
  auto rules = rules_.find(request.method);
  if (rules != rules_.end() && !rules->second.empty()) {
    Rule& rule = rules->second.front();
    behaviour = rule.behaviour;
    if (rule.times > 0 && --rule.times == 0) rules->second.erase(rules->second.begin());
  }
  switch (behaviour.kind) {
    case Behaviour::Kind::Answer: return answer(request);
    case Behaviour::Kind::Reject: {
      Json reply = Json::object();
      reply.set("id", static_cast<long long>(request.id)).set("error", "Error").set("reason", behaviour.reason);
      return write(reply.dump());
    }
    case Behaviour::Kind::Ignore: return;
    case Behaviour::Kind::Hold: held_.push_back(std::move(request)); return;
    case Behaviour::Kind::Die: return die();
  }
}

void Worker::answer(const Request& request) {
  Json reply = Json::object();
  reply.set("id", static_cast<long long>(request.id)).set("accepted", true);
  Json data = defaultAnswer(request);
  if (data) reply.set("data", data);
  write(reply.dump());
}

// What mediasoup 3.12's worker answers, as far as the plugin reads it.
Json Worker::defaultAnswer(const Request& request) {
  const std::string& m = request.method;
  const Json& in = request.data;
  ++counter_;
  if (m == "router.createWebRtcTransport" || m == "router.createWebRtcTransportWithServer") {
    Json ice = Json::object();
    ice.set("usernameFragment", "ufrag" + std::to_string(counter_)).set("password", "pwd" + std::to_string(counter_)).set("iceLite", true);
    Json candidate = Json::object();
    candidate.set("foundation", "udpcandidate").set("priority", 1076302079).set("ip", "127.0.0.1").set("protocol", "udp")
        .set("port", minPort_).set("type", "host");
    Json candidates = Json::array();
    candidates.append(candidate);
    Json fingerprint = Json::object();
    fingerprint.set("algorithm", "sha-256").set("value", "AB:CD:EF");
    Json fingerprints = Json::array();
    fingerprints.append(fingerprint);
    Json dtls = Json::object();
    dtls.set("role", "auto").set("fingerprints", fingerprints);
    Json out = Json::object();
    out.set("id", in.string("transportId").value_or("")).set("iceRole", "controlled").set("iceParameters", ice)
        .set("iceCandidates", candidates).set("iceState", "new").set("dtlsParameters", dtls).set("dtlsState", "new");
    if (json_is_true(json_object_get(in.get(), "enableSctp"))) {
      Json sctp = Json::object();
      sctp.set("port", 5000).set("OS", 1024).set("MIS", 1024).set("maxMessageSize", 262144);
      out.set("sctpParameters", sctp);
    }
    return out;
  }
  if (m == "router.createPlainTransport" || m == "router.createPipeTransport") {
    Json out = Json::object();
    out.set("id", in.string("transportId").value_or("")).set("tuple", tuple(nextPort_++));
    if (m == "router.createPlainTransport") {
      bool rtcpMux = json_is_true(json_object_get(in.get(), "rtcpMux"));
      out.set("rtcpMux", rtcpMux).set("comedia", json_is_true(json_object_get(in.get(), "comedia")));
      if (!rtcpMux) out.set("rtcpTuple", tuple(nextPort_++));
      if (json_is_true(json_object_get(in.get(), "enableSrtp"))) {
        Json srtp = Json::object();
        srtp.set("cryptoSuite", in.string("srtpCryptoSuite").value_or("")).set("keyBase64", "a2V5");
        out.set("srtpParameters", srtp);
      }
    } else {
      Json sctp = Json::object();
      sctp.set("port", 5000).set("OS", 1024).set("MIS", 1024).set("maxMessageSize", 268435456);
      out.set("sctpParameters", sctp);
      // A pipe transport to another host: its SRTP key, as mediasoup 3.12 gives it.
      if (json_is_true(json_object_get(in.get(), "enableSrtp"))) {
        Json srtp = Json::object();
        srtp.set("cryptoSuite", "AEAD_AES_256_GCM").set("keyBase64", "cGlwZS1rZXk=");
        out.set("srtpParameters", srtp);
      }
    }
    return out;
  }
  if (m == "transport.restartIce") {
    Json ice = Json::object();
    ice.set("usernameFragment", "ufrag" + std::to_string(counter_)).set("password", "pwd" + std::to_string(counter_)).set("iceLite", true);
    Json out = Json::object();
    out.set("iceParameters", ice);
    return out;
  }
  if (m == "transport.produce") {
    json_t* encodings = json_object_get(json_object_get(in.get(), "rtpParameters"), "encodings");
    Json out = Json::object();
    out.set("type", json_array_size(encodings) > 1 ? "simulcast" : "simple");
    return out;
  }
  if (m == "transport.consume") {
    Json score = Json::object();
    score.set("score", 10).set("producerScore", 10).set("producerScores", Json::array());
    Json out = Json::object();
    out.set("paused", json_is_true(json_object_get(in.get(), "paused"))).set("producerPaused", false).set("score", score);
    return out;
  }
  if (m == "transport.produceData" || m == "transport.consumeData") {
    Json out = Json::object();
    out.set("id", in.string(m == "transport.produceData" ? "dataProducerId" : "dataConsumerId").value_or(""))
        .set("type", "sctp").set("label", in.string("label").value_or("")).set("protocol", in.string("protocol").value_or(""));
    if (json_t* sctp = json_object_get(in.get(), "sctpStreamParameters")) out.set("sctpStreamParameters", Json::borrow(sctp));
    return out;
  }
  if (m.size() > 9 && m.compare(m.size() - 9, 9, ".getStats") == 0) {
    Json stats = Json::array();
    Json entry = Json::object();
    entry.set("type", "fake").set("timestamp", static_cast<long long>(counter_));
    stats.append(entry);
    return stats;
  }
  return Json();
}

void Worker::write(const std::string& payload) {
  if (dead_ || !answersOut_) return;
  auto w = std::make_unique<Write>();
  w->frame = encodeFrame(payload);
  w->request.data = w.get();
  uv_buf_t buf = uv_buf_init(w->frame.data(), static_cast<unsigned>(w->frame.size()));
  if (uv_write(&w->request, reinterpret_cast<uv_stream_t*>(answersOut_.get()), &buf, 1,
               [](uv_write_t* r, int) { std::unique_ptr<Write> done(static_cast<Write*>(r->data)); }) == 0) {
    w.release();
  }
}

WorkerSpawner Workers::spawner() {
  return [this](const std::string&, const std::vector<std::string>& args, const std::vector<std::string>&, WorkerSpawn& out,
                std::string& error) {
    if (refuseSpawn) {
      error = "posix_spawn: No such file or directory (fake)";
      return false;
    }
    Fd requestsIn, answersOut, payloadIn, payloadOut;
    if (!makePipe(requestsIn, out.channelToWorker) || !makePipe(out.channelFromWorker, answersOut) ||
        !makePipe(payloadIn, out.payloadToWorker) || !makePipe(out.payloadFromWorker, payloadOut)) {
      error = std::string("pipe2: ") + strerror(errno);
      return false;
    }
    out.pid = kFirstFakePid + static_cast<pid_t>(all_.size());
    auto worker = std::make_unique<Worker>(loop_, out.pid, argValue(args, "--rtcMinPort").value_or(0), std::move(requestsIn),
                                           std::move(answersOut), std::move(payloadIn), std::move(payloadOut));
    for (const auto& [method, behaviour] : newRules_) worker->on(method, behaviour);
    worker->start();
    all_.push_back(std::move(worker));
    return true;
  };
}

Worker* Workers::current(uint32_t minPort) const {
  for (auto it = all_.rbegin(); it != all_.rend(); ++it) {
    if ((*it)->minPort() == minPort && !(*it)->dead()) return it->get();
  }
  return nullptr;
}

}  // namespace msp::fake
