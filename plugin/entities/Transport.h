// A mediasoup transport in a router: a peer's WebRTC or plain (RTP/SRTP) transport, or a pipe transport
// between two routers of a room. Owns the producers, consumers, data producers and data consumers made on it
// and closes them in cascade. ORTC runs here, as in mediasoup: produce() validates and maps the client's RTP
// parameters, consume() computes the consumer's.
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
// WebRTC (a peer's browser), Plain (RTP/SRTP to or from an encoder, recorder, pipeline), Pipe (between two
// routers of a room).
enum class TransportType { WebRtc, Plain, Pipe };

// The owner of a router's pipe transports: no peer (Janus session ids start at 1).
constexpr uint64_t kPipeOwner = 0;

class Transport {
 public:
  template <typename T>
  using Created = std::function<void(T* created, const Failure& failure)>;

  Transport(Router& router, Channel& channel, std::string id, uint64_t owner, TransportType type, Direction direction,
            Json data);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  const std::string& id() const { return id_; }
  uint64_t owner() const { return owner_; }
  Direction direction() const { return direction_; }
  TransportType type() const { return type_; }
  // The worker's answer: iceParameters, iceCandidates, dtls…, sctp… (WebRTC); tuple, rtcpTuple, srtp… (plain).
  // Whole until keepOnlyLaterDetails(); then only what later requests read.
  const Json& data() const { return data_; }
  // Once the client has its answer: the parsed creation answer is ~11 KB of heap per transport, nearly all
  // of it (ICE, DTLS fingerprints, the worker's own bookkeeping) never read again. Keeps SCTP, tuples, SRTP.
  void keepOnlyLaterDetails();

  void connect(const Json& dtlsParameters, Done done);
  // Plain transports: {ip?, port?, rtcpPort?, srtpParameters?} as the worker takes them; data: its answer (the
  // worker's SRTP key may change with the remote's suite).
  void plainConnect(Json parameters, DataDone done);
  void restartIce(DataDone done);  // data: the new iceParameters
  void getStats(DataDone done);

  // Throw ortc::OrtcError at once for parameters that cannot work; otherwise done runs later.
  void produce(const std::string& kind, Json rtpParameters, Created<Producer> done);
  void consume(const Producer& producer, Json rtpCapabilities, Created<Consumer> done);
  // dataProducerId: given for a piped copy (it keeps the original's id); empty: a new one.
  void produceData(Json sctpStreamParameters, const std::string& label, const std::string& protocol,
                   Created<DataProducer> done, const std::string& dataProducerId = "");
  void consumeData(const DataProducer& dataProducer, Created<DataConsumer> done);

  // Pipe transports (owner kPipeOwner) only: connect to the other router's pipe transport; consume a
  // producer of this router for the pipe; produce the piped copy (same id) from the other side's consumer.
  void pipeConnect(const std::string& ip, int port, Done done);
  void pipeConsume(const Producer& producer, Created<Consumer> done);
  void pipeProduce(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                   Created<Producer> done);
  bool isPipe() const { return type_ == TransportType::Pipe; }

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

 private:
  template <typename T>
  static T* find(const std::map<std::string, std::unique_ptr<T>>& map, const std::string& id) {
    auto it = map.find(id);
    return it == map.end() ? nullptr : it->second.get();
  }
  void requestProduce(const std::string& producerId, const std::string& kind, Json rtpParameters, bool paused,
                      Created<Producer> done);
  void requestConsume(const Json& data, const std::string& consumerId, const Producer& producer, const std::string& type,
                      Json rtpParameters, bool paused, Created<Consumer> done);
  void onConsumerNotification(Consumer& consumer, const std::string& event, const Json& data);
  // Its producer went away: the consumer is dropped (the worker closed it) and its peer is told.
  template <typename Flow>
  void consumerEnded(const std::string& consumerId);
  int nextSctpStreamId();
  void releaseSctpStreamId(uint16_t streamId);

  Router& router_;
  Channel& channel_;
  std::string id_;
  uint64_t owner_;
  TransportType type_;
  Direction direction_;
  Json data_;
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
