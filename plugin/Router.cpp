#include "Router.h"

#include "Ids.h"
#include "TakeOut.h"

namespace msp {

Router::~Router() { dropTransports(); }

void Router::createWebRtcTransport(uint64_t owner, Direction direction, const WebRtcTransportOptions& options,
                                   Transport::Created<Transport> done) {
  std::string transportId = newUuid();
  Json listenIp = Json::object();
  listenIp.set("ip", options.listenIp);
  if (!options.announcedIp.empty()) listenIp.set("announcedIp", options.announcedIp);
  Json listenIps = Json::array();
  listenIps.append(listenIp);
  Json numStreams = Json::object();
  numStreams.set("OS", options.sctpOS).set("MIS", options.sctpMIS);
  Json data = Json::object();
  data.set("transportId", transportId).set("listenIps", listenIps).set("enableUdp", true).set("enableTcp", true)
      .set("preferUdp", true).set("preferTcp", false).set("initialAvailableOutgoingBitrate", 1000000)
      .set("enableSctp", options.enableSctp).set("numSctpStreams", numStreams).set("maxSctpMessageSize", 262144)
      .set("sctpSendBufferSize", 262144).set("isDataChannel", true);
  channel_.request("router.createWebRtcTransport", id_, data,
                   [this, alive = lifetime_.token(), transportId, owner, direction, done = std::move(done)](ChannelResult r) {
    if (!r.ok || alive.expired() || closed_) {
      done(nullptr, r.ok ? Failure::closed("the router closed") : r.failure);
      return;
    }
    auto& transport = transports_[transportId];
    transport = std::make_unique<Transport>(*this, channel_, transportId, owner, direction, r.data);
    done(transport.get(), Failure{});
  });
}

Transport* Router::transport(const std::string& id) const {
  auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : it->second.get();
}

Producer* Router::findProducer(const std::string& id, Transport** owner) const {
  for (const auto& [transportId, transport] : transports_) {
    if (Producer* producer = transport->producer(id)) {
      if (owner) *owner = transport.get();
      return producer;
    }
  }
  return nullptr;
}

DataProducer* Router::findDataProducer(const std::string& id, Transport** owner) const {
  for (const auto& [transportId, transport] : transports_) {
    if (DataProducer* dataProducer = transport->dataProducer(id)) {
      if (owner) *owner = transport.get();
      return dataProducer;
    }
  }
  return nullptr;
}

void Router::closeTransport(const std::string& id) {
  if (auto transport = takeOut(transports_, id)) transport->close();
}

// The worker closes a producer's consumers itself and says so (producerclose); the core cascades too, so
// the room hears at once, and whichever comes second finds nothing left to close.
void Router::producerClosed(Transport& from, const Producer& producer) {
  for (auto& [id, transport] : transports_) {
    if (transport.get() != &from) transport->producerGone(producer.id());
  }
  if (observer.producerClosed) observer.producerClosed(from.owner(), producer);
}

void Router::dataProducerClosed(Transport& from, const DataProducer& dataProducer) {
  for (auto& [id, transport] : transports_) {
    if (transport.get() != &from) transport->dataProducerGone(dataProducer.id());
  }
  if (observer.dataProducerClosed) observer.dataProducerClosed(from.owner(), dataProducer);
}

void Router::consumerClosedByProducer(Transport& of, const Consumer& consumer) {
  if (observer.consumerClosed) observer.consumerClosed(of.owner(), consumer);
}

void Router::dataConsumerClosedByProducer(Transport& of, const DataConsumer& dataConsumer) {
  if (observer.dataConsumerClosed) observer.dataConsumerClosed(of.owner(), dataConsumer);
}

void Router::consumerEvent(Transport& of, const Consumer& consumer, const std::string& event, const Json& data) {
  if (observer.consumerEvent) observer.consumerEvent(of.owner(), consumer, event, data);
}

void Router::dropTransports() {
  observer = RouterObserver{};  // a closing room announces nothing per entity
  auto transports = std::move(transports_);
  transports_.clear();
  for (auto& [id, transport] : transports) transport->routerClosed();
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
  dropTransports();
  if (auto notify = std::move(onWorkerClosed)) notify();
}

}  // namespace msp
