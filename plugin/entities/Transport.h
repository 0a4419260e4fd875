// What every mediasoup transport of a router has, as mediasoup's Transport base class: a peer's WebRTC
// (WebRtcTransport.h) or plain RTP/SRTP (PlainTransport.h) transport, or a pipe transport between two routers
// of a room (PipeTransport.h). Owns the producers, consumers, data producers and data consumers made on it and
// closes them in cascade. ORTC runs here, as in mediasoup: produce() validates and maps the client's RTP
// parameters, consume() computes the consumer's; parameters that cannot work come back as a Failure at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "channel/Channel.h"
#include "entities/Consumer.h"
#include "entities/DataConsumer.h"
#include "entities/DataProducer.h"
#include "base/Json.h"
#include "base/Lifetime.h"
#include "entities/Producer.h"

namespace msp {

class Router;

enum class Direction { Send, Recv };

// The owner of a router's pipe transports: no peer (Janus session ids start at 1).
constexpr uint64_t kPipeOwner = 0;

class Transport {
 public:
  template <typename T>
  using Created = std::function<void(T* created, const Failure& failure)>;

  Transport(Router& router, Channel& channel, std::string id, uint64_t owner, Direction direction, Json data);
  virtual ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  const std::string& id() const { return id_; }
  uint64_t owner() const { return owner_; }
  Direction direction() const { return direction_; }
  // Between two routers of a room: its entities are copies, no peer's.
  virtual bool isPipe() const { return false; }
  // The worker's answer: iceParameters, iceCandidates, dtls…, sctp… (WebRTC); tuple, rtcpTuple, srtp… (plain).
  // Whole until keepOnlyLaterDetails(); then only what later requests read.
  const Json& data() const { return data_; }
  // Once the client has its answer: the parsed creation answer is ~11 KB of heap per transport, nearly all
  // of it (ICE, DTLS fingerprints, the worker's own bookkeeping) never read again. Keeps SCTP, tuples, SRTP.
  void keepOnlyLaterDetails();

  void getStats(DataDone done);

  // Each returns a Failure (kind Invalid) at once for parameters that cannot work, and then never calls done;
  // otherwise done runs later, never inside the call.
  [[nodiscard]] Failure produce(const std::string& kind, Json rtpParameters, Created<Producer> done);
  [[nodiscard]] Failure consume(const Producer& producer, Json rtpCapabilities, Created<Consumer> done);
  // dataProducerId: given for a piped copy (it keeps the original's id); empty: a new one.
  [[nodiscard]] Failure produceData(Json sctpStreamParameters, const std::string& label, const std::string& protocol,
                                    Created<DataProducer> done, const std::string& dataProducerId = "");
  [[nodiscard]] Failure consumeData(const DataProducer& dataProducer, Created<DataConsumer> done);

  Producer* producer(const std::string& id) const { return find(producers_, id); }
  Consumer* consumer(const std::string& id) const { return find(consumers_, id); }
  DataProducer* dataProducer(const std::string& id) const { return find(dataProducers_, id); }
  DataConsumer* dataConsumer(const std::string& id) const { return find(dataConsumers_, id); }
  const std::map<std::string, std::unique_ptr<Producer>>& producers() const { return producers_; }
  const std::map<std::string, std::unique_ptr<DataProducer>>& dataProducers() const { return dataProducers_; }
  const std::map<std::string, std::unique_ptr<Consumer>>& consumers() const { return consumers_; }
  const std::map<std::string, std::unique_ptr<DataConsumer>>& dataConsumers() const { return dataConsumers_; }

  // Ours (each tells the worker and cascades).
  void closeProducer(const std::string& id);
  void closeConsumer(const std::string& id);
  void closeDataProducer(const std::string& id);
  void closeDataConsumer(const std::string& id);
  void close();
  // The router (or worker) is gone: drop everything without requests or announcements.
  void routerClosed();
  // A producer of another transport closed: its consumers here close (announced to this transport's peer).
  // Flow: MediaFlow or DataFlow (entities/Flows.h).
  template <typename Flow>
  void producerGone(const std::string& producerId);

 protected:
  // Maps the parameters onto the router (may throw ortc::OrtcError, before anything is asked) and asks the worker.
  void requestProduce(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                      Created<Producer> done);
  void requestConsume(const Json& data, const std::string& consumerId, const Producer& producer, const std::string& type,
                      Json rtpParameters, bool paused, Created<Consumer> done);

  // Held weakly by request callbacks: a reply that comes after this transport is gone does nothing.
  std::weak_ptr<char> aliveToken() const { return lifetime_.token(); }

  Router& router_;
  Channel& channel_;
  std::string id_;
  Json data_;

 private:
  template <typename T>
  static T* find(const std::map<std::string, std::unique_ptr<T>>& map, const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? nullptr : it->second.get();
  }
  void onConsumerNotification(Consumer& consumer, const std::string& event, const Json& data);
  // Its producer went away: the consumer is dropped (the worker closed it) and its peer is told.
  template <typename Flow>
  void consumerEnded(const std::string& consumerId);
  int nextSctpStreamId();
  void releaseSctpStreamId(uint16_t streamId);

  uint64_t owner_;
  Direction direction_;
  bool closed_ = false;
  std::string cnameForProducers_;
  uint32_t nextMidForConsumers_ = 0;
  std::vector<bool> sctpStreamIdsInUse_;
  size_t nextSctpStreamId_ = 0;
  std::map<std::string, std::unique_ptr<Producer>> producers_;
  std::map<std::string, std::unique_ptr<Consumer>> consumers_;
  std::map<std::string, std::unique_ptr<DataProducer>> dataProducers_;
  std::map<std::string, std::unique_ptr<DataConsumer>> dataConsumers_;
  Lifetime lifetime_;
};

}  // namespace msp
