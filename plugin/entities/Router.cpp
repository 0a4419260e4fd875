#include "entities/Router.h"

#include "base/Ids.h"
#include "base/TakeOut.h"

namespace msp {
namespace {

// {"ip", "announcedIp"?}: where a transport listens, and the address it announces instead when set.
Json listenIpOf(const std::string& ip, const std::string& announcedIp) {
  Json listenIp = Json::object();
  listenIp.set("ip", ip);
  if (!announcedIp.empty()) listenIp.set("announcedIp", announcedIp);
  return listenIp;
}

Json numStreams(int os, int mis) {
  Json streams = Json::object();
  streams.set("OS", os).set("MIS", mis);
  return streams;
}

}  // namespace

Router::~Router() { dropTransports(); }

template <typename T>
void Router::requestTransport(const char* method, const std::string& transportId, const Json& data, uint64_t owner,
                              Direction direction, Transport::Created<T> done) {
  channel_.request(method, id_, data,
                   [this, alive = lifetime_.token(), transportId, owner, direction, done = std::move(done)](ChannelResult r) {
    if (!r.ok && r.failure.kind == Failure::Kind::Rejected) {
      done(nullptr, Failure::exhausted(r.failure.detail));
      return;
    }
    if (!r.ok || alive.expired() || closed_) {
      done(nullptr, r.ok ? Failure::closed("the router closed") : r.failure);
      return;
    }
    auto transport = std::make_unique<T>(*this, channel_, transportId, owner, direction, r.data);
    T* created = transport.get();
    transports_[transportId] = std::move(transport);
    transportsByOwner_[owner].insert(transportId);
    done(created, Failure{});
  });
}

void Router::createWebRtcTransport(uint64_t owner, Direction direction, const TransportOptions& options,
                                   Transport::Created<WebRtcTransport> done) {
  std::string transportId = newUuid();
  Json listenIps = Json::array();
  listenIps.append(listenIpOf(options.listenIp, options.announcedIp));
  Json data = Json::object();
  data.set("transportId", transportId);
  if (webRtcServerId_.empty()) data.set("listenIps", listenIps);
  else data.set("webRtcServerId", webRtcServerId_);
  data.set("enableUdp", true).set("enableTcp", true)
      .set("preferUdp", true).set("preferTcp", false).set("initialAvailableOutgoingBitrate", 1000000)
      .set("enableSctp", options.enableSctp).set("numSctpStreams", numStreams(options.sctpOS, options.sctpMIS)).set("maxSctpMessageSize", 262144)
      .set("sctpSendBufferSize", 262144).set("isDataChannel", true);
  const char* method = webRtcServerId_.empty() ? "router.createWebRtcTransport" : "router.createWebRtcTransportWithServer";
  requestTransport<WebRtcTransport>(method, transportId, data, owner, direction, std::move(done));
}

void Router::createPlainTransport(uint64_t owner, Direction direction, const PlainTransportOptions& options,
                                  Transport::Created<PlainTransport> done) {
  std::string transportId = newUuid();
  Json data = Json::object();
  data.set("transportId", transportId).set("listenIp", listenIpOf(options.listenIp, options.announcedIp))
      .set("rtcpMux", options.rtcpMux).set("comedia", options.comedia).set("enableSctp", false)
      .set("numSctpStreams", numStreams(1024, 1024))
      .set("maxSctpMessageSize", 262144).set("sctpSendBufferSize", 262144).set("isDataChannel", false)
      .set("enableSrtp", options.enableSrtp).set("srtpCryptoSuite", options.srtpCryptoSuite);
  requestTransport<PlainTransport>("router.createPlainTransport", transportId, data, owner, direction, std::move(done));
}

void Router::createPipeTransport(Transport::Created<PipeTransport> done) {
  std::string transportId = newUuid();
  Json data = Json::object();
  data.set("transportId", transportId).set("listenIp", listenIpOf("127.0.0.1", "")).set("enableSctp", true)
      .set("numSctpStreams", numStreams(1024, 1024))
      .set("maxSctpMessageSize", 268435456).set("sctpSendBufferSize", 268435456).set("isDataChannel", false)
      .set("enableRtx", false).set("enableSrtp", false);
  requestTransport<PipeTransport>("router.createPipeTransport", transportId, data, kPipeOwner, Direction::Send, std::move(done));
}

void Router::requestRtpObserver(const char* method, RtpObserver::Kind kind, Json data, Transport::Created<RtpObserver> done) {
  std::string observerId = newUuid();
  data.set("rtpObserverId", observerId);
  channel_.request(method, id_, data, [this, alive = lifetime_.token(), observerId, kind, done = std::move(done)](ChannelResult r) {
    if (!r.ok || alive.expired() || closed_) {
      done(nullptr, r.ok ? Failure::closed("the router closed") : r.failure);
      return;
    }
    auto observer = std::make_unique<RtpObserver>(channel_, id_, observerId, kind);
    RtpObserver* created = observer.get();
    rtpObservers_[observerId] = std::move(observer);
    done(created, Failure{});
  });
}

void Router::createAudioLevelObserver(int maxEntries, int thresholdDbov, uint32_t intervalMs,
                                      Transport::Created<RtpObserver> done) {
  Json data = Json::object();
  data.set("maxEntries", maxEntries).set("threshold", thresholdDbov).set("interval", intervalMs);
  requestRtpObserver("router.createAudioLevelObserver", RtpObserver::Kind::AudioLevel, data, std::move(done));
}

void Router::createActiveSpeakerObserver(uint32_t intervalMs, Transport::Created<RtpObserver> done) {
  Json data = Json::object();
  data.set("interval", intervalMs);
  requestRtpObserver("router.createActiveSpeakerObserver", RtpObserver::Kind::ActiveSpeaker, data, std::move(done));
}

RtpObserver* Router::rtpObserver(const std::string& id) const {
  auto it = rtpObservers_.find(id);
  return it == rtpObservers_.end() ? nullptr : it->second.get();
}

void Router::closeRtpObserver(const std::string& id) {
  if (auto observer = takeOut(rtpObservers_, id)) observer->close();
}

void Router::createHostPipeTransport(const std::string& listenIp, Transport::Created<PipeTransport> done) {
  std::string transportId = newUuid();
  Json data = Json::object();
  // SCTP on: data producers cross on the same pipe (not SRTP-protected: mediasoup encrypts only RTP on pipes).
  data.set("transportId", transportId).set("listenIp", listenIpOf(listenIp, "")).set("enableSctp", true)
      .set("numSctpStreams", numStreams(1024, 1024))
      .set("maxSctpMessageSize", 268435456).set("sctpSendBufferSize", 268435456).set("isDataChannel", false)
      .set("enableRtx", true).set("enableSrtp", true);
  requestTransport<PipeTransport>("router.createPipeTransport", transportId, data, kPipeOwner, Direction::Send,
                                  [done = std::move(done)](PipeTransport* transport, const Failure& failure) {
    if (transport) transport->setCrossesHosts();
    done(transport, failure);
  });
}

Transport* Router::transport(const std::string& id) const {
  auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : it->second.get();
}

std::vector<Transport*> Router::transportsOf(uint64_t owner) const {
  std::vector<Transport*> owned;
  auto ids = transportsByOwner_.find(owner);
  if (ids == transportsByOwner_.end()) return owned;
  for (const auto& id : ids->second) owned.push_back(transports_.at(id).get());
  return owned;
}

void Router::closeTransport(const std::string& id) {
  auto transport = takeOut(transports_, id);
  if (!transport) return;
  auto ids = transportsByOwner_.find(transport->owner());
  if (ids != transportsByOwner_.end() && ids->second.erase(id) && ids->second.empty()) transportsByOwner_.erase(ids);
  transport->close();
}

// The worker closes a producer's consumers itself and says so (producerclose); the core cascades too, so
// the room hears at once, and whichever comes second finds nothing left to close.
template <typename Flow>
void Router::producerClosedOn(Transport& from, const typename Flow::Producer& producer) {
  for (auto& [id, transport] : transports_) {
    if (transport.get() != &from) transport->template producerGone<Flow>(producer.id());
  }
  announceClosed(from, producer);
}
template void Router::producerClosedOn<MediaFlow>(Transport&, const Producer&);
template void Router::producerClosedOn<DataFlow>(Transport&, const DataProducer&);

void Router::announceClosed(Transport& from, const Producer& producer) {
  if (observer.producerClosed) observer.producerClosed(from, producer);
}

void Router::announceClosed(Transport& from, const DataProducer& dataProducer) {
  if (observer.dataProducerClosed) observer.dataProducerClosed(from, dataProducer);
}

void Router::consumerClosedByProducer(Transport& of, const Consumer& consumer) {
  if (observer.consumerClosed) observer.consumerClosed(of, consumer);
}

void Router::dataConsumerClosedByProducer(Transport& of, const DataConsumer& dataConsumer) {
  if (observer.dataConsumerClosed) observer.dataConsumerClosed(of, dataConsumer);
}

void Router::transportStateChanged(const WebRtcTransport& of) {
  if (observer.transportState) observer.transportState(of);
}

void Router::consumerEvent(Transport& of, const Consumer& consumer, const std::string& event, const Json& data) {
  if (observer.consumerEvent) observer.consumerEvent(of, consumer, event, data);
}

void Router::dropTransports() {
  observer = RouterObserver{};  // a closing room announces nothing per entity
  auto transports = std::move(transports_);
  transports_.clear();
  transportsByOwner_.clear();
  for (auto& [id, transport] : transports) transport->routerClosed();
  auto observers = std::move(rtpObservers_);
  rtpObservers_.clear();
  for (auto& [id, rtpObserver] : observers) rtpObserver->routerClosed();
}

void Router::close() {
  if (closed_) return;
  closed_ = true;
  Json data = Json::object();
  data.set("routerId", id_);
  channel_.request("worker.closeRouter", "", data, [](ChannelResult) {});
  dropTransports();
}

void Router::workerClosed() {
  if (closed_) return;
  closed_ = true;
  // First the room layer, while the router's producers can still be listed (the others hear of them).
  if (auto notify = std::move(onWorkerClosed)) notify();
  dropTransports();
}

}  // namespace msp
