#include "rooms/RouterPipes.h"

#include <memory>

#include "base/Log.h"

namespace msp {

template <typename Key>
void RouterPipes::finish(OnceTable<Key>& table, const Key& key, const Failure& failure) {
  for (auto& waiter : table.finish(key, failure)) waiter(failure);
}

PipeTransport* RouterPipes::pipeOn(const std::string& router, const std::string& other) const {
  auto pair = pairTransports_.find(pairKey(router, other));
  if (pair == pairTransports_.end()) return nullptr;
  auto id = pair->second.find(router);
  Router* r = findRouter_(router);
  return id == pair->second.end() || !r ? nullptr : r->transportAs<PipeTransport>(id->second);
}

template <>
OnceTable<RouterPipes::PipeKey>& RouterPipes::piped<MediaFlow>() { return piped_; }
template <>
OnceTable<RouterPipes::PipeKey>& RouterPipes::piped<DataFlow>() { return pipedData_; }

template <typename Flow>
RouterPipes::Outcome RouterPipes::pipe(const std::string& producerId, const std::string& from, const std::string& to,
                                       Waiter done, Failure& failure) {
  Router* source = findRouter_(from);
  if (!source || !source->find<Flow>(producerId) || !findRouter_(to)) {
    failure = Failure::closed(std::string("the ") + Flow::kProducerName + " closed");
    return Outcome::Failed;
  }
  PipeKey key{producerId, to};
  switch (piped<Flow>().request(key, std::move(done))) {
    case OnceTable<PipeKey>::Step::Done: return Outcome::Ready;
    case OnceTable<PipeKey>::Step::Waiting: return Outcome::Later;
    case OnceTable<PipeKey>::Step::Start: break;
  }
  ensurePair(from, to, [this, alive = lifetime_.token(), key, from](const Failure& failure) {
    if (alive.expired()) return;
    if (failure) finish(piped<Flow>(), key, failure);
    else pipeOne<Flow>(key, from);
  });
  return Outcome::Later;
}
template RouterPipes::Outcome RouterPipes::pipe<MediaFlow>(const std::string&, const std::string&, const std::string&, Waiter, Failure&);
template RouterPipes::Outcome RouterPipes::pipe<DataFlow>(const std::string&, const std::string&, const std::string&, Waiter, Failure&);

// Every step re-finds routers and transports by id: any of them may have gone while the worker worked.
// The callers checked that both routers exist, so every outcome comes from a worker's reply.
void RouterPipes::ensurePair(const std::string& a, const std::string& b, Waiter done) {
  PairKey key = pairKey(a, b);
  switch (pairs_.request(key, done)) {
    case OnceTable<PairKey>::Step::Done: return done(Failure{});  // connected already: the caller goes on
    case OnceTable<PairKey>::Step::Waiting: return;
    case OnceTable<PairKey>::Step::Start: break;
  }
  Router* routerA = findRouter_(key.first);
  Router* routerB = findRouter_(key.second);
  auto created = std::make_shared<int>(0);
  auto onCreated = [this, alive = lifetime_.token(), key, created](PipeTransport* transport, const Failure& failure) {
    if (alive.expired()) return;
    if (!transport) {
      if (pairs_.contains(key) && !pairs_.done(key)) finishPair(key, failure ? failure : Failure::closed("pipe transport"));
      return;
    }
    Router* router = findRouter_(key.first);
    std::string side = router && router->transport(transport->id()) == transport ? key.first : key.second;
    if (!pairs_.contains(key)) {  // the pair was abandoned meanwhile
      if (Router* r = findRouter_(side)) r->closeTransport(transport->id());
      return;
    }
    pairTransports_[key][side] = transport->id();
    if (++*created == 2) pairCreated(key);
  };
  routerA->createPipeTransport(onCreated);
  routerB->createPipeTransport(onCreated);
}

void RouterPipes::pairCreated(const PairKey& key) {
  PipeTransport* a = pipeOn(key.first, key.second);
  PipeTransport* b = pipeOn(key.second, key.first);
  if (!a || !b) {
    finishPair(key, Failure::closed("a pipe transport closed"));
    return;
  }
  pipeEnds_[a->id()] = PipeEnd{key.first, key.second};
  pipeEnds_[b->id()] = PipeEnd{key.second, key.first};
  auto connected = std::make_shared<int>(0);
  auto failed = std::make_shared<bool>(false);
  auto onConnected = [this, alive = lifetime_.token(), key, connected, failed](const Failure& failure) {
    if (alive.expired() || *failed) return;
    if (failure) {
      *failed = true;
      finishPair(key, failure);
      return;
    }
    if (++*connected == 2) finishPair(key, Failure{});
  };
  auto tupleOf = [](PipeTransport* t, std::string& ip, int& port) {
    json_t* tuple = json_object_get(t->data().get(), "tuple");
    ip = json_string_value(json_object_get(tuple, "localIp")) ? json_string_value(json_object_get(tuple, "localIp")) : "127.0.0.1";
    port = static_cast<int>(json_integer_value(json_object_get(tuple, "localPort")));
  };
  std::string ipA, ipB;
  int portA = 0, portB = 0;
  tupleOf(a, ipA, portA);
  tupleOf(b, ipB, portB);
  a->connect(ipB, portB, onConnected);
  b->connect(ipA, portA, onConnected);
}

void RouterPipes::finishPair(const PairKey& key, const Failure& failure) {
  if (failure) {
    // Whatever half of the pair exists goes.
    auto transports = pairTransports_.find(key);
    if (transports != pairTransports_.end()) {
      for (const auto& [router, transportId] : transports->second) {
        pipeEnds_.erase(transportId);
        if (Router* r = findRouter_(router)) r->closeTransport(transportId);
      }
      pairTransports_.erase(transports);
    }
    MSP_WARN("pipe between routers %s and %s failed: %s", key.first.c_str(), key.second.c_str(), failure.detail.c_str());
  }
  finish(pairs_, key, failure);
}

template <typename Flow>
void RouterPipes::pipeOne(const PipeKey& key, const std::string& from) {
  const std::string closed = std::string("the ") + Flow::kProducerName + " closed";
  Router* source = findRouter_(from);
  PipeTransport* sourcePipe = pipeOn(from, key.second);
  auto* original = source ? source->find<Flow>(key.first) : nullptr;
  if (!sourcePipe || !original) {
    finish(piped<Flow>(), key, Failure::closed(closed));
    return;
  }
  // Whatever half was made is undone when the piping cannot finish.
  auto undo = [this, key, from](const std::string& pipeConsumerId, bool copyMade) {
    if (PipeTransport* sourcePipe = pipeOn(from, key.second)) Flow::closeConsumer(*sourcePipe, pipeConsumerId);
    if (!copyMade) return;
    if (PipeTransport* targetPipe = pipeOn(key.second, from)) Flow::closeProducer(*targetPipe, key.first);
  };
  auto consumed = [this, alive = lifetime_.token(), key, from, closed, undo](typename Flow::Consumer* pipeConsumer, const Failure& failure) {
    if (alive.expired()) return;
    if (!pipeConsumer) return finish(piped<Flow>(), key, failure);
    std::string consumerId = pipeConsumer->id();
    PipeTransport* targetPipe = pipeOn(key.second, from);
    if (!targetPipe) {
      undo(consumerId, false);
      return finish(piped<Flow>(), key, Failure::closed("the pipe closed"));
    }
    auto produced = [this, alive, key, from, closed, undo, consumerId](typename Flow::Producer* copy, const Failure& failure) {
      if (alive.expired()) return;
      Router* source = findRouter_(from);
      if (!copy || !source || !source->find<Flow>(key.first)) {  // failed, or the original closed meanwhile
        undo(consumerId, copy != nullptr);
        return finish(piped<Flow>(), key, copy ? Failure::closed(closed) : failure);
      }
      finish(piped<Flow>(), key, Failure{});
    };
    if (Failure invalid = Flow::produceCopy(*targetPipe, key.first, *pipeConsumer, produced)) {
      undo(consumerId, false);
      finish(piped<Flow>(), key, invalid);
    }
  };
  if (Failure invalid = Flow::consumeForPipe(*sourcePipe, *original, consumed)) finish(piped<Flow>(), key, invalid);
}

template <typename Flow>
void RouterPipes::originalClosed(const Transport& pipe, const typename Flow::Consumer& pipeConsumer) {
  auto end = pipeEnds_.find(pipe.id());
  if (end == pipeEnds_.end()) return;
  std::string producerId = Flow::producerIdOf(pipeConsumer);
  std::string target = end->second.otherRouter, source = end->second.router;
  piped<Flow>().erase({producerId, target});
  if (PipeTransport* targetPipe = pipeOn(target, source)) Flow::closeProducer(*targetPipe, producerId);
}
template void RouterPipes::originalClosed<MediaFlow>(const Transport&, const Consumer&);
template void RouterPipes::originalClosed<DataFlow>(const Transport&, const DataConsumer&);

void RouterPipes::pipeConsumerEvent(const Transport& pipe, const Consumer& consumer, const std::string& event) {
  if (event != "producerpause" && event != "producerresume") return;
  auto end = pipeEnds_.find(pipe.id());
  if (end == pipeEnds_.end()) return;
  PipeTransport* targetPipe = pipeOn(end->second.otherRouter, end->second.router);
  Producer* copy = targetPipe ? targetPipe->producer(consumer.producerId()) : nullptr;
  if (!copy) return;
  if (event == "producerpause") copy->pause([](const Failure&) {});
  else copy->resume([](const Failure&) {});
}

template <typename Flow>
void RouterPipes::copyClosed(const Transport& pipe, const std::string& producerId) {
  auto end = pipeEnds_.find(pipe.id());
  if (end != pipeEnds_.end()) piped<Flow>().erase({producerId, end->second.router});
}
template void RouterPipes::copyClosed<MediaFlow>(const Transport&, const std::string&);
template void RouterPipes::copyClosed<DataFlow>(const Transport&, const std::string&);

void RouterPipes::routerGone(const std::string& routerId) {
  // Copies on the gone router, and pipings into it still under way (their consumers hear "closed").
  std::vector<Waiter> failed;
  for (auto* table : {&piped_, &pipedData_}) {
    for (const auto& key : table->keysWhere([&](const PipeKey& k) { return k.second == routerId; })) {
      std::vector<Waiter> pending;
      table->erase(key, &pending);
      for (auto& w : pending) failed.push_back(std::move(w));
    }
  }
  for (const auto& key : pairs_.keysWhere([&](const PairKey& k) { return k.first == routerId || k.second == routerId; })) {
    auto transports = pairTransports_.find(key);
    if (transports != pairTransports_.end()) {
      for (const auto& [router, transportId] : transports->second) {
        if (router == routerId) {
          pipeEnds_.erase(transportId);
          continue;
        }
        // Its copies of the gone router's producers close (observer: copyClosed), announced to their consumers.
        if (Router* other = findRouter_(router)) other->closeTransport(transportId);
        pipeEnds_.erase(transportId);
      }
      pairTransports_.erase(transports);
    }
    std::vector<Waiter> pending;
    pairs_.erase(key, &pending);
    for (auto& w : pending) failed.push_back(std::move(w));
  }
  Failure closed = Failure::closed("the router of the producer closed");
  for (auto& waiter : failed) waiter(closed);
}

}  // namespace msp
