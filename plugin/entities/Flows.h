// RTP media (Producer → Consumer) and SCTP data (DataProducer → DataConsumer) share their bookkeeping: a
// router finds a producer of either flow, a transport's consumers end when their producer goes away, pipes
// carry both between routers, a peer consumes both. One traits struct per flow names its types, the
// transport's maps and calls, and its words for messages, so that logic is written once as a template over
// the flow and only what really differs (RTP parameters vs SCTP streams) stays apart.
#pragma once

#include <string>

#include "entities/PipeTransport.h"
#include "entities/Transport.h"

namespace msp {

struct MediaFlow {
  using Producer = msp::Producer;
  using Consumer = msp::Consumer;
  static constexpr const char* kProducerName = "producer";

  static const auto& producers(const Transport& t) { return t.producers(); }
  static const auto& consumers(const Transport& t) { return t.consumers(); }
  static const std::string& producerIdOf(const Consumer& c) { return c.producerId(); }
  static void closeProducer(Transport& t, const std::string& id) { t.closeProducer(id); }
  static void closeConsumer(Transport& t, const std::string& id) { t.closeConsumer(id); }

  // Pipes: the original consumed into a pipe transport, and its copy (same id) produced on the other side.
  static Failure consumeForPipe(PipeTransport& pipe, const Producer& original, Transport::Created<Consumer> done) {
    return pipe.consumeForPipe(original, std::move(done));
  }
  static Failure produceCopy(PipeTransport& pipe, const std::string& id, const Consumer& pipeConsumer,
                             Transport::Created<Producer> done) {
    return pipe.produceCopy(id, pipeConsumer.kind(), pipeConsumer.rtpParameters(), pipeConsumer.producerPaused(), std::move(done));
  }
};

struct DataFlow {
  using Producer = DataProducer;
  using Consumer = DataConsumer;
  static constexpr const char* kProducerName = "data producer";

  static const auto& producers(const Transport& t) { return t.dataProducers(); }
  static const auto& consumers(const Transport& t) { return t.dataConsumers(); }
  static const std::string& producerIdOf(const Consumer& c) { return c.dataProducerId(); }
  static void closeProducer(Transport& t, const std::string& id) { t.closeDataProducer(id); }
  static void closeConsumer(Transport& t, const std::string& id) { t.closeDataConsumer(id); }

  static Failure consumeForPipe(PipeTransport& pipe, const Producer& original, Transport::Created<Consumer> done) {
    return pipe.consumeData(original, std::move(done));
  }
  static Failure produceCopy(PipeTransport& pipe, const std::string& id, const Consumer& pipeConsumer,
                             Transport::Created<Producer> done) {
    Json sctp = Json::adopt(json_deep_copy(pipeConsumer.sctpStreamParameters().get()));
    return pipe.produceData(sctp, pipeConsumer.label(), pipeConsumer.protocol(), std::move(done), id);
  }
};

}  // namespace msp
