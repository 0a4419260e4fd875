#include "entities/Transport.h"

#include "entities/Flows.h"

#include "base/Ids.h"
#include "base/Log.h"
#include "ortc/Ortc.h"
#include "entities/Router.h"
#include "base/TakeOut.h"

namespace msp {
namespace {

// A creation request's answer that cannot be used: the worker's failure, or (gone) the transport closed
// meanwhile. done hears why; true when the caller must stop there.
template <typename T>
bool notCreated(const ChannelResult& r, bool gone, const Transport::Created<T>& done) {
  if (r.ok && !gone) return false;
  done(nullptr, r.ok ? Failure::closed("the transport closed") : r.failure);
  return true;
}

}  // namespace

Transport::Transport(Router& router, Channel& channel, std::string id, uint64_t owner, Direction direction, Json data)
    : router_(router), channel_(channel), id_(std::move(id)), data_(std::move(data)), owner_(owner), direction_(direction) {}

Transport::~Transport() = default;

template <>
void Transport::consumerEnded<MediaFlow>(const std::string& consumerId) {
  std::unique_ptr<Consumer> consumer = takeOut(consumers_, consumerId);
  if (!consumer) return;
  consumer->transportClosed();
  router_.consumerClosedByProducer(*this, *consumer);
}

template <>
void Transport::consumerEnded<DataFlow>(const std::string& dataConsumerId) {
  std::unique_ptr<DataConsumer> dataConsumer = takeOut(dataConsumers_, dataConsumerId);
  if (!dataConsumer) return;
  dataConsumer->transportClosed();
  releaseSctpStreamId(dataConsumer->streamId());
  router_.dataConsumerClosedByProducer(*this, *dataConsumer);
}

void Transport::keepOnlyLaterDetails() {
  Json kept = Json::object();
  // Read later by produceData/consumeData (sctpParameters), PlainTransport's connect checks (comedia, rtcpMux,
  // srtpParameters) and the pipes (tuple).
  for (const char* key : {"sctpParameters", "tuple", "rtcpTuple", "srtpParameters", "comedia", "rtcpMux"}) {
    if (json_t* value = json_object_get(data_.get(), key)) kept.set(key, Json::borrow(value));
  }
  data_ = std::move(kept);
}

void Transport::getStats(DataDone done) {
  channel_.request("transport.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.failure); });
}

namespace {

// The client's parameters cannot work: the error the client gets, and nothing was asked of the worker.
Failure invalidParameters(const ortc::OrtcError& e) {
  return Failure::invalid(std::string(e.unsupported ? "unsupported parameters: " : "invalid parameters: ") + e.what());
}

}  // namespace

Failure Transport::produce(const std::string& kind, Json rtpParameters, Created<Producer> done) {
  try {
    ortc::validateRtpParameters(rtpParameters.get());
    if (json_array_size(json_object_get(rtpParameters.get(), "encodings")) == 0) {
      Json encodings = Json::array();
      encodings.append(Json::object());
      rtpParameters.set("encodings", encodings);
    }
    // One CNAME for all of a transport's producers, as mediasoup does.
    json_t* rtcp = json_object_get(rtpParameters.get(), "rtcp");
    auto cname = Json::borrow(rtcp).string("cname");
    if (cnameForProducers_.empty()) cnameForProducers_ = cname && !cname->empty() ? *cname : newUuid().substr(0, 8);
    json_object_set_new(rtcp, "cname", json_string(cnameForProducers_.c_str()));
    requestProduce(newUuid(), kind, std::move(rtpParameters), false, std::move(done));
    return {};
  } catch (const ortc::OrtcError& e) {
    return invalidParameters(e);
  }
}

// Maps the parameters onto the router (may throw OrtcError, before anything is asked) and asks the worker.
void Transport::requestProduce(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                               Created<Producer> done) {
  const Json& caps = router_.rtpCapabilities();
  Json rtpMapping = ortc::getProducerRtpParametersMapping(rtpParameters.get(), caps.get());
  Json consumable = ortc::getConsumableRtpParameters(kind, rtpParameters.get(), caps.get(), rtpMapping.get());
  Json data = Json::object();
  data.set("producerId", producerId).set("kind", kind).set("rtpParameters", rtpParameters)
      .set("rtpMapping", rtpMapping).set("paused", paused);
  channel_.request("transport.produce", id_, data,
                   [this, alive = lifetime_.token(), producerId, kind, consumable, paused, done = std::move(done)](ChannelResult r) {
    if (notCreated(r, alive.expired() || closed_, done)) return;
    std::string type = r.data.string("type").value_or("simple");
    auto& producer = producers_[producerId];
    producer = std::make_unique<Producer>(channel_, id_, producerId, kind, type, consumable, paused);
    done(producer.get(), Failure{});
  });
}

// Asks the worker for a consumer (data as the caller built it) and keeps it, unless its producer closed while
// the worker created it.
void Transport::requestConsume(const Json& data, const std::string& consumerId, const Producer& producer,
                               const std::string& type, Json rtpParameters, bool paused, Created<Consumer> done) {
  std::string producerId = producer.id(), kind = producer.kind();
  channel_.request("transport.consume", id_, data,
                   [this, alive = lifetime_.token(), consumerId, producerId, kind, type, rtpParameters, paused, done = std::move(done)](ChannelResult r) {
    if (notCreated(r, alive.expired() || closed_, done)) return;
    bool producerPaused = json_is_true(json_object_get(r.data.get(), "producerPaused"));
    if (!router_.findProducer(producerId)) {
      requestClose(channel_, "transport.closeConsumer", id_, "consumerId", consumerId);
      done(nullptr, Failure::closed("the producer closed"));
      return;
    }
    auto& consumer = consumers_[consumerId];
    consumer = std::make_unique<Consumer>(channel_, id_, consumerId, producerId, kind, type, rtpParameters, paused, producerPaused,
                                          [this](Consumer& c, const std::string& event, const Json& d) { onConsumerNotification(c, event, d); });
    done(consumer.get(), Failure{});
  });
}

Failure Transport::consume(const Producer& producer, Json rtpCapabilities, Created<Consumer> done) {
  Json rtpParameters;
  try {
    if (!ortc::canConsume(producer.consumableRtpParameters().get(), rtpCapabilities.get())) {
      return Failure::invalid("unsupported parameters: cannot consume this producer with these rtpCapabilities");
    }
    bool enableRtx = producer.kind() == "video";
    rtpParameters = ortc::getConsumerRtpParameters(producer.consumableRtpParameters().get(), rtpCapabilities.get(), enableRtx);
  } catch (const ortc::OrtcError& e) {
    return invalidParameters(e);
  }
  rtpParameters.set("mid", std::to_string(nextMidForConsumers_++));
  if (nextMidForConsumers_ == 100000000) nextMidForConsumers_ = 0;

  std::string consumerId = newUuid();
  Json data = Json::object();
  data.set("consumerId", consumerId).set("producerId", producer.id()).set("kind", producer.kind())
      .set("rtpParameters", rtpParameters).set("type", producer.type())
      .set("consumableRtpEncodings", producer.consumableRtpParameters().at("encodings"))
      .set("paused", true).set("ignoreDtx", false);  // created paused: the client resumes once ready
  requestConsume(data, consumerId, producer, producer.type(), rtpParameters, true, std::move(done));
  return {};
}

void Transport::onConsumerNotification(Consumer& consumer, const std::string& event, const Json& data) {
  if (event == "producerclose") {
    consumerEnded<MediaFlow>(consumer.id());  // destroys consumer
    return;
  }
  router_.consumerEvent(*this, consumer, event, data);
}

int Transport::nextSctpStreamId() {
  json_t* mis = json_object_get(json_object_get(data_.get(), "sctpParameters"), "MIS");
  if (!json_is_integer(mis)) return -1;
  if (sctpStreamIdsInUse_.empty()) sctpStreamIdsInUse_.assign(static_cast<size_t>(json_integer_value(mis)), false);
  for (size_t i = 0; i < sctpStreamIdsInUse_.size(); ++i) {
    size_t candidate = (nextSctpStreamId_ + i) % sctpStreamIdsInUse_.size();
    if (!sctpStreamIdsInUse_[candidate]) {
      nextSctpStreamId_ = candidate + 1;
      return static_cast<int>(candidate);
    }
  }
  return -1;
}

Failure Transport::produceData(Json sctpStreamParameters, const std::string& label, const std::string& protocol,
                               Created<DataProducer> done, const std::string& givenId) {
  if (!json_object_get(data_.get(), "sctpParameters") || json_is_null(json_object_get(data_.get(), "sctpParameters"))) {
    return Failure::invalid("invalid parameters: this transport has no SCTP (create it with sctpCapabilities)");
  }
  try {
    ortc::validateSctpStreamParameters(sctpStreamParameters.get());
  } catch (const ortc::OrtcError& e) {
    return invalidParameters(e);
  }
  std::string dataProducerId = givenId.empty() ? newUuid() : givenId;
  Json data = Json::object();
  data.set("dataProducerId", dataProducerId).set("type", "sctp").set("sctpStreamParameters", sctpStreamParameters)
      .set("label", label).set("protocol", protocol);
  channel_.request("transport.produceData", id_, data,
                   [this, alive = lifetime_.token(), dataProducerId, sctpStreamParameters, label, protocol, done = std::move(done)](ChannelResult r) {
    if (notCreated(r, alive.expired() || closed_, done)) return;
    auto& dataProducer = dataProducers_[dataProducerId];
    dataProducer = std::make_unique<DataProducer>(channel_, id_, dataProducerId, sctpStreamParameters, label, protocol);
    done(dataProducer.get(), Failure{});
  });
  return {};
}

Failure Transport::consumeData(const DataProducer& dataProducer, Created<DataConsumer> done) {
  int streamId = nextSctpStreamId();
  if (streamId < 0) return Failure::invalid("invalid parameters: no SCTP stream available on this transport (create it with sctpCapabilities)");
  sctpStreamIdsInUse_[static_cast<size_t>(streamId)] = true;
  Json sctp = Json::adopt(json_deep_copy(dataProducer.sctpStreamParameters().get()));
  sctp.set("streamId", streamId);
  std::string dataConsumerId = newUuid();
  std::string dataProducerId = dataProducer.id(), label = dataProducer.label(), protocol = dataProducer.protocol();
  Json data = Json::object();
  data.set("dataConsumerId", dataConsumerId).set("dataProducerId", dataProducerId).set("type", "sctp")
      .set("sctpStreamParameters", sctp).set("label", label).set("protocol", protocol);
  channel_.request("transport.consumeData", id_, data,
                   [this, alive = lifetime_.token(), dataConsumerId, dataProducerId, sctp, label, protocol, streamId, done = std::move(done)](ChannelResult r) {
    if (alive.expired()) {
      done(nullptr, Failure::closed("the transport closed"));
      return;
    }
    if (!r.ok || closed_ || !router_.findDataProducer(dataProducerId)) {
      releaseSctpStreamId(static_cast<uint16_t>(streamId));
      if (r.ok && !closed_) {  // its data producer closed meanwhile
        requestClose(channel_, "transport.closeDataConsumer", id_, "dataConsumerId", dataConsumerId);
      }
      done(nullptr, r.ok ? Failure::closed("the data producer closed") : r.failure);
      return;
    }
    auto& dataConsumer = dataConsumers_[dataConsumerId];
    dataConsumer = std::make_unique<DataConsumer>(channel_, id_, dataConsumerId, dataProducerId, sctp, label, protocol,
                                                  static_cast<uint16_t>(streamId),
                                                  [this](DataConsumer& dc) { consumerEnded<DataFlow>(dc.id()); });
    done(dataConsumer.get(), Failure{});
  });
  return {};
}

void Transport::releaseSctpStreamId(uint16_t streamId) {
  if (streamId < sctpStreamIdsInUse_.size()) sctpStreamIdsInUse_[streamId] = false;
}

template <typename Flow>
void Transport::producerGone(const std::string& producerId) {
  std::vector<std::string> ended;
  for (const auto& [id, consumer] : Flow::consumers(*this)) {
    if (Flow::producerIdOf(*consumer) == producerId) ended.push_back(id);
  }
  for (const auto& id : ended) consumerEnded<Flow>(id);
}
template void Transport::producerGone<MediaFlow>(const std::string&);
template void Transport::producerGone<DataFlow>(const std::string&);

void Transport::closeProducer(const std::string& id) {
  if (auto producer = takeOut(producers_, id)) {
    producer->close();
    router_.producerClosed(*this, *producer);
  }
}

void Transport::closeConsumer(const std::string& id) {
  if (auto consumer = takeOut(consumers_, id)) consumer->close();
}

void Transport::closeDataProducer(const std::string& id) {
  if (auto dataProducer = takeOut(dataProducers_, id)) {
    dataProducer->close();
    router_.producerClosed(*this, *dataProducer);
  }
}

void Transport::closeDataConsumer(const std::string& id) {
  if (auto dataConsumer = takeOut(dataConsumers_, id)) {
    releaseSctpStreamId(dataConsumer->streamId());
    dataConsumer->close();
  }
}

void Transport::close() {
  if (closed_) return;
  closed_ = true;
  Json data = Json::object();
  data.set("transportId", id_);
  channel_.request("router.closeTransport", router_.id(), data, [](ChannelResult) {});
  // The worker closed the children with the transport: no requests, but the room hears of producers.
  auto producers = std::move(producers_);
  producers_.clear();
  for (auto& [id, producer] : producers) router_.producerClosed(*this, *producer);
  auto dataProducers = std::move(dataProducers_);
  dataProducers_.clear();
  for (auto& [id, dataProducer] : dataProducers) router_.producerClosed(*this, *dataProducer);
  for (auto& [id, consumer] : consumers_) consumer->transportClosed();
  consumers_.clear();
  for (auto& [id, dataConsumer] : dataConsumers_) dataConsumer->transportClosed();
  dataConsumers_.clear();
}

void Transport::routerClosed() {
  if (closed_) return;
  closed_ = true;
  for (auto& [id, consumer] : consumers_) consumer->transportClosed();
  for (auto& [id, dataConsumer] : dataConsumers_) dataConsumer->transportClosed();
  consumers_.clear();
  dataConsumers_.clear();
  producers_.clear();
  dataProducers_.clear();
}

}  // namespace msp
