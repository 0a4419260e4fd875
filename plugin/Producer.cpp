#include "Producer.h"

namespace msp {

void Producer::setPaused(bool paused, const char* method, Done done) {
  channel_.request(method, id_, Json(), [this, paused, done = std::move(done), alive = lifetime_.token()](ChannelResult r) {
    if (alive.expired()) {
      done("producer closed");
      return;
    }
    if (r.ok) paused_ = paused;
    done(r.ok ? "" : r.error);
  });
}

void Producer::pause(Done done) { setPaused(true, "producer.pause", std::move(done)); }
void Producer::resume(Done done) { setPaused(false, "producer.resume", std::move(done)); }

void Producer::getStats(DataDone done) {
  channel_.request("producer.getStats", id_, Json(), [done = std::move(done)](ChannelResult r) { done(r.data, r.ok ? "" : r.error); });
}

void Producer::close() {
  Json data = Json::object();
  data.set("producerId", id_);
  channel_.request("transport.closeProducer", transportId_, data, [](ChannelResult) {});
}

}  // namespace msp
