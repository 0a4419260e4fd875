// A mediasoup router in a worker: one room's media. Owned by its Worker; owns the room's transports.
// Two ways to close, kept apart as in mediasoup: close() is ours (tell the worker, then cascade),
// workerClosed() is the worker's death (cascade only).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "channel/Channel.h"
#include "base/Cidr.h"
#include "config/Config.h"
#include "base/Json.h"
#include "base/Lifetime.h"
#include "entities/Flows.h"
#include "entities/PipeTransport.h"
#include "entities/PlainTransport.h"
#include "entities/RtpObserver.h"
#include "entities/Transport.h"
#include "entities/WebRtcTransport.h"

namespace msp {

// What the room layer hears from its router's entities, each closing announced once. `of` is the entity's
// transport: a peer's (owner = its session), or a pipe transport (owner kPipeOwner) for piped copies.
struct RouterObserver {
  // A producer or data producer closed (its peer's request, its transport closed): tell the other peers.
  std::function<void(const Transport& of, const Producer& producer)> producerClosed;
  std::function<void(const Transport& of, const DataProducer& dataProducer)> dataProducerClosed;
  // A consumer or data consumer closed because its producer went away: tell its peer.
  std::function<void(const Transport& of, const Consumer& consumer)> consumerClosed;
  std::function<void(const Transport& of, const DataConsumer& dataConsumer)> dataConsumerClosed;
  // producerpause / producerresume / layerschange of a consumer: tell its peer.
  std::function<void(const Transport& of, const Consumer& consumer, const std::string& event, const Json& data)> consumerEvent;
  // A WebRTC transport's ICE or DTLS state changed: tell its peer.
  std::function<void(const WebRtcTransport& of)> transportState;
};

// The settings every transport of a peer follows, and a WebRTC transport's SCTP choice.
struct TransportOptions {
  std::string listenIp;
  std::string announcedIp;  // empty: none
  std::vector<Cidr> plainAllowedRemotes;  // where plain transports may send; empty: anywhere
  bool enableSctp = false;
  int sctpOS = 1024;
  int sctpMIS = 1024;
  static TransportOptions of(const Settings& settings) {
    TransportOptions options;
    options.listenIp = settings.listenIp;
    options.announcedIp = settings.announcedIp;
    options.plainAllowedRemotes = settings.plainAllowedRemotes;
    return options;
  }
};

struct PlainTransportOptions {
  std::string listenIp;
  std::string announcedIp;  // empty: none
  bool comedia = false;
  bool rtcpMux = true;
  bool enableSrtp = false;
  std::string srtpCryptoSuite;
};

class Router {
 public:
  // webRtcServerId: the worker's WebRtcServer its WebRTC transports share (empty: each binds its own ports).
  Router(Channel& channel, std::string id, Json rtpCapabilities, std::string webRtcServerId)
      : channel_(channel), id_(std::move(id)), rtpCapabilities_(std::move(rtpCapabilities)),
        webRtcServerId_(std::move(webRtcServerId)) {}
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const std::string& id() const { return id_; }
  const Json& rtpCapabilities() const { return rtpCapabilities_; }
  bool closed() const { return closed_; }

  void createWebRtcTransport(uint64_t owner, Direction direction, const TransportOptions& options,
                             Transport::Created<WebRtcTransport> done);
  // Ports from the worker's range (never the WebRtcServer's).
  void createPlainTransport(uint64_t owner, Direction direction, const PlainTransportOptions& options,
                            Transport::Created<PlainTransport> done);
  // A pipe transport on 127.0.0.1 (SCTP on, no RTX, no SRTP), as mediasoup's pipeToRouter() makes them.
  void createPipeTransport(Transport::Created<PipeTransport> done);
  // A pipe transport to another host of the cluster: on listenIp (a port of the worker's range), SRTP
  // (AEAD_AES_256_GCM) and RTX on, no SCTP.
  void createHostPipeTransport(const std::string& listenIp, Transport::Created<PipeTransport> done);
  Transport* transport(const std::string& id) const;
  // The transport of that id if it is a T (WebRtcTransport, PlainTransport, PipeTransport), else null.
  template <typename T>
  T* transportAs(const std::string& id) const {
    return dynamic_cast<T*>(transport(id));
  }
  const std::map<std::string, std::unique_ptr<Transport>>& transports() const { return transports_; }
  // One owner's transports (a peer's session, or kPipeOwner), by id: without walking the whole router, which
  // holds every peer's.
  std::vector<Transport*> transportsOf(uint64_t owner) const;
  // A producer of either flow on any of its transports (owner set to that transport when given).
  template <typename Flow>
  typename Flow::Producer* find(const std::string& id, Transport** owner = nullptr) const {
    for (const auto& [transportId, transport] : transports_) {
      const auto& producers = Flow::producers(*transport);
      auto it = producers.find(id);
      if (it == producers.end()) continue;
      if (owner) *owner = transport.get();
      return it->second.get();
    }
    return nullptr;
  }
  Producer* findProducer(const std::string& id, Transport** owner = nullptr) const { return find<MediaFlow>(id, owner); }
  DataProducer* findDataProducer(const std::string& id, Transport** owner = nullptr) const { return find<DataFlow>(id, owner); }
  void closeTransport(const std::string& id);

  // Observers of the router's audio producers (mediasoup's router.createAudioLevelObserver and
  // createActiveSpeakerObserver). The worker clamps intervals to 250–5000 ms (audio levels) and 100–5000 ms.
  void createAudioLevelObserver(int maxEntries, int thresholdDbov, uint32_t intervalMs, Transport::Created<RtpObserver> done);
  void createActiveSpeakerObserver(uint32_t intervalMs, Transport::Created<RtpObserver> done);
  RtpObserver* rtpObserver(const std::string& id) const;
  void closeRtpObserver(const std::string& id);

  void close();
  void workerClosed();

  RouterObserver observer;
  // Runs once when the router closes because its worker died.
  std::function<void()> onWorkerClosed;

  // From this router's transports.
  // A producer closed on `from`: the other transports' consumers of it end, then the observer hears.
  void producerClosed(Transport& from, const Producer& producer) { producerClosedOn<MediaFlow>(from, producer); }
  void producerClosed(Transport& from, const DataProducer& dataProducer) { producerClosedOn<DataFlow>(from, dataProducer); }
  void consumerClosedByProducer(Transport& of, const Consumer& consumer);
  void dataConsumerClosedByProducer(Transport& of, const DataConsumer& dataConsumer);
  void consumerEvent(Transport& of, const Consumer& consumer, const std::string& event, const Json& data);
  void transportStateChanged(const WebRtcTransport& of);

 private:
  void dropTransports();
  template <typename Flow>
  void producerClosedOn(Transport& from, const typename Flow::Producer& producer);
  void announceClosed(Transport& from, const Producer& producer);
  void announceClosed(Transport& from, const DataProducer& dataProducer);
  // Asks the worker for a transport and keeps it. Every value of these requests is ours: a refusal means the
  // worker cannot take one more (no free port).
  void requestRtpObserver(const char* method, RtpObserver::Kind kind, Json data, Transport::Created<RtpObserver> done);
  template <typename T>
  void requestTransport(const char* method, const std::string& transportId, const Json& data, uint64_t owner,
                        Direction direction, Transport::Created<T> done);

  Channel& channel_;
  std::string id_;
  Json rtpCapabilities_;
  std::string webRtcServerId_;
  bool closed_ = false;
  std::map<std::string, std::unique_ptr<Transport>> transports_;
  std::map<uint64_t, std::set<std::string>> transportsByOwner_;  // the same transports, by owner
  std::map<std::string, std::unique_ptr<RtpObserver>> rtpObservers_;
  Lifetime lifetime_;
};

}  // namespace msp
