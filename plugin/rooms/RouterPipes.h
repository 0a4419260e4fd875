// Media between the routers of a room that spans workers, as mediasoup's Router.pipeToRouter() does it: one
// PipeTransport pair on 127.0.0.1 per router pair (reused both ways), a producer piped to a router at most
// once (concurrent consumers share the piping), the copy keeping the original's id; pause, resume and close
// of the original follow it through the pipe. Data producers likewise. Runs on the loop thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "base/Lifetime.h"
#include "base/OnceTable.h"
#include "entities/Flows.h"
#include "entities/Router.h"

namespace msp {

class RouterPipes {
 public:
  using Waiter = std::function<void(const Failure&)>;
  // A ready router by id (any room), or null.
  using FindRouter = std::function<Router*(const std::string& routerId)>;

  explicit RouterPipes(FindRouter findRouter) : findRouter_(std::move(findRouter)) {}
  RouterPipes(const RouterPipes&) = delete;
  RouterPipes& operator=(const RouterPipes&) = delete;

  enum class Outcome {
    Ready,   // already piped: go on now (done is not kept)
    Later,   // done runs later, never inside this call, with the outcome
    Failed,  // cannot start (a router or the producer is gone): `failure` says why, done is not kept
  };
  // Makes the producer (Flow: MediaFlow or DataFlow) of router `from` consumable on router `to`.
  template <typename Flow>
  Outcome pipe(const std::string& producerId, const std::string& from, const std::string& to, Waiter done,
               Failure& failure);

  // From the routers' observers, for entities of pipe transports.
  // The original closed (its pipe consumer ended): the copy closes, and with it its consumers.
  void pipeConsumerClosed(const Transport& pipe, const Consumer& consumer) { originalClosed<MediaFlow>(pipe, consumer); }
  void pipeConsumerClosed(const Transport& pipe, const DataConsumer& consumer) { originalClosed<DataFlow>(pipe, consumer); }
  // The original paused or resumed: so does the copy (its consumers hear it from their worker).
  void pipeConsumerEvent(const Transport& pipe, const Consumer& consumer, const std::string& event);
  // A copy closed (by the above, or with its pipe transport): forgotten, so a later consume pipes again.
  template <typename Flow>
  void copyClosed(const Transport& pipe, const std::string& producerId);

  // A router is going (closing, or its worker died): the pipe transports paired with it close on the other
  // routers (their copies of its producers close there, announced to their consumers), and everything piped
  // to or from it is forgotten. Call before the router itself closes.
  void routerGone(const std::string& routerId);

 private:
  using PairKey = std::pair<std::string, std::string>;  // router ids, sorted
  using PipeKey = std::pair<std::string, std::string>;  // (producer id, destination router id)
  struct PipeEnd {
    std::string router;       // the router this pipe transport is on
    std::string otherRouter;  // the router it is connected to
  };

  static PairKey pairKey(const std::string& a, const std::string& b) { return a < b ? PairKey{a, b} : PairKey{b, a}; }
  // The pipe transport of pair {router, other} that lives on `router`, or null.
  PipeTransport* pipeOn(const std::string& router, const std::string& other) const;
  void ensurePair(const std::string& a, const std::string& b, Waiter done);
  void pairCreated(const PairKey& key);
  void finishPair(const PairKey& key, const Failure& failure);
  // The flow's table of producers piped (or being piped) to a router.
  template <typename Flow>
  OnceTable<PipeKey>& piped();
  // Consumes the original into the pipe, then produces its copy on the other side.
  template <typename Flow>
  void pipeOne(const PipeKey& key, const std::string& from);
  template <typename Flow>
  void originalClosed(const Transport& pipe, const typename Flow::Consumer& pipeConsumer);
  template <typename Key>
  static void finish(OnceTable<Key>& table, const Key& key, const Failure& failure);

  FindRouter findRouter_;
  OnceTable<PairKey> pairs_;
  std::map<PairKey, std::map<std::string, std::string>> pairTransports_;  // pair → router id → its pipe transport id
  std::map<std::string, PipeEnd> pipeEnds_;                                // pipe transport id → its ends
  OnceTable<PipeKey> piped_;
  OnceTable<PipeKey> pipedData_;
  Lifetime lifetime_;
};

}  // namespace msp
